#include "server/api/report_export.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <fstream>
#include <iterator>
#include <sstream>

#include "core/error.hpp"

namespace petitiond::api {
namespace {

// A spreadsheet would run a cell starting with = + - @ as a formula: such text is written quoted.
std::string csv_text(const std::string& text) {
  std::string value = text;
  if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@')) value = "'" + value;
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string csv_number(double value) {
  if (std::floor(value) == value && std::fabs(value) < 1e15) return std::to_string(static_cast<long long>(value));
  std::ostringstream out;
  out.precision(10);
  out << value;
  return out.str();
}

std::string csv_cell(const Cell& cell) {
  if (const auto* text = std::get_if<std::string>(&cell)) return csv_text(*text);
  if (const auto* number = std::get_if<double>(&cell)) return csv_number(*number);
  return "";
}

struct ScratchFile {
  std::filesystem::path path;
  ~ScratchFile() {
    std::error_code ignored;
    if (!path.empty()) std::filesystem::remove(path, ignored);
  }
};

}  // namespace

std::string to_csv(const Table& table) {
  std::string out = "\xEF\xBB\xBF";
  for (std::size_t i = 0; i < table.headers.size(); ++i) out += (i ? "," : "") + csv_text(table.headers[i]);
  out += "\r\n";
  for (const auto& row : table.rows) {
    for (std::size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + csv_cell(row[i]);
    out += "\r\n";
  }
  return out;
}

namespace {

// A column of rates (its header names one: "按期办结率", "Answer rate"); rates are fractions, shown as 93.7%.
bool is_rate_column(const std::string& header) {
  std::string lower;
  for (unsigned char c : header) lower += static_cast<char>(std::tolower(c));
  return header.ends_with("率") || lower.find("rate") != std::string::npos;
}

// "2026-12-02", or "2026-12-02T17:30:00+08:00" (local time, as the API writes it), as a spreadsheet date.
std::optional<lxw_datetime> spreadsheet_date(const std::string& text, bool& with_time) {
  int y, mo, d, h = 0, mi = 0, sec = 0;
  char tail = 0;
  with_time = false;
  if (text.size() == 10 && std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &mo, &d, &tail) == 3) {
  } else if (text.size() >= 19 && text[10] == 'T' &&
             std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) == 6) {
    with_time = true;
  } else {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  return lxw_datetime{y, mo, d, h, mi, static_cast<double>(sec)};
}

// How wide a text shows in a spreadsheet's character widths: CJK characters take two.
double display_width(const std::string& text) {
  double width = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t length = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    width += length >= 3 ? 2.0 : 1.0;
    i += length;
  }
  return width;
}

}  // namespace

std::string to_xlsx(const Table& table, const std::filesystem::path& scratch_dir) {
  std::filesystem::create_directories(scratch_dir);
  std::string name_template = (scratch_dir / "report-XXXXXX.xlsx").string();
  const int fd = ::mkstemps(name_template.data(), 5);
  if (fd < 0) throw Error(Errc::internal, "cannot create a scratch file for the workbook");
  ::close(fd);
  ScratchFile scratch{name_template};

  lxw_workbook_options options{};
  options.constant_memory = LXW_FALSE;
  lxw_workbook* workbook = workbook_new_opt(scratch.path.c_str(), &options);
  if (!workbook) throw Error(Errc::internal, "cannot start the workbook");
  // Sheet names: at most 31 characters, none of []:*?/\ .
  std::string sheet_name = table.title.empty() ? "report" : table.title;
  for (auto& c : sheet_name)
    if (std::string_view("[]:*?/\\").find(c) != std::string_view::npos) c = '_';
  if (sheet_name.size() > 31) sheet_name = "report";
  lxw_worksheet* sheet = workbook_add_worksheet(workbook, sheet_name.c_str());
  lxw_format* header = workbook_add_format(workbook);
  format_set_bold(header);
  format_set_text_wrap(header);
  format_set_align(header, LXW_ALIGN_VERTICAL_TOP);
  lxw_format* percent = workbook_add_format(workbook);
  format_set_num_format(percent, "0.0%");
  lxw_format* date = workbook_add_format(workbook);
  format_set_num_format(date, "yyyy-mm-dd");
  lxw_format* date_time = workbook_add_format(workbook);
  format_set_num_format(date_time, "yyyy-mm-dd hh:mm");
  lxw_format* decimal = workbook_add_format(workbook);
  format_set_num_format(decimal, "0.##");

  std::vector<double> widths(table.headers.size(), 8);
  std::vector<bool> rates(table.headers.size(), false);
  for (std::size_t c = 0; c < table.headers.size(); ++c) {
    worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(c), table.headers[c].c_str(), header);
    rates[c] = is_rate_column(table.headers[c]);
    widths[c] = std::min(display_width(table.headers[c]), 24.0);  // a long header wraps rather than widens
  }
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto row = static_cast<lxw_row_t>(r + 1);
    for (std::size_t c = 0; c < table.rows[r].size(); ++c) {
      const auto column = static_cast<lxw_col_t>(c);
      const auto& cell = table.rows[r][c];
      double width = 0;
      // Strings go in as strings, never as formulas, whatever they start with; dates as dates.
      if (const auto* text = std::get_if<std::string>(&cell)) {
        bool with_time = false;
        if (auto when = spreadsheet_date(*text, with_time)) {
          worksheet_write_datetime(sheet, row, column, &*when, with_time ? date_time : date);
          width = with_time ? 16 : 10;
        } else {
          worksheet_write_string(sheet, row, column, text->c_str(), nullptr);
          width = display_width(*text);
        }
      } else if (const auto* number = std::get_if<double>(&cell)) {
        const bool rate = c < rates.size() && rates[c];
        const bool whole = *number == static_cast<double>(static_cast<long long>(*number));
        worksheet_write_number(sheet, row, column, *number, rate ? percent : whole ? nullptr : decimal);
        width = rate ? 7 : 8;
      }
      if (c < widths.size()) widths[c] = std::max(widths[c], width);
    }
  }
  for (std::size_t c = 0; c < widths.size(); ++c)
    worksheet_set_column(sheet, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), std::min(widths[c] + 2, 50.0),
                         rates[c] ? percent : nullptr);
  // The header row stays in view, and the first column (what each row is) too.
  worksheet_freeze_panes(sheet, 1, 1);
  if (!table.rows.empty() && !table.headers.empty())
    worksheet_autofilter(sheet, 0, 0, static_cast<lxw_row_t>(table.rows.size()),
                         static_cast<lxw_col_t>(table.headers.size() - 1));
  if (workbook_close(workbook) != LXW_NO_ERROR) throw Error(Errc::internal, "cannot write the workbook");
  std::ifstream in(scratch.path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace petitiond::api
