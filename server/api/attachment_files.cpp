#include "server/api/attachment_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "server/auth/secrets.hpp"
#include "core/error.hpp"

namespace petitiond::api {
namespace fs = std::filesystem;

namespace {

// A failed system call as the domain error its cause calls for; the OS reason goes with the message,
// which the error mapper logs and keeps from the client.
[[noreturn]] void fail(const char* what, const fs::path& path, int error) {
  const auto detail = std::string(what) + " " + path.string() + ": " + std::strerror(error);
  if (error == ENOSPC || error == EDQUOT)
    throw Error(Errc::insufficient_storage, "the attachment disk is full: " + detail);
  if (error == EROFS || error == EACCES || error == EPERM)
    throw Error(Errc::unavailable, "the attachment directory cannot be written: " + detail);
  throw Error(Errc::internal, "cannot store the attachment: " + detail);
}

// Removes the temporary file unless released: whatever fails after it was created.
class TemporaryFile {
 public:
  explicit TemporaryFile(fs::path path) : path_(std::move(path)) {}
  ~TemporaryFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  const fs::path& path() const { return path_; }
  void release() { path_.clear(); }

 private:
  fs::path path_;
};

void write_all(int fd, std::string_view data, const fs::path& path) {
  std::size_t written = 0;
  while (written < data.size()) {
    auto n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : ENOSPC;
      ::close(fd);
      fail("cannot write", path, error);
    }
    written += static_cast<std::size_t>(n);
  }
}

}  // namespace

fs::path attachment_path(const fs::path& dir, const std::string& sha256) { return dir / sha256.substr(0, 2) / sha256; }

void store_attachment_file(const fs::path& target, std::string_view data) {
  std::error_code ec;
  if (fs::exists(target, ec)) return;
  fs::create_directories(target.parent_path(), ec);
  if (ec) fail("cannot create", target.parent_path(), ec.value());
  auto name = target;
  name += ".tmp-" + auth::random_token();
  int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) fail("cannot create", name, errno);
  TemporaryFile temporary(name);
  write_all(fd, data, name);
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    fail("cannot sync", name, error);
  }
  if (::close(fd) != 0) fail("cannot close", name, errno);
  if (::rename(name.c_str(), target.c_str()) != 0) fail("cannot rename", name, errno);
  temporary.release();
  int dir = ::open(target.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

std::string attachment_dir_problem(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return "cannot create " + dir.string() + ": " + ec.message();
  if (::access(dir.c_str(), W_OK | X_OK) != 0) return dir.string() + " is not writable: " + std::strerror(errno);
  // access() says yes to root on a directory whose mode says no, but not on a read-only file system;
  // a real file settles both.
  auto probe = dir / (".probe-" + auth::random_token());
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot create a file in " + dir.string() + ": " + std::strerror(errno);
  ::close(fd);
  ::unlink(probe.c_str());
  return {};
}

}  // namespace petitiond::api
