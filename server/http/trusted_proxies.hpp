#pragma once
// Which client a request is from when it comes through the district's reverse proxies: the socket's peer,
// unless that peer is a proxy the admin trusts (setting `http.trusted_proxies`), in which case X-Forwarded-For
// is read from the right, skipping trusted proxies, and the first address that is not one is the client.
// Anything to the left of it was written by the client and is never believed. Changed live by the admin.
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace petitiond::http {

using IpNetwork = std::variant<boost::asio::ip::network_v4, boost::asio::ip::network_v6>;

// An address ("10.0.0.5", "::1") or a CIDR block ("10.0.0.0/8"); throws std::invalid_argument naming the entry.
IpNetwork parse_network(const std::string& entry);

class TrustedProxies {
 public:
  void set(std::vector<IpNetwork> networks);
  bool trusts(const std::string& address) const;
  std::string client_address(const std::string& peer, std::string_view forwarded_for) const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const std::vector<IpNetwork>> networks_ = std::make_shared<const std::vector<IpNetwork>>();
};

}  // namespace petitiond::http
