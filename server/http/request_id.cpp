#include "server/http/request_id.hpp"

#include <sodium.h>

#include <atomic>
#include <cstdint>
#include <cstdio>

namespace petitiond::http {
namespace {

std::uint32_t process_prefix() {
  static const std::uint32_t prefix = [] {
    if (sodium_init() < 0) return 0u;
    return randombytes_random();
  }();
  return prefix;
}

}  // namespace

std::string next_request_id() {
  static std::atomic<std::uint32_t> counter{0};
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%08x%08x", process_prefix(), counter.fetch_add(1, std::memory_order_relaxed));
  return buffer;
}

bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

}  // namespace petitiond::http
