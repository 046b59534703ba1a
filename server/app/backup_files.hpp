#pragma once
// Files copied for a backup or a restore: each written under a temporary name, synced and renamed, so a copy
// interrupted at any point leaves nothing that looks whole; attachments checked against their SHA-256 names.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace petitiond::app {

// Copies `from` to `to` durably and returns the SHA-256 (hex) of the bytes copied.
std::string copy_file_durably(const std::filesystem::path& from, const std::filesystem::path& to);

// `contents` written to `file` under a temporary name, synced and renamed.
void write_file_durably(const std::filesystem::path& file, const std::string& contents);

// fsync of a directory, so that the names made in it survive a crash.
void sync_directory(const std::filesystem::path& dir);

// A directory tree copied durably (a restored PostgreSQL data directory), directories made owner-only.
void copy_tree_durably(const std::filesystem::path& from, const std::filesystem::path& to);

struct AttachmentCopy {
  std::map<std::string, std::int64_t> files;  // relative path ("ab/ab…") → size
  std::int64_t bytes = 0;
};

// Copies the attachment store (DIR/ab/<sha256>) file by file, skipping those already in `copied` and
// temporary files; each copy must hash to its name, or the copy stops with the file named.
void copy_attachments(const std::filesystem::path& from, const std::filesystem::path& to, AttachmentCopy& copied);

// "<sha256>  <relative path>" lines (sha256sum's format) for `copied`, written durably to `file`.
void write_attachment_list(const std::filesystem::path& file, const AttachmentCopy& copied);

// Restores attachments listed in `list` (as write_attachment_list wrote it) from `from` to `to`, checking
// every file against its digest; returns how many. Throws naming the first file missing or different.
std::int64_t restore_attachments(const std::filesystem::path& list, const std::filesystem::path& from,
                                 const std::filesystem::path& to);

}  // namespace petitiond::app
