#include "server/http/form_data.hpp"

#include <algorithm>
#include <cctype>

namespace petitiond::http {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> form_decoded(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// The value of parameter `name` in a header value such as `form-data; name="x"; filename="y"`.
std::optional<std::string> header_parameter(std::string_view header, std::string_view name) {
  std::size_t at = header.find(';');
  while (at != std::string_view::npos) {
    std::string_view rest = header.substr(at + 1);
    std::size_t end = 0;
    std::string_view key;
    std::string value;
    auto equals = rest.find('=');
    if (equals == std::string_view::npos) return std::nullopt;
    key = trimmed(rest.substr(0, equals));
    std::size_t i = equals + 1;
    while (i < rest.size() && rest[i] == ' ') ++i;
    if (i < rest.size() && rest[i] == '"') {
      for (++i; i < rest.size() && rest[i] != '"'; ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
        value += rest[i];
      }
      end = rest.find(';', i);
    } else {
      end = rest.find(';', i);
      value = std::string(trimmed(rest.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i)));
    }
    if (lower(key) == name) return value;
    if (end == std::string_view::npos) return std::nullopt;
    at = at + 1 + end;
  }
  return std::nullopt;
}

// One part: its header lines, a blank line, its content.
std::optional<FormField> multipart_part(std::string_view part) {
  auto blank = part.find("\r\n\r\n");
  std::size_t skip = 4;
  if (part.starts_with("\r\n")) blank = 0, skip = 2;  // a part without headers
  if (blank == std::string_view::npos) return std::nullopt;
  std::string_view headers = part.substr(0, blank);
  FormField field;
  field.value = std::string(part.substr(blank + skip));
  bool named = false;
  while (!headers.empty()) {
    auto eol = headers.find("\r\n");
    std::string_view line = headers.substr(0, eol);
    headers = eol == std::string_view::npos ? std::string_view{} : headers.substr(eol + 2);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const auto header = lower(trimmed(line.substr(0, colon)));
    const auto value = trimmed(line.substr(colon + 1));
    if (header == "content-disposition") {
      if (auto name = header_parameter(value, "name")) field.name = *name, named = true;
      field.file_name = header_parameter(value, "filename");
    } else if (header == "content-type") {
      field.content_type = std::string(value);
    }
  }
  if (!named) return std::nullopt;
  return field;
}

}  // namespace

std::string media_type(std::string_view content_type) {
  return lower(trimmed(content_type.substr(0, content_type.find(';'))));
}

std::optional<FormFields> urlencoded_fields(std::string_view text) {
  FormFields fields;
  while (!text.empty()) {
    auto amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view{} : text.substr(amp + 1);
    if (pair.empty()) continue;
    auto equals = pair.find('=');
    auto name = form_decoded(pair.substr(0, equals));
    auto value =
        equals == std::string_view::npos ? std::optional<std::string>("") : form_decoded(pair.substr(equals + 1));
    if (!name || !value) return std::nullopt;
    fields.push_back({std::move(*name), std::move(*value), std::nullopt, std::nullopt});
  }
  return fields;
}

std::optional<FormFields> multipart_fields(std::string_view body, std::string_view content_type) {
  auto boundary = header_parameter(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 70) return std::nullopt;
  const std::string delimiter = "--" + *boundary;
  auto at = body.starts_with(delimiter) ? 0 : body.find("\r\n" + delimiter);
  if (at == std::string_view::npos) return std::nullopt;
  at += at == 0 ? delimiter.size() : delimiter.size() + 2;
  FormFields fields;
  const std::string next = "\r\n" + delimiter;
  while (true) {
    if (body.substr(at).starts_with("--")) return fields;  // the closing delimiter
    // The rest of the delimiter line (transport padding), then the part up to the next delimiter.
    auto eol = body.find("\r\n", at);
    if (eol == std::string_view::npos) return std::nullopt;
    auto end = body.find(next, eol);
    if (end == std::string_view::npos) return std::nullopt;
    auto field = multipart_part(body.substr(eol + 2, end - eol - 2));
    if (!field) return std::nullopt;
    fields.push_back(std::move(*field));
    at = end + next.size();
  }
}

std::optional<FormFields> form_body(const Request& request) {
  const auto content_type = request[beast::http::field::content_type];
  const auto type = media_type(content_type);
  if (type == "application/x-www-form-urlencoded") return urlencoded_fields(request.body());
  if (type == "multipart/form-data") return multipart_fields(request.body(), content_type);
  return std::nullopt;
}

}  // namespace petitiond::http
