#include "server/http/static_files.hpp"

#include <fstream>
#include <map>
#include <optional>
#include <string_view>
#include <utility>
#include <sstream>

#include "server/http/response.hpp"
#include "core/error.hpp"

namespace petitiond::http {
namespace {

std::string_view content_type_of(const std::filesystem::path& file) {
  static const std::map<std::string, std::string_view> types{{".html", "text/html; charset=utf-8"},
                                                             {".js", "text/javascript; charset=utf-8"},
                                                             {".css", "text/css; charset=utf-8"},
                                                             {".svg", "image/svg+xml"},
                                                             {".png", "image/png"},
                                                             {".ico", "image/x-icon"},
                                                             {".json", "application/json"},
                                                             {".webmanifest", "application/manifest+json"},
                                                             {".woff2", "font/woff2"},
                                                             {".txt", "text/plain; charset=utf-8"},
                                                             {".map", "application/json"}};
  auto it = types.find(file.extension().string());
  return it == types.end() ? std::string_view("application/octet-stream") : it->second;
}

std::optional<std::string> read_file(const std::filesystem::path& file) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream body;
  body << in.rdbuf();
  return body.str();
}

// Whether Accept-Encoding admits `coding` (listed, or "*", with a q above 0).
bool accepts(std::string_view header, std::string_view coding) {
  std::optional<bool> named, any;
  while (!header.empty()) {
    auto comma = header.find(',');
    auto item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    auto semicolon = item.find(';');
    auto name = item.substr(0, semicolon);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    bool allowed = true;
    if (semicolon != std::string_view::npos) {
      auto parameter = item.substr(semicolon + 1);
      while (!parameter.empty() && parameter.front() == ' ') parameter.remove_prefix(1);
      if (parameter.starts_with("q=") || parameter.starts_with("Q=")) {
        auto q = parameter.substr(2);
        allowed = q.find_first_not_of("0. ") != std::string_view::npos;  // q=0, 0.0, 0.000: refused
      }
    }
    if (beast::iequals(name, coding)) named = allowed;
    else if (name == "*") any = allowed;
  }
  return named.value_or(any.value_or(false));
}

// The precompressed copy the client accepts (web-admin/precompress.mjs writes them), best first.
std::optional<std::pair<std::string, std::string>> precompressed(const std::filesystem::path& file,
                                                                 std::string_view accept_encoding) {
  for (const auto& [coding, suffix] : {std::pair{"br", ".br"}, std::pair{"gzip", ".gz"}}) {
    if (!accepts(accept_encoding, coding)) continue;
    if (auto body = read_file(file.string() + suffix)) return std::pair{std::string(coding), std::move(*body)};
  }
  return std::nullopt;
}

}  // namespace

Handler static_files(std::filesystem::path root) {
  return [root = std::move(root)](RequestContext& context) -> asio::awaitable<Response> {
    std::filesystem::path relative;
    bool has_extension = false;
    for (auto segment : context.url.segments()) {
      const std::string part(segment);
      if (part.empty() || part == "." || part == ".." || part.find_first_of("/\\") != std::string::npos ||
          part.find('\0') != std::string::npos)
        throw Error(Errc::not_found, "no such resource");
      relative /= part;
      has_extension = part.find('.') != std::string::npos;
    }
    auto file = root / relative;
    std::error_code error;
    const bool found = !relative.empty() && std::filesystem::is_regular_file(file, error);
    const bool asset = !relative.empty() && *relative.begin() == "assets";
    if (!found) {
      if (has_extension || asset) throw Error(Errc::not_found, "no such file");
      file = root / "index.html";  // one of the app's own pages
    }
    // One read per request: the compressed copy the client takes, or else the file itself.
    auto compressed = precompressed(file, context.request[beast::http::field::accept_encoding]);
    auto body = compressed ? std::optional(std::move(compressed->second)) : read_file(file);
    if (!body)
      throw Error(Errc::not_found, found ? "no such file" : "the web app is not built (npm run build in web-admin)");
    auto response = text_response(Status::ok, std::move(*body), content_type_of(file));
    if (compressed) response.set(beast::http::field::content_encoding, compressed->first);
    response.set(beast::http::field::vary, "Accept-Encoding");
    response.set(beast::http::field::cache_control, asset ? "public, max-age=31536000, immutable" : "no-cache");
    response.set("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                 "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'");
    co_return response;
  };
}

}  // namespace petitiond::http
