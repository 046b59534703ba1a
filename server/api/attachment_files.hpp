#pragma once
// Attachment files on disk, named by their SHA-256. A write is durable before it returns (temporary file,
// fsync, rename, fsync of the directory) and leaves no temporary file behind when it fails; failures are
// domain errors that say what the disk said: full (insufficient_storage), not writable (unavailable).
#include <filesystem>
#include <string>
#include <string_view>

namespace petitiond::api {

std::filesystem::path attachment_path(const std::filesystem::path& dir, const std::string& sha256);

// Stores `data` at `target` unless a file of that content (its name is the checksum) is there already.
void store_attachment_file(const std::filesystem::path& target, std::string_view data);

// Why files cannot be written under `dir` now, or empty when they can (for /readyz).
std::string attachment_dir_problem(const std::filesystem::path& dir);

}  // namespace petitiond::api
