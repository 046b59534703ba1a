#include "server/app/backup_files.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace petitiond::app {
namespace fs = std::filesystem;
namespace {

[[noreturn]] void fail(const std::string& what, const fs::path& path, int error) {
  throw Error(Errc::internal, what + " " + path.string() + ": " + std::strerror(error));
}

class Descriptor {
 public:
  Descriptor(const fs::path& path, int flags, mode_t mode = 0) : fd_(::open(path.c_str(), flags | O_CLOEXEC, mode)) {
    if (fd_ < 0) fail("cannot open", path, errno);
  }
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }
  void close(const fs::path& path) {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("cannot close", path, errno);
  }

 private:
  int fd_;
};

std::string hex(const unsigned char* bytes, std::size_t size) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

bool is_digest_name(const std::string& name) {
  return name.size() == 64 && name.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

std::string copy_file_durably(const fs::path& from, const fs::path& to) {
  if (sodium_init() < 0) throw Error(Errc::internal, "libsodium cannot start");
  auto scratch = to;
  scratch += ".partial";
  Descriptor in(from, O_RDONLY);
  struct stat info {};
  if (::fstat(in.get(), &info) != 0) fail("cannot read", from, errno);
  Descriptor out(scratch, O_WRONLY | O_CREAT | O_TRUNC, info.st_mode & 0777);
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::array<unsigned char, 1 << 16> buffer;
  while (true) {
    const auto got = ::read(in.get(), buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) fail("cannot read", from, errno);
    if (got == 0) break;
    crypto_hash_sha256_update(&state, buffer.data(), static_cast<unsigned long long>(got));
    for (ssize_t done = 0; done < got;) {
      const auto wrote = ::write(out.get(), buffer.data() + done, static_cast<std::size_t>(got - done));
      if (wrote < 0 && errno == EINTR) continue;
      if (wrote < 0) fail("cannot write", scratch, errno);
      done += wrote;
    }
  }
  if (::fsync(out.get()) != 0) fail("cannot sync", scratch, errno);
  out.close(scratch);
  if (::rename(scratch.c_str(), to.c_str()) != 0) fail("cannot rename", scratch, errno);
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest;
  crypto_hash_sha256_final(&state, digest.data());
  return hex(digest.data(), digest.size());
}

void sync_directory(const fs::path& dir) {
  Descriptor fd(dir, O_RDONLY | O_DIRECTORY);
  if (::fsync(fd.get()) != 0) fail("cannot sync", dir, errno);
}

void copy_tree_durably(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  fs::permissions(to, fs::perms::owner_all);
  for (const auto& entry : fs::directory_iterator(from)) {
    const auto target = to / entry.path().filename();
    if (entry.is_symlink()) fs::copy_symlink(entry.path(), target);
    else if (entry.is_directory()) copy_tree_durably(entry.path(), target);
    else if (entry.is_regular_file()) copy_file_durably(entry.path(), target);
  }
  sync_directory(to);
}

void copy_attachments(const fs::path& from, const fs::path& to, AttachmentCopy& copied) {
  std::error_code ec;
  if (!fs::is_directory(from, ec)) return;  // no attachment yet
  for (const auto& shard : fs::directory_iterator(from)) {
    if (!shard.is_directory()) continue;
    bool made = false;
    for (const auto& entry : fs::directory_iterator(shard.path())) {
      const auto name = entry.path().filename().string();
      if (!entry.is_regular_file() || !is_digest_name(name)) continue;  // a file still being written
      const auto relative = (shard.path().filename() / name).string();
      if (copied.files.count(relative)) continue;
      if (!made) fs::create_directories(to / shard.path().filename());
      made = true;
      const auto digest = copy_file_durably(entry.path(), to / relative);
      if (digest != name)
        throw Error(Errc::internal, "the attachment " + entry.path().string() + " does not match its checksum (" +
                                        digest + "): the store is damaged; the backup stops");
      const auto size = static_cast<std::int64_t>(fs::file_size(to / relative));
      copied.files.emplace(relative, size);
      copied.bytes += size;
    }
    if (made) sync_directory(to / shard.path().filename());
  }
  if (fs::exists(to)) sync_directory(to);
}

void write_file_durably(const fs::path& file, const std::string& contents) {
  auto scratch = file;
  scratch += ".partial";
  {
    Descriptor out(scratch, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    for (std::size_t done = 0; done < contents.size();) {
      const auto wrote = ::write(out.get(), contents.data() + done, contents.size() - done);
      if (wrote < 0 && errno == EINTR) continue;
      if (wrote < 0) fail("cannot write", scratch, errno);
      done += static_cast<std::size_t>(wrote);
    }
    if (::fsync(out.get()) != 0) fail("cannot sync", scratch, errno);
    out.close(scratch);
  }
  if (::rename(scratch.c_str(), file.c_str()) != 0) fail("cannot rename", scratch, errno);
}

void write_attachment_list(const fs::path& file, const AttachmentCopy& copied) {
  std::string lines;
  for (const auto& [relative, size] : copied.files)
    lines += fs::path(relative).filename().string() + "  " + relative + "\n";
  write_file_durably(file, lines);
}

std::int64_t restore_attachments(const fs::path& list, const fs::path& from, const fs::path& to) {
  std::ifstream in(list);
  if (!in) throw Error(Errc::invalid_field, "the backup has no attachment list " + list.string(), "from");
  std::string line;
  std::int64_t count = 0;
  fs::create_directories(to);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto gap = line.find("  ");
    if (gap != 64)
      throw Error(Errc::invalid_field, "a line of " + list.string() + " is not '<sha256>  <path>'", "from");
    const auto digest = line.substr(0, 64);
    const auto relative = line.substr(gap + 2);
    if (relative.find("..") != std::string::npos || relative.starts_with("/"))
      throw Error(Errc::invalid_field, "a path outside the backup in " + list.string() + ": " + relative, "from");
    const auto source = from / relative;
    if (!fs::exists(source))
      throw Error(Errc::invalid_field, "the backup lacks the attachment " + source.string(), "from");
    fs::create_directories((to / relative).parent_path());
    if (copy_file_durably(source, to / relative) != digest) {
      fs::remove(to / relative);
      throw Error(Errc::invalid_field, "the attachment " + source.string() + " in the backup is damaged", "from");
    }
    ++count;
  }
  for (const auto& shard : fs::directory_iterator(to))
    if (shard.is_directory()) sync_directory(shard.path());
  sync_directory(to);
  return count;
}

}  // namespace petitiond::app
