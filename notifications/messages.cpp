#include "notifications/messages.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "schemas/embedded.hpp"

namespace petitiond::notifications {

namespace {

std::invalid_argument problem(const std::string& topic, const std::string& what) {
  return std::invalid_argument("message templates: topic '" + topic + "': " + what);
}

void check_placeholders(const std::string& topic, const std::string& text) {
  for (auto open = text.find('{'); open != std::string::npos; open = text.find('{', open + 1)) {
    const auto close = text.find('}', open);
    if (close == std::string::npos) throw problem(topic, "a '{' without its '}'");
    const auto name = text.substr(open + 1, close - open - 1);
    if (!MessageTexts::placeholders().count(name)) throw problem(topic, "unknown placeholder {" + name + "}");
  }
}

std::optional<MessageTexts::Texts> texts_of(const std::string& topic, const YAML::Node& node, const char* part,
                                            bool partial) {
  if (!node[part]) return std::nullopt;
  const auto& texts = node[part];
  if (!texts.IsMap()) throw problem(topic, std::string(part) + " must have zh and en texts");
  MessageTexts::Texts out;
  for (const auto& entry : texts) {
    const auto language = entry.first.as<std::string>();
    if (language != "zh" && language != "en")
      throw problem(topic, std::string(part) + ": no language '" + language + "'");
    if (!entry.second.IsScalar()) throw problem(topic, std::string(part) + "." + language + " must be text");
  }
  for (const char* language : {"zh", "en"}) {
    if (!texts[language]) {
      if (partial) continue;
      throw problem(topic, std::string(part) + " has no " + language + " text");
    }
    auto text = texts[language].as<std::string>();
    if (text.empty()) throw problem(topic, std::string(part) + "." + language + " is empty");
    check_placeholders(topic, text);
    (std::string(language) == "zh" ? out.zh : out.en) = std::move(text);
  }
  return out;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A part laid over another: each language the change has replaces the base's.
std::optional<MessageTexts::Texts> over(const std::optional<MessageTexts::Texts>& base,
                                        const std::optional<MessageTexts::Texts>& change) {
  if (!change) return base;
  auto out = base.value_or(MessageTexts::Texts{});
  if (!change->zh.empty()) out.zh = change->zh;
  if (!change->en.empty()) out.en = change->en;
  return out;
}

}  // namespace

const std::set<std::string>& MessageTexts::placeholders() {
  static const std::set<std::string> names{
      "tracking_code", "state",        "clock",           "due_at",         "reason",
      "days",          "by",           "subject",         "petitioner",     "date",
      "overdue_count", "overdue_list", "escalated_count", "escalated_list", "rate_by_text"};
  return names;
}

std::map<std::string, MessageTexts::Topic> MessageTexts::parse(std::string_view yaml, bool partial) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    throw std::invalid_argument(std::string("message templates: ") + e.what());
  }
  if (root.IsNull()) return {};
  if (!root.IsMap()) throw std::invalid_argument("message templates: expected topics at the top level");
  std::map<std::string, Topic> topics;
  for (const auto& entry : root) {
    const auto name = entry.first.as<std::string>();
    const auto& node = entry.second;
    if (!node.IsMap()) throw problem(name, "expected subject, petitioner, staff or urgent");
    for (const auto& key : node) {
      const auto k = key.first.as<std::string>();
      if (k != "subject" && k != "petitioner" && k != "staff" && k != "urgent")
        throw problem(name, "unknown key '" + k + "' (subject, petitioner, staff, urgent)");
    }
    Topic topic;
    try {
      if (node["urgent"]) topic.urgent = node["urgent"].as<bool>();
    } catch (const YAML::Exception&) {
      throw problem(name, "urgent must be true or false");
    }
    topic.subject = texts_of(name, node, "subject", partial);
    topic.petitioner = texts_of(name, node, "petitioner", partial);
    topic.staff = texts_of(name, node, "staff", partial);
    if (!partial && !topic.subject) throw problem(name, "has no subject");
    if (!partial && !topic.petitioner && !topic.staff) throw problem(name, "has no petitioner or staff text");
    topics.emplace(name, std::move(topic));
  }
  if (!partial) {
    auto found = topics.find("default");
    if (found == topics.end() || !found->second.petitioner || !found->second.staff)
      throw std::invalid_argument("message templates: no 'default' topic with petitioner and staff texts");
  }
  return topics;
}

MessageTexts MessageTexts::shipped() {
  static const std::map<std::string, Topic> topics = [] {
    for (const auto& file : schemas::notification_templates())
      if (file.name.ends_with("messages.yaml")) return parse(file.content, false);
    throw std::runtime_error("no schemas/notifications/messages.yaml");
  }();
  return MessageTexts(topics);
}

MessageTexts MessageTexts::overlaid(const std::map<std::string, Topic>& changes) const {
  auto topics = topics_;
  for (const auto& [name, change] : changes) {
    auto& topic = topics[name];
    if (change.urgent) topic.urgent = change.urgent;
    topic.subject = over(topic.subject, change.subject);
    topic.petitioner = over(topic.petitioner, change.petitioner);
    topic.staff = over(topic.staff, change.staff);
  }
  return MessageTexts(std::move(topics));
}

RenderedMessage MessageTexts::render(const std::string& topic, Readers readers, const boost::json::object& values,
                                     const std::string& language, const Labels& labels) const {
  const auto& fallback = topics_.at("default");
  auto found = topics_.find(topic);
  const auto& chosen = found == topics_.end() ? fallback : found->second;
  auto pick = [&](const std::optional<Texts>& own, const std::optional<Texts>& other) -> const Texts& {
    const auto& texts = own ? *own : *other;
    return texts;
  };
  const bool english = language == "en";
  auto fill = [&](const Texts& texts) {
    const auto& text = english && !texts.en.empty() ? texts.en : texts.zh;
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
      auto close = text.find('}', i);
      if (text[i] == '{' && close != std::string::npos) {
        const auto name = text.substr(i + 1, close - i - 1);
        if (auto it = values.find(name); it != values.end()) {
          auto value =
              it->value().is_string() ? std::string(it->value().as_string()) : boost::json::serialize(it->value());
          if (auto label = labels.find(name + ":" + value); label != labels.end())
            value = english ? label->second.en : label->second.zh;
          out += value;
        }
        i = close + 1;
      } else {
        out += text[i++];
      }
    }
    return out;
  };
  const auto& body = readers == Readers::petitioner ? pick(chosen.petitioner, fallback.petitioner)
                                                    : pick(chosen.staff, fallback.staff);
  return {fill(pick(chosen.subject, fallback.subject)), fill(body)};
}

std::vector<std::string> MessageTexts::urgent_topics() const {
  std::vector<std::string> urgent;
  for (const auto& [name, topic] : topics_)
    if (topic.urgent.value_or(false)) urgent.push_back(name);
  return urgent;
}

MessageTemplates::MessageTemplates(std::optional<std::filesystem::path> overrides, MessageTexts::Labels labels)
    : overrides_(std::move(overrides)),
      labels_(std::make_shared<const MessageTexts::Labels>(std::move(labels))),
      texts_(std::make_shared<const MessageTexts>(MessageTexts::shipped())) {
  // A bad file at start-up is the admin's mistake to hear of at once.
  if (overrides_) {
    file_changes_ = MessageTexts::parse(read_file(*overrides_), true);
    loaded_at_ = std::filesystem::last_write_time(*overrides_);
    compose();
  }
}

void MessageTemplates::compose() {
  auto texts = MessageTexts::shipped().overlaid(file_changes_);
  if (stored_changes_) texts = texts.overlaid(*stored_changes_);
  texts_ = std::make_shared<const MessageTexts>(std::move(texts));
}

void MessageTemplates::set_stored(std::optional<std::map<std::string, MessageTexts::Topic>> changes) {
  std::lock_guard lock(mutex_);
  stored_changes_ = std::move(changes);
  compose();
}

std::shared_ptr<const MessageTexts> MessageTemplates::current() {
  std::lock_guard lock(mutex_);
  if (overrides_) {
    std::error_code error;
    const auto changed = std::filesystem::last_write_time(*overrides_, error);
    if (!error && changed != loaded_at_) {
      loaded_at_ = changed;
      try {
        file_changes_ = MessageTexts::parse(read_file(*overrides_), true);
        compose();
        spdlog::info("message templates read again from {}", overrides_->string());
      } catch (const std::exception& e) {
        spdlog::error("{}; the templates in force stay as they were", e.what());
      }
    }
  }
  return texts_;
}

RenderedMessage MessageTemplates::render(const std::string& topic, Readers readers, const boost::json::object& values,
                                         const std::string& language) {
  return current()->render(topic, readers, values, language, *labels());
}

std::shared_ptr<const MessageTexts::Labels> MessageTemplates::labels() const {
  std::lock_guard lock(mutex_);
  return labels_;
}

void MessageTemplates::set_labels(MessageTexts::Labels labels) {
  auto fresh = std::make_shared<const MessageTexts::Labels>(std::move(labels));
  std::lock_guard lock(mutex_);
  labels_ = std::move(fresh);
}

}  // namespace petitiond::notifications
