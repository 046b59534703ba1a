#include "notifications/dispatcher.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <cmath>
#include <random>

#include "notifications/http_post.hpp"
#include "notifications/messages.hpp"
#include "notifications/sms.hpp"
#include "notifications/smtp.hpp"
#include "workflow/satisfaction_reply.hpp"
#include "server/auth/secrets.hpp"
#include "server/logging/log.hpp"

namespace petitiond::notifications {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

struct Delivery {
  std::int64_t id = 0, outbox_id = 0;
  std::string recipient, channel, address, language, topic;
  std::optional<std::int64_t> user_id, petition_id;
  json::object payload;
  int attempts = 0;
  std::string secret;       // webhooks
  RenderedMessage message;  // SMS, e-mail and in-app
};

struct Outcome {
  std::int64_t id = 0;
  bool sent = false;
  std::string error;
  int attempts = 0;        // with this one
  bool permanent = false;  // no retry can succeed: dead at once
};

std::string idempotency_key(const Delivery& d) {
  return "petitiond-" + std::to_string(d.outbox_id) + "-" + d.recipient + "-" + d.channel;
}

// The channels' settings, read each pass so that an admin's change applies at once.
struct ChannelSettings {
  std::optional<SmsGateway> sms;
  std::optional<SmtpSettings> smtp;
  std::string smtp_problem = "no SMTP server is configured (setting smtp)";
};

ChannelSettings settings_from(const pg::Result& result) {
  ChannelSettings settings;
  for (int row = 0; row < result.rows(); ++row) {
    const std::string key(result.text(row, 0));
    auto value = json::parse(std::string(result.text(row, 1)));
    if (key == "sms.gateway") {
      try {
        settings.sms = sms_gateway_from(value);
      } catch (const std::invalid_argument&) {
        // no gateway: SMS deliveries fail with that reason
      }
    } else if (key == "smtp") {
      try {
        settings.smtp = smtp_settings_from(value);
      } catch (const std::invalid_argument& e) {
        settings.smtp_problem = e.what();
      }
    }
  }
  return settings;
}

Outcome deliver_sms(const Delivery& d, const std::optional<SmsGateway>& gateway, std::chrono::milliseconds timeout) {
  if (!gateway) return {d.id, false, "no SMS gateway is configured (setting sms.gateway)", d.attempts};
  auto error = send_sms(*gateway, d.address, d.message.text, idempotency_key(d), timeout);
  return {d.id, !error, error.value_or(""), d.attempts, error == not_a_mobile_number};
}

Outcome send_webhook(const Delivery& d, std::chrono::milliseconds timeout, bool allow_private) {
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  const auto timestamp = std::to_string(now.count());
  const auto body = json::serialize(json::object{{"id", idempotency_key(d)}, {"topic", d.topic}, {"data", d.payload}});
  // The receiver recomputes HMAC-SHA256(secret, timestamp + "." + body) and rejects old timestamps.
  const auto signature = auth::hmac_sha256_hex(d.secret, timestamp + "." + body);
  auto result = http_post(d.address,
                          {{"Content-Type", "application/json"},
                           {"X-Petitiond-Delivery", idempotency_key(d)},
                           {"X-Petitiond-Timestamp", timestamp},
                           {"X-Petitiond-Signature", "sha256=" + signature}},
                          body, timeout, !allow_private);
  if (!result.error.empty()) return {d.id, false, "webhook: " + result.error, d.attempts};
  if (result.status < 200 || result.status >= 300)
    return {d.id, false, "webhook answered " + std::to_string(result.status), d.attempts};
  return {d.id, true, "", d.attempts};
}

Outcome send_mail(const Delivery& d, const ChannelSettings& settings, std::chrono::milliseconds timeout) {
  if (!settings.smtp) return {d.id, false, settings.smtp_problem, d.attempts};
  auto error = send_email(*settings.smtp,
                          {d.address, d.message.subject, d.message.text, idempotency_key(d) + "@petitiond"}, timeout);
  return {d.id, !error, error.value_or(""), d.attempts};
}

// The network sends of a claimed batch, one after another, on a worker thread.
asio::awaitable<std::vector<Outcome>> send_all(std::vector<Delivery> deliveries, ChannelSettings settings,
                                               std::chrono::milliseconds timeout, bool webhooks_allow_private) {
  std::vector<Outcome> outcomes;
  for (const auto& d : deliveries) {
    try {
      outcomes.push_back(d.channel == "sms"     ? deliver_sms(d, settings.sms, timeout)
                         : d.channel == "email" ? send_mail(d, settings, timeout)
                                                : send_webhook(d, timeout, webhooks_allow_private));
    } catch (const std::exception& e) {
      outcomes.push_back({d.id, false, e.what(), d.attempts});
    }
  }
  co_return outcomes;
}

}  // namespace

Dispatcher::Dispatcher(asio::io_context& io, pg::Pool& pool, asio::thread_pool& workers, MessageTemplates& templates,
                       DispatcherOptions options)
    : strand_(asio::make_strand(io)),
      timer_(strand_),
      pool_(pool),
      workers_(workers),
      templates_(templates),
      options_(options) {}

void Dispatcher::start() {
  if (options_.interval.count() > 0) asio::co_spawn(strand_, run(), asio::detached);
}

void Dispatcher::stop() {
  stopping_ = true;
  asio::post(strand_, [this] { timer_.cancel(); });
}

asio::awaitable<void> Dispatcher::run() {
  while (!stopping_) {
    int attempted = 0;
    try {
      attempted = co_await pass();
    } catch (const std::exception& e) {
      spdlog::warn("notification dispatcher: {}; trying again", e.what());
    }
    if (attempted >= options_.batch) continue;  // more may be waiting
    timer_.expires_after(options_.interval);
    boost::system::error_code ignored;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

asio::awaitable<int> Dispatcher::pass() {
  const auto texts = templates_.current();
  pg::Batch claim;
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(options_.clock().time_since_epoch()).count();
  claim.add(
      // {"hour": null} turns the digests off; with no setting at all they go at 08:00.
      {"SELECT queue_daily_digests(to_timestamp($1), coalesce((SELECT CASE WHEN jsonb_typeof(value->'hour') = 'number'"
       " THEN (value->>'hour')::int ELSE -1 END FROM settings WHERE key = 'digest'), 8))",
       static_cast<std::int64_t>(now)});
  claim.add({"SELECT expand_outbox($1, $2::text[])", options_.batch, pg::words_literal(texts->urgent_topics())});
  const auto due = claim.add(pg::Statement(
      // Only channels that can deliver now: the others wait, unattempted, for an admin to set them up.
      "WITH due AS (SELECT id FROM notification_deliveries WHERE state = 'pending' AND next_attempt_at <= now()"
      "  AND channel = ANY (configured_channels()) ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)"
      " UPDATE notification_deliveries d SET attempts = d.attempts + 1,"
      "   next_attempt_at = now() + make_interval(secs => $2)"
      " FROM due WHERE d.id = due.id"
      " RETURNING d.id, d.outbox_id, d.recipient, d.user_id, d.channel, coalesce(d.address, ''), d.language, d.topic,"
      "   d.payload::text, d.attempts,"
      "   coalesce((SELECT w.secret FROM webhooks w WHERE d.recipient = 'webhook:' || w.id), ''),"
      "   (SELECT o.petition_id FROM outbox o WHERE o.id = d.outbox_id)",
      options_.batch, static_cast<std::int64_t>(options_.lease.count())));
  const auto channels = claim.add("SELECT key, value::text FROM settings WHERE key IN ('sms.gateway', 'smtp')");
  auto claimed = co_await pool_.run(std::move(claim));
  const auto& rows = claimed[due];
  if (rows.rows() == 0) co_return 0;

  std::vector<Delivery> network;
  std::vector<Outcome> outcomes;
  json::array in_app;
  for (int row = 0; row < rows.rows(); ++row) {
    Delivery d;
    d.id = rows.integer(row, 0);
    d.outbox_id = rows.integer(row, 1);
    d.recipient = rows.text(row, 2);
    if (!rows.is_null(row, 3)) d.user_id = rows.integer(row, 3);
    d.channel = rows.text(row, 4);
    d.address = rows.text(row, 5);
    d.language = rows.text(row, 6);
    d.topic = rows.text(row, 7);
    d.payload = json::parse(std::string(rows.text(row, 8))).as_object();
    d.attempts = static_cast<int>(rows.integer(row, 9));
    d.secret = rows.text(row, 10);
    if (!rows.is_null(row, 11)) d.petition_id = rows.integer(row, 11);
    if (d.channel != "webhook") {
      const auto readers = d.recipient.starts_with("petitioner:") ? Readers::petitioner : Readers::staff;
      // Only a text message can be answered by a text message (docs/telephony.md, "SMS replies").
      if (d.channel == "sms" && readers == Readers::petitioner)
        d.payload["rate_by_text"] = workflow::satisfaction_invitation(d.language);
      d.message = texts->render(d.topic, readers, d.payload, d.language, *templates_.labels());
    }
    if (d.channel == "in_app" && d.user_id) {
      // Sent by the NOTIFY written with the outcome, in the same transaction.
      in_app.push_back(json::object{
          {"user_id", *d.user_id},
          {"event", "notification"},
          {"data", json::object{{"id", idempotency_key(d)},
                                {"delivery_id", d.id},
                                {"petition_id", d.petition_id ? json::value(*d.petition_id) : json::value(nullptr)},
                                {"topic", d.topic},
                                {"title", d.message.subject},
                                {"text", d.message.text},
                                {"values", d.payload}}}});
      outcomes.push_back({d.id, true, "", d.attempts});
    } else {
      network.push_back(std::move(d));
    }
  }
  if (!network.empty()) {
    auto task = send_all(std::move(network), settings_from(claimed[channels]), options_.send_timeout,
                         options_.webhooks_allow_private);
    auto sent = co_await asio::co_spawn(workers_, std::move(task), asio::use_awaitable);
    outcomes.insert(outcomes.end(), sent.begin(), sent.end());
  }

  // Failures wait first_retry × 2^(attempts − 1), at most an hour, times a random 0.5–1.5.
  thread_local std::mt19937 random{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  json::array results;
  int failed = 0;
  for (const auto& o : outcomes) {
    double delay = 0;
    if (!o.sent) {
      ++failed;
      delay = std::min(3600.0, static_cast<double>(options_.first_retry.count()) * std::pow(2.0, o.attempts - 1)) *
              jitter(random);
    }
    results.push_back(
        json::object{{"id", o.id}, {"sent", o.sent}, {"error", o.error}, {"delay", delay}, {"permanent", o.permanent}});
  }
  std::vector<pg::Statement> record;
  record.emplace_back(
      "UPDATE notification_deliveries d SET"
      " state = CASE WHEN r.sent THEN 'sent' WHEN d.attempts >= $2 OR r.permanent THEN 'dead' ELSE 'pending' END,"
      " sent_at = CASE WHEN r.sent THEN now() END, last_error = nullif(r.error, ''),"
      " next_attempt_at = CASE WHEN r.sent THEN d.next_attempt_at ELSE now() + make_interval(secs => r.delay) END"
      " FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, sent boolean, error text, delay float8, permanent boolean)"
      " WHERE d.id = r.id",
      json::serialize(results), options_.max_attempts);
  if (!in_app.empty()) {
    const auto messages = json::serialize(in_app);
    // Kept as shown, for the reader's list behind the bell.
    record.emplace_back(
        "UPDATE notification_deliveries d SET title = e->'data'->>'title', text = e->'data'->>'text'"
        " FROM jsonb_array_elements($1::jsonb) AS e WHERE d.id = (e->'data'->>'delivery_id')::bigint",
        messages);
    record.emplace_back("SELECT pg_notify('" + std::string(user_event_channel) +
                            "', e::text)"
                            " FROM jsonb_array_elements($1::jsonb) AS e",
                        messages);
  }
  co_await pool_.run(std::move(record));
  if (failed > 0)
    spdlog::warn("notification dispatcher: {} of {} deliveries failed; they will be retried", failed, outcomes.size());
  co_return static_cast<int>(outcomes.size());
}

}  // namespace petitiond::notifications
