#include "server/http/trusted_proxies.hpp"

#include <boost/asio/ip/address.hpp>
#include <optional>
#include <stdexcept>

namespace petitiond::http {
namespace ip = boost::asio::ip;

namespace {

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

// IPv4 peers of a dual-stack socket arrive as ::ffff:a.b.c.d.
std::optional<ip::address> address_of(const std::string& text) {
  boost::system::error_code ec;
  auto address = ip::make_address(text, ec);
  if (ec) return std::nullopt;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  return address;
}

bool contains(const IpNetwork& network, const ip::address& address) {
  if (const auto* v4 = std::get_if<ip::network_v4>(&network)) {
    if (!address.is_v4()) return false;
    const ip::network_v4 host(address.to_v4(), 32);
    return host == *v4 || host.is_subnet_of(*v4);
  }
  const auto& v6 = std::get<ip::network_v6>(network);
  if (!address.is_v6()) return false;
  const ip::network_v6 host(address.to_v6(), 128);
  return host == v6 || host.is_subnet_of(v6);
}

}  // namespace

IpNetwork parse_network(const std::string& entry) {
  const auto slash = entry.find('/');
  const auto address = address_of(entry.substr(0, slash));
  if (!address) throw std::invalid_argument(entry + " is no IP address");
  int bits = address->is_v4() ? 32 : 128;
  if (slash != std::string::npos) {
    const auto suffix = entry.substr(slash + 1);
    if (suffix.empty() || suffix.size() > 3 || suffix.find_first_not_of("0123456789") != std::string::npos)
      throw std::invalid_argument(entry + " has no valid prefix length");
    bits = std::stoi(suffix);
    if (bits > (address->is_v4() ? 32 : 128)) throw std::invalid_argument(entry + " has no valid prefix length");
  }
  if (address->is_v4()) {
    const ip::network_v4 network(address->to_v4(), static_cast<unsigned short>(bits));
    if (network.network() != address->to_v4())
      throw std::invalid_argument(entry + " has host bits set; write " + network.canonical().to_string());
    return network;
  }
  const ip::network_v6 network(address->to_v6(), static_cast<unsigned short>(bits));
  if (network.network() != address->to_v6())
    throw std::invalid_argument(entry + " has host bits set; write " + network.canonical().to_string());
  return network;
}

void TrustedProxies::set(std::vector<IpNetwork> networks) {
  auto fresh = std::make_shared<const std::vector<IpNetwork>>(std::move(networks));
  std::lock_guard lock(mutex_);
  networks_ = std::move(fresh);
}

bool TrustedProxies::trusts(const std::string& text) const {
  std::shared_ptr<const std::vector<IpNetwork>> networks;
  {
    std::lock_guard lock(mutex_);
    networks = networks_;
  }
  const auto address = address_of(text);
  if (!address) return false;
  for (const auto& network : *networks)
    if (contains(network, *address)) return true;
  return false;
}

std::string TrustedProxies::client_address(const std::string& peer, std::string_view forwarded_for) const {
  if (forwarded_for.empty() || !trusts(peer)) return peer;
  std::string client = peer;
  // From the right: each hop appended the address it saw; stop at the first one we do not trust.
  for (;;) {
    const auto comma = forwarded_for.rfind(',');
    const auto hop = trimmed(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    const auto address = address_of(hop);
    if (!address) return client;  // a malformed hop: believe nothing further left
    client = address->to_string();
    if (!trusts(client) || comma == std::string_view::npos) return client;
    forwarded_for = forwarded_for.substr(0, comma);
  }
}

}  // namespace petitiond::http
