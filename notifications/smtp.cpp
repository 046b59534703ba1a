#include "notifications/smtp.hpp"

#include <curl/curl.h>

#include <boost/json.hpp>
#include <ctime>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "server/auth/secrets.hpp"

namespace petitiond::notifications {
namespace json = boost::json;

namespace {

std::string text_member(const json::object& o, const char* name, bool required) {
  auto it = o.find(name);
  if (it == o.end() || it->value().is_null()) {
    if (required) throw std::invalid_argument(std::string("smtp: ") + name + " is missing");
    return "";
  }
  if (!it->value().is_string()) throw std::invalid_argument(std::string("smtp: ") + name + " must be text");
  return std::string(it->value().as_string());
}

bool plain_ascii(const std::string& text) {
  for (unsigned char c : text)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

// RFC 2047 encoded words of at most 45 bytes of UTF-8 each, never splitting a character.
std::string encoded_words(const std::string& text) {
  if (plain_ascii(text)) return text;
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = std::min(start + 45, text.size());
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + auth::base64(std::string_view(text).substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

std::string rfc5322_date(std::chrono::system_clock::time_point now) {
  const auto t = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &utc);
  return text;
}

bool header_safe(const std::string& value) { return value.find_first_of("\r\n") == std::string::npos; }

struct Upload {
  const std::string& data;
  std::size_t at = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const auto n = std::min(size * count, upload->data.size() - upload->at);
  std::copy_n(upload->data.data() + upload->at, n, buffer);
  upload->at += n;
  return n;
}

}  // namespace

SmtpSettings smtp_settings_from(const json::value& value) {
  if (!value.is_object()) throw std::invalid_argument("smtp: expected an object");
  const auto& o = value.as_object();
  SmtpSettings s;
  s.host = text_member(o, "host", true);
  if (auto it = o.find("port"); it != o.end()) {
    if (!it->value().is_int64() || it->value().as_int64() < 1 || it->value().as_int64() > 65535)
      throw std::invalid_argument("smtp: port must be a number from 1 to 65535");
    s.port = static_cast<int>(it->value().as_int64());
  }
  if (auto security = text_member(o, "security", false); !security.empty()) s.security = security;
  if (s.security != "starttls" && s.security != "tls" && s.security != "none")
    throw std::invalid_argument("smtp: security must be starttls, tls or none");
  s.username = text_member(o, "username", false);
  s.password = text_member(o, "password", false);
  s.from = text_member(o, "from", true);
  s.from_name = text_member(o, "from_name", false);
  s.ca_file = text_member(o, "ca_file", false);
  if (!header_safe(s.from) || !header_safe(s.from_name) || s.from.find('@') == std::string::npos)
    throw std::invalid_argument("smtp: from must be one e-mail address");
  return s;
}

std::string mime_message(const SmtpSettings& smtp, const Email& email, std::chrono::system_clock::time_point now) {
  const auto from =
      smtp.from_name.empty() ? "<" + smtp.from + ">" : encoded_words(smtp.from_name) + " <" + smtp.from + ">";
  std::string message = "Date: " + rfc5322_date(now) + "\r\n" + "From: " + from + "\r\n" + "To: <" + email.to +
                        ">\r\n" + "Subject: " + encoded_words(email.subject) + "\r\n" + "Message-ID: <" +
                        email.message_id + ">\r\n" + "MIME-Version: 1.0\r\n" +
                        "Content-Type: text/plain; charset=UTF-8\r\n" + "Content-Transfer-Encoding: base64\r\n\r\n";
  const auto body = auth::base64(email.text);
  for (std::size_t i = 0; i < body.size(); i += 76) message += body.substr(i, 76) + "\r\n";
  return message;
}

std::optional<std::string> send_email(const SmtpSettings& smtp, const Email& email, std::chrono::milliseconds timeout) {
  static std::once_flag initialised;
  std::call_once(initialised, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (!header_safe(email.to) || email.to.find('@') == std::string::npos) return "not an e-mail address";
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) return "cannot start an SMTP session";
  const auto url =
      std::string(smtp.security == "tls" ? "smtps://" : "smtp://") + smtp.host + ":" + std::to_string(smtp.port);
  const auto message = mime_message(smtp, email, std::chrono::system_clock::now());
  Upload upload{message};
  const auto sender = "<" + smtp.from + ">";
  const auto recipient = "<" + email.to + ">";
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipients(curl_slist_append(nullptr, recipient.c_str()),
                                                                         &curl_slist_free_all);
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  if (smtp.security == "starttls") curl_easy_setopt(curl.get(), CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!smtp.ca_file.empty()) curl_easy_setopt(curl.get(), CURLOPT_CAINFO, smtp.ca_file.c_str());
  if (!smtp.username.empty()) {
    curl_easy_setopt(curl.get(), CURLOPT_USERNAME, smtp.username.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_PASSWORD, smtp.password.c_str());
  }
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_FROM, sender.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(curl.get(), CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(curl.get(), CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl.get(), CURLOPT_INFILESIZE, static_cast<long>(message.size()));
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  if (auto code = curl_easy_perform(curl.get()); code != CURLE_OK) {
    long reply = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &reply);
    return "SMTP: " + std::string(curl_easy_strerror(code)) +
           (reply ? " (server replied " + std::to_string(reply) + ")" : "");
  }
  return std::nullopt;
}

}  // namespace petitiond::notifications
