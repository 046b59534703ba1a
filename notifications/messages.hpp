#pragma once
// Message texts: a template per topic and language (schemas/notifications/messages.yaml), with the
// message's values put in.
#include <boost/json/object.hpp>
#include <map>
#include <string>
#include <string_view>

namespace petitiond::notifications {

class MessageTexts {
 public:
  // Parses the template file; throws std::invalid_argument naming the problem.
  explicit MessageTexts(std::string_view yaml);
  static const MessageTexts& shipped();

  std::string render(const std::string& topic, const boost::json::object& values, const std::string& language) const;

 private:
  std::map<std::string, std::map<std::string, std::string>> templates_;  // topic -> language -> text
};

}  // namespace petitiond::notifications
