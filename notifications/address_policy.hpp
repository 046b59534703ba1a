#pragma once
// Where webhooks may post: not to this machine, its link-local neighbours or private networks (a webhook
// must not become a way to reach the database host or a cloud metadata service), unless the server's
// administrator allows private targets (--webhooks-allow-private) for an intranet deployment.
#include <string>
#include <string_view>
#include <sys/socket.h>

namespace petitiond::notifications {

// True for loopback, unspecified, link-local, private (RFC 1918, unique local), shared (100.64/10) and
// multicast addresses, IPv4-mapped IPv6 included.
bool is_private_address(const sockaddr* address);
// The same for an address written as text; false when `text` is not an IP address.
bool is_private_address_text(std::string_view text);

// Why a webhook may not post to `url` (an IP literal or localhost that is private), or empty. Host names
// are checked again on each delivery, on the address they resolve to then.
std::string webhook_target_problem(std::string_view url, bool allow_private);

}  // namespace petitiond::notifications
