#include "server/pg/blocking_connection.hpp"

#include "core/error.hpp"

namespace petitiond::pg {

BlockingConnection::BlockingConnection(const std::string& url) : conn_(PQconnectdb(url.c_str()), &PQfinish) {
  if (PQstatus(conn_.get()) != CONNECTION_OK)
    throw Error(Errc::unavailable, "cannot connect to the database: " + std::string(PQerrorMessage(conn_.get())));
  exec("SET client_min_messages = warning");
}

Result BlockingConnection::exec(const std::string& sql, const std::vector<std::string>& params) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p.c_str());
  Result result(params.empty() ? PQexec(conn_.get(), sql.c_str())
                               : PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                                              values.data(), nullptr, nullptr, 0));
  auto status = PQresultStatus(result.raw());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    const char* primary = result.raw() ? PQresultErrorField(result.raw(), PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    const char* position = result.raw() ? PQresultErrorField(result.raw(), PG_DIAG_STATEMENT_POSITION) : nullptr;
    std::string message = primary ? primary : PQerrorMessage(conn_.get());
    if (position) message += " (at character " + std::string(position) + ")";
    throw Error(Errc::internal, message);
  }
  return result;
}

std::string BlockingConnection::quote_identifier(const std::string& name) {
  std::unique_ptr<char, decltype(&PQfreemem)> quoted(PQescapeIdentifier(conn_.get(), name.c_str(), name.size()),
                                                     &PQfreemem);
  if (!quoted) throw Error(Errc::internal, PQerrorMessage(conn_.get()));
  return quoted.get();
}

}  // namespace petitiond::pg
