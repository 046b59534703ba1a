#include "workflow/satisfaction_reply.hpp"

#include <map>

namespace petitiond::workflow {

namespace {

// The code points of UTF-8 text; a malformed byte becomes U+FFFD, which matches nothing.
std::u32string code_points(std::string_view text) {
  std::u32string out;
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const int length = byte < 0x80 ? 1 : (byte >> 5) == 0x6 ? 2 : (byte >> 4) == 0xE ? 3 : (byte >> 3) == 0x1E ? 4 : 0;
    if (length == 0 || i + length > text.size()) {
      out += U'\uFFFD';
      ++i;
      continue;
    }
    char32_t point = length == 1 ? byte : byte & (0x7F >> length);
    for (int k = 1; k < length; ++k) point = (point << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    out += point;
    i += length;
  }
  return out;
}

bool ignorable(char32_t c) {
  static const std::u32string marks = U" \t\r\n\u3000.,!?;:'\"()[]~-_。，！？；：、…·「」“”‘’（）【】《》～";
  return marks.find(c) != std::u32string::npos;
}

// Full-width ASCII (U+FF01–U+FF5E) as ASCII, letters in lower case.
char32_t folded(char32_t c) {
  if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;
  if (c >= U'A' && c <= U'Z') c += U'a' - U'A';
  return c;
}

}  // namespace

std::optional<std::string> satisfaction_in_reply(std::string_view text) {
  std::u32string answer;
  for (char32_t c : code_points(text)) answer += folded(c);
  std::size_t begin = 0, end = answer.size();
  while (begin < end && ignorable(answer[begin])) ++begin;
  while (end > begin && ignorable(answer[end - 1])) --end;
  answer = answer.substr(begin, end - begin);
  if (answer.size() == 2 && answer[1] == U'分') answer.resize(1);
  static const std::map<std::u32string, std::string> answers{
      {U"5", "very_satisfied"},
      {U"4", "satisfied"},
      {U"3", "basically_satisfied"},
      {U"2", "dissatisfied"},
      {U"1", "very_dissatisfied"},
      {U"非常满意", "very_satisfied"},
      {U"很满意", "very_satisfied"},
      {U"十分满意", "very_satisfied"},
      {U"满意", "satisfied"},
      {U"基本满意", "basically_satisfied"},
      {U"比较满意", "basically_satisfied"},
      {U"不满意", "dissatisfied"},
      {U"不太满意", "dissatisfied"},
      {U"非常不满意", "very_dissatisfied"},
      {U"很不满意", "very_dissatisfied"},
      {U"十分不满意", "very_dissatisfied"},
      {U"very satisfied", "very_satisfied"},
      {U"satisfied", "satisfied"},
      {U"basically satisfied", "basically_satisfied"},
      {U"fairly satisfied", "basically_satisfied"},
      {U"dissatisfied", "dissatisfied"},
      {U"not satisfied", "dissatisfied"},
      {U"very dissatisfied", "very_dissatisfied"},
  };
  auto found = answers.find(answer);
  if (found == answers.end()) return std::nullopt;
  return found->second;
}

std::string satisfaction_invitation(std::string_view language) {
  if (language == "en")
    return "Reply with a digit to rate our work: 5 very satisfied, 4 satisfied, 3 basically satisfied, 2 dissatisfied, "
           "1 very dissatisfied.";
  return "回复数字即可评价：5非常满意，4满意，3基本满意，2不满意，1非常不满意。";
}

}  // namespace petitiond::workflow
