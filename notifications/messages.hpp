#pragma once
// Message texts: per topic an e-mail subject and a text for petitioners and/or staff, in zh and en
// (schemas/notifications/messages.yaml), with the message's values put in. An admin's file laid over the
// shipped one replaces the topics it names; it is read again whenever it changes.
#include <boost/json/object.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace petitiond::notifications {

struct RenderedMessage {
  std::string subject, text;
};

// Who a text is for: petitioners read their own matter's news, staff their work (with masked data).
enum class Readers { petitioner, staff };

class MessageTexts {
 public:
  struct Texts {
    std::string zh, en;
  };
  struct Topic {
    std::optional<bool> urgent;  // unset in an admin's file: as shipped
    std::optional<Texts> subject, petitioner, staff;
  };

  // Parses a template file; throws std::invalid_argument naming the topic and the problem (an unknown
  // placeholder, a missing language, a stray key). `partial`: topics may leave parts to the shipped file.
  static std::map<std::string, Topic> parse(std::string_view yaml, bool partial);
  static const std::set<std::string>& placeholders();

  static MessageTexts shipped();
  // The shipped texts with these topics laid over them, part by part.
  MessageTexts overlaid(const std::map<std::string, Topic>& changes) const;

  // Labels of workflow names in messages, keyed "state:replied", "clock:handling".
  using Labels = std::map<std::string, Texts>;

  RenderedMessage render(const std::string& topic, Readers readers, const boost::json::object& values,
                         const std::string& language, const Labels& labels = {}) const;
  std::vector<std::string> urgent_topics() const;
  const std::map<std::string, Topic>& topics() const { return topics_; }

 private:
  explicit MessageTexts(std::map<std::string, Topic> topics) : topics_(std::move(topics)) {}
  std::map<std::string, Topic> topics_;
};

// The texts in force: the shipped ones, with the admin's file over them, and over that the version an admin
// saved in the app. A file that no longer parses is reported and the last good texts stay in force.
class MessageTemplates {
 public:
  MessageTemplates(std::optional<std::filesystem::path> overrides, MessageTexts::Labels labels);
  std::shared_ptr<const MessageTexts> current();
  RenderedMessage render(const std::string& topic, Readers readers, const boost::json::object& values,
                         const std::string& language);
  std::shared_ptr<const MessageTexts::Labels> labels() const;
  // The admin's texts saved in the app (the active stored version), laid over the file's; none: the file's.
  void set_stored(std::optional<std::map<std::string, MessageTexts::Topic>> changes);
  // Labels of a workflow version installed since (its states and clocks), for the messages that name them.
  void set_labels(MessageTexts::Labels labels);
  const std::optional<std::filesystem::path>& file() const { return overrides_; }

 private:
  std::optional<std::filesystem::path> overrides_;
  std::shared_ptr<const MessageTexts::Labels> labels_;
  mutable std::mutex mutex_;
  std::optional<std::filesystem::file_time_type> loaded_at_;
  std::map<std::string, MessageTexts::Topic> file_changes_;
  std::optional<std::map<std::string, MessageTexts::Topic>> stored_changes_;
  std::shared_ptr<const MessageTexts> texts_;
  void compose();  // texts_ from the shipped texts, the file's and the stored ones; with mutex_ held
};

}  // namespace petitiond::notifications
