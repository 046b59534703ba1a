#pragma once
// Files from schemas/ compiled into the binary (see schemas/CMakeLists.txt).
#include <span>
#include <string_view>

namespace petitiond::schemas {

struct EmbeddedFile {
  std::string_view name;  // path relative to schemas/, e.g. "migrations/0001_baseline.sql"
  std::string_view content;
};

// The numbered SQL migrations, sorted by name.
std::span<const EmbeddedFile> migrations();

// The SQL functions and triggers (functions/*.sql), one file each, sorted by name.
std::span<const EmbeddedFile> functions();

// The demo data set (loaded only with --demo), sorted by name; each file is idempotent.
std::span<const EmbeddedFile> demo();

// The shipped working calendars (calendars/*.yaml): the national rest and make-up days by year, and
// working hours.
std::span<const EmbeddedFile> calendars();

// The shipped workflow definitions (workflows/*.yaml), one file per version.
std::span<const EmbeddedFile> workflows();

// The shipped routing tables (routing/*.yaml); default.yaml is used unless --routing names another.
std::span<const EmbeddedFile> routing();

// The notification message templates (notifications/messages.yaml).
std::span<const EmbeddedFile> notification_templates();

// openapi.yaml: the API description, served at /api/openapi.yaml.
std::span<const EmbeddedFile> api_documents();

}  // namespace petitiond::schemas
