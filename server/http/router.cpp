#include "server/http/router.hpp"

#include <stdexcept>

namespace petitiond::http {
namespace {

std::vector<std::string> split_pattern(const std::string& pattern) {
  if (pattern.empty() || pattern[0] != '/')
    throw std::invalid_argument("route pattern must start with '/': " + pattern);
  std::vector<std::string> segments;
  size_t start = 1;
  while (start <= pattern.size()) {
    size_t end = pattern.find('/', start);
    if (end == std::string::npos) end = pattern.size();
    segments.push_back(pattern.substr(start, end - start));
    start = end + 1;
  }
  if (segments.size() == 1 && segments[0].empty()) segments.clear();  // "/"
  for (const auto& s : segments) {
    bool capture = s.size() > 2 && s.front() == '{' && s.back() == '}';
    if (s.empty() || (!capture && (s.find('{') != std::string::npos || s.find('}') != std::string::npos)))
      throw std::invalid_argument("malformed route pattern: " + pattern);
  }
  return segments;
}

bool is_capture(const std::string& segment) { return segment.front() == '{'; }

bool matches(const Route& route, const std::vector<std::string>& segments,
             std::vector<std::pair<std::string, std::string>>* params) {
  if (route.segments.size() != segments.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    const auto& want = route.segments[i];
    if (is_capture(want)) {
      if (segments[i].empty()) return false;
      if (params) params->emplace_back(want.substr(1, want.size() - 2), segments[i]);
    } else if (want != segments[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

void Router::add(Verb method, std::string pattern, Access access, Handler handler, std::size_t body_limit) {
  auto segments = split_pattern(pattern);
  for (const auto& route : routes_)
    if (route.method == method && route.pattern == pattern)
      throw std::invalid_argument("route registered twice: " + pattern);
  routes_.push_back(
      {method, std::move(pattern), std::move(access), std::move(handler), std::move(segments), body_limit});
}

Router::Match Router::match(Verb method, const std::vector<std::string>& segments) const {
  // The most specific route wins: "/petitions/search" before "/petitions/{id}".
  auto literals = [](const Route& r) {
    size_t n = 0;
    for (const auto& s : r.segments) n += !is_capture(s);
    return n;
  };
  Match result;
  const Verb wanted = method == Verb::head ? Verb::get : method;
  for (const auto& route : routes_) {
    if (!matches(route, segments, nullptr)) continue;
    if (route.method != wanted) {
      result.allowed.push_back(route.method);
    } else if (!result.route || literals(route) > literals(*result.route)) {
      result.route = &route;
    }
  }
  if (result.route) {
    result.allowed.clear();
    matches(*result.route, segments, &result.params);
  }
  return result;
}

}  // namespace petitiond::http
