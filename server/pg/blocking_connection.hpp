#pragma once
// A plain blocking libpq connection, for start-up work done before any request is served (migrations,
// creating the database, demo data) and for tools. Never used on a request path.
#include <libpq-fe.h>

#include <memory>
#include <string>
#include <vector>

#include "server/pg/result.hpp"

namespace petitiond::pg {

class BlockingConnection {
 public:
  // Throws Error(unavailable) with libpq's reason when the connection fails.
  explicit BlockingConnection(const std::string& url);

  // Runs SQL (several statements allowed when there are no parameters). Throws Error(internal) with
  // the server's primary message and, for scripts, the character position of the failure.
  Result exec(const std::string& sql, const std::vector<std::string>& params = {});

  // Quotes an identifier (for the few statements that cannot take parameters, e.g. CREATE DATABASE).
  std::string quote_identifier(const std::string& name);

  PGconn* raw() const { return conn_.get(); }

 private:
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
};

}  // namespace petitiond::pg
