// Attachments: the request body is the file. It is checked against its declared type, written under its
// SHA-256 (temporary file, fsync, rename) on the worker pool, and only then recorded, so an acknowledged
// attachment is on disk.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <set>
#include <boost/json/array.hpp>
#include <boost/url/pct_string_view.hpp>
#include <fstream>
#include <sstream>

#include "server/api/attachment_files.hpp"
#include "server/api/routes.hpp"
#include "server/auth/secrets.hpp"
#include "server/http/json_input.hpp"
#include "server/http/protocol_error.hpp"
#include "server/http/response.hpp"

namespace petitiond::api {
namespace json = boost::json;
namespace fs = std::filesystem;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

struct FileType {
  const char* content_type;
  std::string_view magic;  // the first bytes every such file starts with; empty: checked otherwise
};

// What petitioners and handlers attach: scans, photos, call recordings, documents.
constexpr FileType allowed_types[] = {
    {"application/pdf", "%PDF-"},
    {"image/jpeg", "\xFF\xD8\xFF"},
    {"image/png", "\x89PNG\r\n\x1A\n"},
    {"audio/mpeg", ""},
    {"audio/wav", "RIFF"},
    {"audio/amr", "#!AMR"},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "PK\x03\x04"},
    {"text/plain", ""},
};

std::string checked_content_type(const http::Request& request) {
  std::string type(request[http::beast::http::field::content_type]);
  auto semicolon = type.find(';');
  if (semicolon != std::string::npos) type.resize(semicolon);
  const auto& body = request.body();
  for (const auto& allowed : allowed_types) {
    if (type != allowed.content_type) continue;
    bool fits = body.compare(0, allowed.magic.size(), allowed.magic) == 0;
    if (type == "audio/mpeg")
      fits = body.starts_with("ID3") || (body.size() > 1 && static_cast<unsigned char>(body[0]) == 0xFF &&
                                         (static_cast<unsigned char>(body[1]) & 0xE0) == 0xE0);
    if (type == "audio/wav") fits = body.size() > 12 && body.compare(8, 4, "WAVE") == 0 && fits;
    if (type == "text/plain") fits = http::valid_utf8(body);
    if (!fits) throw Error(Errc::invalid_field, "the file's content is not " + type, "Content-Type");
    return type;
  }
  throw http::ProtocolError(
      http::Status::unsupported_media_type,
      "attach PDF, JPEG, PNG, MP3, WAV, AMR, DOCX or plain text (Content-Type " + type + " is not accepted)");
}

std::string checked_file_name(const RequestContext& context) {
  auto name = http::query_param(context, "name");
  if (!name) throw Error(Errc::invalid_field, "is required: the file's name", "name");
  if (http::utf8_length(*name) > 200) throw Error(Errc::invalid_field, "must be at most 200 characters", "name");
  for (unsigned char c : *name)
    if (c < 0x20 || c == '/' || c == '\\') throw Error(Errc::invalid_field, "must be a plain file name", "name");
  return *name;
}

awaitable<void> store_file(fs::path target, std::string data) {
  store_attachment_file(target, data);
  co_return;
}

// Types a browser shows without running anything of the file's (with nosniff, a file that only claims to be
// one of them is not shown as anything else): these may be previewed in the page.
bool previewable(const std::string& content_type) {
  static const std::set<std::string> types{"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"};
  return types.count(content_type) > 0;
}

json::value attachment_view(std::int64_t petition_id, const store::Attachment& a) {
  return json::object{
      {"id", a.id},
      {"file_name", a.file_name},
      {"content_type", a.content_type},
      {"size", a.size},
      {"sha256", a.sha256},
      {"uploaded_at", a.uploaded_at},
      {"uploaded_by", a.uploaded_by ? json::value(*a.uploaded_by) : json::value(nullptr)},
      {"url", "/api/v1/petitions/" + std::to_string(petition_id) + "/attachments/" + std::to_string(a.id)},
      {"previewable", previewable(a.content_type)}};
}

// The request's file, checked against its name and type and written durably under its checksum: what to record.
awaitable<store::Attachment> written_file(Services& services, RequestContext& context) {
  const auto& body = context.request.body();
  if (body.empty()) throw Error(Errc::invalid_field, "the request body is the file, and it is empty", "body");
  store::Attachment attachment;
  attachment.file_name = checked_file_name(context);
  attachment.content_type = checked_content_type(context.request);
  attachment.size = static_cast<std::int64_t>(body.size());
  attachment.sha256 = auth::sha256_hex(body);
  auto task = store_file(attachment_path(services.attachment_dir, attachment.sha256), body);
  co_await boost::asio::co_spawn(services.workers, std::move(task), boost::asio::use_awaitable);
  co_return attachment;
}

awaitable<Response> upload(Services& services, RequestContext& context) {
  const auto id = http::path_id(context, "petition_id");
  // Jurisdiction first: nothing is checked or written for a petition the user cannot see.
  if (!co_await services.petitions.find(actor_of(context), id)) throw Error(Errc::not_found, "no such petition");
  auto attachment = co_await written_file(services, context);
  auto [stored, created] = co_await services.petitions.add_attachment(actor_of(context), id, std::move(attachment));
  co_return http::json_response(created ? http::Status::created : http::Status::ok, attachment_view(id, stored));
}

// A file attached on the portal to the petition just submitted, with the token the submission answered with.
awaitable<Response> portal_upload(Services& services, RequestContext& context) {
  const std::string token(context.param("upload_token"));
  if (token.size() > 100) throw Error(Errc::not_found, "this upload link has expired or its files are used up");
  // The token first: nothing is checked or written for a link that no longer takes files.
  if (!co_await services.petitions.upload_token_petition(token))
    throw Error(Errc::not_found, "this upload link has expired or its files are used up");
  auto attachment = co_await written_file(services, context);
  auto [stored, created] = co_await services.petitions.add_portal_attachment(token, std::move(attachment));
  // The petitioner learns only what they sent: no address to fetch it from, no petition id.
  co_return http::json_response(created ? http::Status::created : http::Status::ok,
                                {{"file_name", stored.file_name}, {"size", stored.size}, {"sha256", stored.sha256}});
}

awaitable<Response> list(Services& services, RequestContext& context) {
  const auto id = http::path_id(context, "petition_id");
  auto attachments = co_await services.petitions.attachments(actor_of(context), id);
  json::array items;
  for (const auto& a : attachments) items.push_back(attachment_view(id, a));
  co_return http::json_response(http::Status::ok, {{"attachments", std::move(items)}});
}

awaitable<Response> download(Services& services, RequestContext& context) {
  const auto id = http::path_id(context, "petition_id");
  auto attachment =
      co_await services.petitions.attachment(actor_of(context), id, http::path_id(context, "attachment_id"));
  if (!attachment) throw Error(Errc::not_found, "no such attachment");
  std::ifstream file(attachment_path(services.attachment_dir, attachment->sha256), std::ios::binary);
  if (!file) throw Error(Errc::internal, "the attachment's file is missing from the attachment directory");
  std::ostringstream content;
  content << file.rdbuf();
  auto response = http::text_response(http::Status::ok, content.str(), attachment->content_type);
  std::string encoded;
  for (unsigned char c : attachment->file_name) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_') encoded += static_cast<char>(c);
    else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      encoded += hex;
    }
  }
  // ?inline=1 shows a previewable file in the browser; anything else is always a download.
  const bool shown = http::query_param(context, "inline") == "1" && previewable(attachment->content_type);
  response.set(http::beast::http::field::content_disposition,
               std::string(shown ? "inline" : "attachment") + "; filename*=UTF-8''" + encoded);
  if (shown) response.set("Content-Security-Policy", "default-src 'none'; img-src 'self'; object-src 'self'; sandbox");
  co_return response;
}

}  // namespace

void add_attachment_routes(http::Router& router, Services& services) {
  using http::Access;
  using http::Verb;
  router.add(
      Verb::post, "/api/v1/petitions/{petition_id}/attachments", Access::users(),
      [&services](RequestContext& c) { return upload(services, c); }, services.attachment_limit);
  router.add(
      Verb::post, "/api/v1/portal/attachments/{upload_token}", Access::anyone(),
      [&services](RequestContext& c) { return portal_upload(services, c); }, services.attachment_limit);
  router.add(Verb::get, "/api/v1/petitions/{petition_id}/attachments", Access::users(),
             [&services](RequestContext& c) { return list(services, c); });
  router.add(Verb::get, "/api/v1/petitions/{petition_id}/attachments/{attachment_id}", Access::users(),
             [&services](RequestContext& c) { return download(services, c); });
}

}  // namespace petitiond::api
