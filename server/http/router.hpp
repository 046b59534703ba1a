#pragma once
// Routes by method and path pattern ("/api/v1/petitions/{id}/events"). A path that matches no
// pattern is 404; a path that matches with another method is 405 with the allowed methods.
#include <string>
#include <vector>

#include "server/http/types.hpp"

namespace petitiond::http {

struct Route {
  Verb method;
  std::string pattern;
  Access access;
  Handler handler;
  std::vector<std::string> segments;  // pattern split on '/'; "{name}" segments capture
  std::size_t body_limit = 0;         // bytes; 0: the server's default
};

class Router {
 public:
  // Throws std::invalid_argument for a malformed pattern or a duplicate (method, pattern).
  void add(Verb method, std::string pattern, Access access, Handler handler, std::size_t body_limit = 0);

  struct Match {
    const Route* route = nullptr;  // set when found
    std::vector<std::pair<std::string, std::string>> params;
    std::vector<Verb> allowed;  // set when the path matched other methods only
  };
  // `segments` are the percent-decoded path segments. HEAD falls back to GET.
  Match match(Verb method, const std::vector<std::string>& segments) const;

  const std::vector<Route>& routes() const { return routes_; }

  // What answers a GET or HEAD outside /api/ that no route matches (the web app's files); none: 404.
  void set_fallback(Handler handler) { fallback_ = std::move(handler); }
  const Handler& fallback() const { return fallback_; }

 private:
  std::vector<Route> routes_;
  Handler fallback_;
};

}  // namespace petitiond::http
