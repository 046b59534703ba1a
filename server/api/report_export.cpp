#include "server/api/report_export.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <cmath>
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
  lxw_format* bold = workbook_add_format(workbook);
  format_set_bold(bold);
  for (std::size_t c = 0; c < table.headers.size(); ++c)
    worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(c), table.headers[c].c_str(), bold);
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto row = static_cast<lxw_row_t>(r + 1);
    for (std::size_t c = 0; c < table.rows[r].size(); ++c) {
      const auto column = static_cast<lxw_col_t>(c);
      const auto& cell = table.rows[r][c];
      // Strings go in as strings, never as formulas, whatever they start with.
      if (const auto* text = std::get_if<std::string>(&cell))
        worksheet_write_string(sheet, row, column, text->c_str(), nullptr);
      else if (const auto* number = std::get_if<double>(&cell))
        worksheet_write_number(sheet, row, column, *number, nullptr);
    }
  }
  worksheet_freeze_panes(sheet, 1, 1);
  if (workbook_close(workbook) != LXW_NO_ERROR) throw Error(Errc::internal, "cannot write the workbook");
  std::ifstream in(scratch.path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace petitiond::api
