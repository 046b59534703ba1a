#include "workflow/text_search.hpp"

#include <algorithm>

namespace petitiond::workflow {
namespace {

// Splits `text` into code points, each kept as its UTF-8 bytes; invalid bytes are dropped.
struct CodePoint {
  char32_t value;
  std::string_view bytes;
};

std::vector<CodePoint> code_points(std::string_view text) {
  std::vector<CodePoint> out;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = lead < 0x80           ? 1
                         : (lead >> 5) == 0x6  ? 2
                         : (lead >> 4) == 0xE  ? 3
                         : (lead >> 3) == 0x1E ? 4
                                               : 0;
    if (length == 0 || i + length > text.size()) {
      ++i;
      continue;
    }
    char32_t value = length == 1 ? lead : lead & (0xFF >> (length + 1));
    for (std::size_t k = 1; k < length; ++k) value = (value << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    out.push_back({value, text.substr(i, length)});
    i += length;
  }
  return out;
}

// Letters and digits of the scripts petitions are written in; punctuation and spaces separate terms.
bool is_term_character(char32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (c >= 0x2000 && c <= 0x206F) return false;  // general punctuation
  if (c >= 0x3000 && c <= 0x303F) return false;  // CJK symbols and punctuation
  if (c >= 0xFF00 && c <= 0xFF0F) return false;  // full-width punctuation
  if (c >= 0xFF1A && c <= 0xFF20) return false;
  if (c >= 0xFF3B && c <= 0xFF40) return false;
  if (c >= 0xFF5B && c <= 0xFF65) return false;
  if (c == 0x00A0 || c == 0x00B7 || c == 0x00D7 || c == 0x00F7) return false;
  return true;
}

std::string term_text(const CodePoint& c) {
  if (c.value < 0x80)
    return std::string(1, static_cast<char>(c.value >= 'A' && c.value <= 'Z' ? c.value + 32 : c.value));
  // Full-width ASCII letters and digits read as their ASCII forms.
  if (c.value >= 0xFF10 && c.value <= 0xFF5A) {
    char32_t ascii = c.value - 0xFEE0;
    if (ascii >= 'A' && ascii <= 'Z') ascii += 32;
    return std::string(1, static_cast<char>(ascii));
  }
  return std::string(c.bytes);
}

}  // namespace

std::vector<std::string> search_bigrams(std::string_view text) {
  std::vector<std::string> terms;
  std::vector<std::string> run;
  auto flush = [&] {
    if (run.size() == 1) terms.push_back(run.front());
    for (std::size_t i = 1; i < run.size(); ++i) terms.push_back(run[i - 1] + run[i]);
    run.clear();
  };
  for (const auto& c : code_points(text)) {
    if (is_term_character(c.value)) run.push_back(term_text(c));
    else flush();
  }
  flush();
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  return terms;
}

std::vector<std::string> search_words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (const auto& c : code_points(text)) {
    if (is_term_character(c.value)) {
      word += c.bytes;
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

std::size_t searchable_characters(std::string_view text) {
  std::size_t count = 0;
  for (const auto& c : code_points(text)) count += is_term_character(c.value);
  return count;
}

}  // namespace petitiond::workflow
