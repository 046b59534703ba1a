#pragma once
#include <filesystem>
#include <string>

namespace petitiond::test {

// 16 random hex digits, for names that must not collide between test processes.
std::string random_suffix();

// A unique scratch directory under /tmp (reachable by the postgres account), removed on destruction.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& prefix = "petitiond-test");
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace petitiond::test
