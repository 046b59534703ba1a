#pragma once
// Reports as files: a table written as CSV (UTF-8 with a byte-order mark, so that Excel reads the Chinese
// right) or as an XLSX workbook (libxlsxwriter).
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

namespace petitiond::api {

using Cell = std::variant<std::monostate, std::string, double>;

struct Table {
  std::string title;  // the sheet's name
  std::vector<std::string> headers;
  std::vector<std::vector<Cell>> rows;
};

std::string to_csv(const Table& table);

// Writes the workbook through a private temporary file under `scratch_dir` (libxlsxwriter writes files).
// Blocking: run it on a worker thread.
std::string to_xlsx(const Table& table, const std::filesystem::path& scratch_dir);

}  // namespace petitiond::api
