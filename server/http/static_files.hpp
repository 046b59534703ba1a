#pragma once
// The web app's built files (web-admin/dist): served for GET and HEAD paths no API route matches. Hashed
// assets under /assets/ are cached for a year; every other path without a file is the app's own route and
// gets index.html, which the browser revalidates each time.
#include <filesystem>

#include "server/http/types.hpp"

namespace petitiond::http {

Handler static_files(std::filesystem::path root);

}  // namespace petitiond::http
