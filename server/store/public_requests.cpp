#include "server/store/public_requests.hpp"

#include "server/store/petition_rows.hpp"

namespace petitiond::store {

std::string publicly_listed(const std::string& p) {
  return "(" + p + ".channel = 'web' AND " + p + ".type NOT IN ('complaint', 'report') AND cardinality(" + p +
         ".complained_unit_ids) = 0)";
}

boost::asio::awaitable<std::vector<PublicRequest>> PublicRequestStore::find(PublicRequestQuery query) {
  const std::string select =
      "SELECT p.tracking_code, p.category, p.type, p.state, p.workflow, p.content, p.workflow_version, u.name,"
      " iso_local(p.received_at), iso_local(greatest(p.updated_at, p.received_at)), iso_local(p.closed_at),"
      " iso_local(p.due_at)"
      " FROM petitions p LEFT JOIN units u ON u.id = p.responsible_unit_id WHERE " +
      publicly_listed("p");
  const std::string order = " ORDER BY p.received_at DESC, p.id DESC LIMIT $";
  // By ids the other filters do not apply (the spec's rule).
  auto statement = !query.tracking_codes.empty()
                       ? pg::Statement(select + " AND p.tracking_code = ANY ($1::text[])" + order + "2",
                                       pg::words_literal(query.tracking_codes), query.limit)
                       : pg::Statement(select +
                                           " AND ($1::text IS NULL OR p.category = $1)"
                                           " AND p.received_at >= to_timestamp($2) AND p.received_at < to_timestamp($3)"
                                           " AND ($4::boolean IS NULL OR (p.closed_at IS NOT NULL) = $4)" +
                                           order + "5",
                                       query.category, query.from, query.until, query.closed, query.limit);
  pg::Batch batch;
  batch.add(take_rate_token("lookups", 30, "lookup:" + query.address));
  auto found = batch.add(std::move(statement));
  const auto results = co_await pool_.run(std::move(batch));
  const auto& result = results[found];
  std::vector<PublicRequest> requests;
  for (int row = 0; row < result.rows(); ++row) {
    PublicRequest r;
    r.tracking_code = result.text(row, 0);
    r.category = result.text(row, 1);
    r.type = result.text(row, 2);
    r.state = result.text(row, 3);
    r.workflow = result.text(row, 4);
    r.content = result.text(row, 5);
    r.workflow_version = static_cast<int>(result.integer(row, 6));
    r.agency = result.optional_text(row, 7);
    r.received_at = result.text(row, 8);
    r.updated_at = result.text(row, 9);
    r.closed_at = result.optional_text(row, 10);
    r.due_at = result.optional_text(row, 11);
    requests.push_back(std::move(r));
  }
  co_return requests;
}

}  // namespace petitiond::store
