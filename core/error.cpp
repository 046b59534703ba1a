#include "core/error.hpp"

namespace petitiond {
namespace {

class DomainCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "petitiond"; }
  std::string message(int value) const override { return code_name(static_cast<Errc>(value)); }
};

}  // namespace

const std::error_category& domain_category() noexcept {
  static const DomainCategory category;
  return category;
}

std::error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), domain_category()}; }

const char* code_name(Errc e) noexcept {
  switch (e) {
    case Errc::invalid_field: return "invalid_field";
    case Errc::not_found: return "not_found";
    case Errc::conflict: return "conflict";
    case Errc::unauthorized: return "unauthorized";
    case Errc::forbidden: return "forbidden";
    case Errc::rate_limited: return "rate_limited";
    case Errc::unavailable: return "unavailable";
    case Errc::timeout: return "timeout";
    case Errc::insufficient_storage: return "insufficient_storage";
    case Errc::internal: return "internal";
  }
  return "internal";
}

}  // namespace petitiond
