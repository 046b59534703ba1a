#include "notifications/http_post.hpp"

#include <curl/curl.h>
#include <sys/socket.h>

#include "notifications/address_policy.hpp"

#include <memory>
#include <mutex>

namespace petitiond::notifications {
namespace {

std::size_t keep_some(char* data, std::size_t size, std::size_t count, void* out) {
  auto* body = static_cast<std::string*>(out);
  const auto bytes = size * count;
  if (body->size() < 4096) body->append(data, std::min(bytes, 4096 - body->size()));
  return bytes;
}

struct SocketGate {
  bool public_only = false;
  bool refused = false;
};

curl_socket_t open_socket(void* data, curlsocktype, curl_sockaddr* address) {
  auto* gate = static_cast<SocketGate*>(data);
  if (gate->public_only && is_private_address(&address->addr)) {
    gate->refused = true;
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

}  // namespace

HttpPostResult http_post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                         const std::string& body, std::chrono::milliseconds timeout, bool public_only) {
  static std::once_flag initialised;
  std::call_once(initialised, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  HttpPostResult result;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) {
    result.error = "cannot start an HTTP request";
    return result;
  }
  curl_slist* list = nullptr;
  for (const auto& [name, value] : headers) list = curl_slist_append(list, (name + ": " + value).c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(list, &curl_slist_free_all);
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, keep_some);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &result.body);
  SocketGate gate{public_only};
  curl_easy_setopt(curl.get(), CURLOPT_OPENSOCKETFUNCTION, open_socket);
  curl_easy_setopt(curl.get(), CURLOPT_OPENSOCKETDATA, &gate);
  if (auto code = curl_easy_perform(curl.get()); code != CURLE_OK) {
    result.error = gate.refused ? "refused: the target's address is on this machine or a private network"
                                : curl_easy_strerror(code);
    return result;
  }
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &result.status);
  return result;
}

}  // namespace petitiond::notifications
