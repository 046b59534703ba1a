#pragma once
// E-mail over SMTP (libcurl): STARTTLS (or implicit TLS) with the server's certificate checked, and
// authentication when a user name is set. Configured by the `smtp` setting:
//   {"host": "mail.example.cn", "port": 587, "security": "starttls" | "tls" | "none",
//    "username": "…", "password": "…", "from": "12385@example.cn", "from_name": "12385 热线",
//    "ca_file": "/path/to/ca.pem"}   (ca_file: trust this CA instead of the system's)
#include <boost/json/value.hpp>
#include <chrono>
#include <optional>
#include <string>

namespace petitiond::notifications {

struct SmtpSettings {
  std::string host;
  int port = 587;
  std::string security = "starttls";
  std::string username, password, from, from_name, ca_file;
};

struct Email {
  std::string to, subject, text, message_id;  // message_id without the angle brackets
};

// Reads the setting's value; throws std::invalid_argument naming the problem.
SmtpSettings smtp_settings_from(const boost::json::value& value);

// The message as sent: headers (subject and sender name as RFC 2047 encoded words) and a base64 UTF-8
// plain-text body, lines ending in CRLF.
std::string mime_message(const SmtpSettings& smtp, const Email& email, std::chrono::system_clock::time_point now);

// Sends one message; returns the error, or nothing when the server accepted it.
std::optional<std::string> send_email(const SmtpSettings& smtp, const Email& email, std::chrono::milliseconds timeout);

}  // namespace petitiond::notifications
