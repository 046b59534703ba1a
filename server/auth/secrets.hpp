#pragma once
// Password hashing (Argon2id, libsodium) and random secrets. Hashing is deliberately slow: call it
// through `offload` so it runs on the worker pool, never on a thread serving requests.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>
#include <string_view>

namespace petitiond::auth {

// libsodium's encoded Argon2id hash (salt and parameters included).
std::string hash_password(std::string_view password);
bool verify_password(std::string_view encoded_hash, std::string_view password);

// A valid hash of a random password, verified against when a login does not exist, so that the answer
// takes as long as for a real account.
const std::string& decoy_hash();

// 32 random bytes, base64url without padding (43 characters).
std::string random_token();
// A random password people can type: 16 characters from an unambiguous alphabet.
std::string random_password();
// SHA-256 of a token, as a PostgreSQL bytea literal ("\x…") for parameters.
std::string token_digest(std::string_view token);

// A password policy failure names the problem, or empty when acceptable.
std::string password_problem(std::string_view password);

template <typename F>
boost::asio::awaitable<std::invoke_result_t<F>> run_function(F f) {
  co_return f();
}

// Runs `f` on `pool` and resumes the caller on its own executor with the result.
template <typename F>
boost::asio::awaitable<std::invoke_result_t<F>> offload(boost::asio::thread_pool& pool, F f) {
  co_return co_await boost::asio::co_spawn(pool, run_function(std::move(f)), boost::asio::use_awaitable);
}

}  // namespace petitiond::auth
