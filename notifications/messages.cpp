#include "notifications/messages.hpp"

#include <boost/json/serialize.hpp>
#include <yaml-cpp/yaml.h>

#include <stdexcept>

#include "schemas/embedded.hpp"

namespace petitiond::notifications {

MessageTexts::MessageTexts(std::string_view yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    throw std::invalid_argument(std::string("message templates: ") + e.what());
  }
  if (!root.IsMap()) throw std::invalid_argument("message templates: expected topics at the top level");
  for (const auto& topic : root) {
    for (const char* language : {"zh", "en"}) {
      if (!topic.second[language] || !topic.second[language].IsScalar())
        throw std::invalid_argument("message templates: topic '" + topic.first.as<std::string>() + "' has no " + language +
                                    " text");
      templates_[topic.first.as<std::string>()][language] = topic.second[language].as<std::string>();
    }
  }
  if (!templates_.count("default")) throw std::invalid_argument("message templates: no 'default' topic");
}

const MessageTexts& MessageTexts::shipped() {
  static const MessageTexts texts = [] {
    for (const auto& file : schemas::notification_templates())
      if (file.name.ends_with("messages.yaml")) return MessageTexts(file.content);
    throw std::runtime_error("no schemas/notifications/messages.yaml");
  }();
  return texts;
}

std::string MessageTexts::render(const std::string& topic, const boost::json::object& values,
                                 const std::string& language) const {
  auto found = templates_.find(topic);
  if (found == templates_.end()) found = templates_.find("default");
  const auto& text = found->second.at(language == "en" ? "en" : "zh");
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    auto close = text.find('}', i);
    if (text[i] == '{' && close != std::string::npos) {
      const auto name = text.substr(i + 1, close - i - 1);
      if (auto it = values.find(name); it != values.end())
        out += it->value().is_string() ? std::string(it->value().as_string()) : boost::json::serialize(it->value());
      i = close + 1;
    } else {
      out += text[i++];
    }
  }
  return out;
}

}  // namespace petitiond::notifications
