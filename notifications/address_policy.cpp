#include "notifications/address_policy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <boost/url/parse.hpp>
#include <cstring>

namespace petitiond::notifications {
namespace {

bool private_v4(std::uint32_t host_order) {
  auto in = [host_order](std::uint32_t network, int bits) {
    const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
    return (host_order & mask) == network;
  };
  return in(0x00000000, 8) || in(0x0A000000, 8) || in(0x64400000, 10) || in(0x7F000000, 8) || in(0xA9FE0000, 16) ||
         in(0xAC100000, 12) || in(0xC0A80000, 16) || in(0xE0000000, 4) || host_order == 0xFFFFFFFF;
}

bool private_v6(const in6_addr& a) {
  const auto* b = a.s6_addr;
  static const unsigned char zero[16] = {};
  if (std::memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1)) return true;  // :: and ::1
  if (IN6_IS_ADDR_V4MAPPED(&a)) {
    std::uint32_t v4;
    std::memcpy(&v4, b + 12, 4);
    return private_v4(ntohl(v4));
  }
  return (b[0] & 0xFE) == 0xFC                       // fc00::/7 unique local
         || (b[0] == 0xFE && (b[1] & 0xC0) == 0x80)  // fe80::/10 link-local
         || b[0] == 0xFF;                            // multicast
}

}  // namespace

bool is_private_address(const sockaddr* address) {
  if (address->sa_family == AF_INET)
    return private_v4(ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr));
  if (address->sa_family == AF_INET6) return private_v6(reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr);
  return true;  // anything else (a Unix socket) is this machine
}

bool is_private_address_text(std::string_view text) {
  std::string copy(text);
  in_addr v4{};
  if (::inet_pton(AF_INET, copy.c_str(), &v4) == 1) return private_v4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (::inet_pton(AF_INET6, copy.c_str(), &v6) == 1) return private_v6(v6);
  return false;
}

std::string webhook_target_problem(std::string_view url, bool allow_private) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") || parsed->host().empty())
    return "must be an http:// or https:// URL with a host";
  if (allow_private) return {};
  std::string host = parsed->host_address();
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (host == "localhost" || host.ends_with(".localhost") || is_private_address_text(host))
    return "points at this machine or a private network; the administrator allows that with --webhooks-allow-private";
  return {};
}

}  // namespace petitiond::notifications
