#include "tests/support/scratch_dir.hpp"

#include <sodium.h>

#include <cstdlib>

namespace petitiond::test {
namespace fs = std::filesystem;

std::string random_suffix() {
  if (sodium_init() < 0) std::abort();
  char hex[17];
  unsigned char bytes[8];
  randombytes_buf(bytes, sizeof bytes);
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return hex;
}

ScratchDir::ScratchDir(const std::string& prefix) : path_(fs::path("/tmp") / (prefix + "-" + random_suffix())) {
  fs::create_directories(path_);
  // Searchable by others: the postgres account must reach clusters made inside it.
  fs::permissions(path_, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

}  // namespace petitiond::test
