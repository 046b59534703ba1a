#include "server/api/receipt.hpp"

#include "server/api/petition_input.hpp"
#include "workflow/masking.hpp"

namespace petitiond::api {
namespace {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

const char* channel_label(const std::string& channel) {
  if (channel == "hotline") return "12385 热线来电";
  if (channel == "web") return "网上信访";
  if (channel == "walk_in") return "来访";
  return "来信";
}

// "2026-02-28T09:30:00+08:00" as people read it: "2026年2月28日 09:30".
std::string for_people(const std::string& iso) {
  auto parsed = parse_timestamp(iso);
  return parsed ? workflow::format_time_zh(workflow::Instant(std::chrono::seconds(*parsed))) : iso;
}

std::string row(const char* label, std::string_view value) {
  return "<tr><th scope=\"row\">" + std::string(label) + "</th><td>" + html_escape(value) + "</td></tr>\n";
}

}  // namespace

std::string receipt_html(const store::Petition& p, const workflow::Definition& definition,
                         const workflow::Calendar& calendar) {
  std::string acceptance_due;
  for (const auto& clock : p.workflow_state.clocks)
    if (clock.name == "acceptance_notice")
      if (auto deadline = workflow::deadline_of(clock, calendar))
        acceptance_due = workflow::format_date_zh(workflow::deadline_day(*deadline));
  const auto* state = definition.state(p.state);
  std::string name = p.anonymous ? "（匿名）" : p.petitioner.name.value_or("（未留姓名）");
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>信访事项受理回执 " +
      html_escape(p.tracking_code) +
      "</title>\n"
      "<style>body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",sans-serif;max-width:42em;margin:2em auto;"
      "font-size:16px;line-height:1.6}h1{text-align:center;font-size:1.5em}table{width:100%;border-collapse:collapse}"
      "th,td{border:1px solid #333;padding:.4em "
      ".6em;text-align:left;vertical-align:top}th{width:9em;background:#f2f2f2}"
      ".code{font-size:1.4em;font-weight:bold;letter-spacing:.1em}.seal{margin-top:3em;text-align:right}"
      "@media print{body{margin:0}}</style>\n</head>\n<body>\n<main>\n"
      "<h1>" +
      html_escape(p.intake_unit.name) +
      "<br>信访事项受理回执</h1>\n"
      "<p>查询编号：<span class=\"code\">" +
      html_escape(p.tracking_code) + "</span></p>\n<table>\n";
  html += row("信访人", name);
  if (p.proxy_name || p.proxy_user_name) html += row("代理人", p.proxy_name ? *p.proxy_name : *p.proxy_user_name);
  if (p.group_size > 1) html += row("来访人数", std::to_string(p.group_size) + " 人");
  const auto received = for_people(p.received_at);
  html += row("收到时间", received);
  html += row("登记渠道", channel_label(p.channel));
  html += row("事项", p.subject);
  html += row("当前状态", state ? state->label.zh : p.state);
  if (!acceptance_due.empty()) html += row("受理告知", "我们将于 " + acceptance_due + "（含当日）内告知是否受理。");
  html +=
      "</table>\n"
      "<p>查询办理进度：登录网上信访平台，输入查询编号和您预留电话号码的后四位；或拨打 12385 服务热线。"
      "依《信访工作条例》，对答复意见不服的，可自收到书面答复之日起 30 日内请求复查。</p>\n"
      "<p class=\"seal\">" +
      html_escape(p.intake_unit.name) + "（盖章）<br>" + received.substr(0, received.find(' ')) +
      "</p>\n</main>\n</body>\n</html>\n";
  return html;
}

}  // namespace petitiond::api
