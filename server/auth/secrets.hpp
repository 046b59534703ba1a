#pragma once
// Password hashing (Argon2id, libsodium) and random secrets. Hashing is deliberately slow: request
// handlers use the *_on variants, which run it on the worker pool, never on a thread serving requests.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
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
// `count` characters drawn uniformly from `alphabet` by libsodium's generator.
std::string random_characters(std::string_view alphabet, int count);
// SHA-256 as 64 lower-case hex digits.
std::string sha256_hex(std::string_view data);
// HMAC-SHA256 of `data` under `key`, in lowercase hex (webhook signatures).
std::string hmac_sha256_hex(std::string_view key, std::string_view data);
// Standard base64 with padding (MIME bodies and encoded words).
std::string base64(std::string_view data);
// Compares secrets in time independent of where they differ.
bool equal_secrets(std::string_view a, std::string_view b);
// SHA-256 of a token, as a PostgreSQL bytea literal ("\x…") for parameters.
std::string token_digest(std::string_view token);

// A password policy failure names the problem, or empty when acceptable.
std::string password_problem(std::string_view password);

// The slow calls above, run on `workers` so the request threads stay free. Plain functions, not
// coroutines taking lambdas: GCC 12 frees a capturing lambda twice when it is built in a co_await
// expression, so the lambdas are made here, outside any.
boost::asio::awaitable<std::string> hash_password_on(boost::asio::thread_pool& workers, std::string password);
boost::asio::awaitable<bool> verify_password_on(boost::asio::thread_pool& workers, std::string encoded_hash,
                                                std::string password);

}  // namespace petitiond::auth
