#pragma once
// Chinese-aware search terms. PostgreSQL's text parser does not split Chinese into words, and pg_trgm
// cannot index a two-character query, so subject and content are indexed as the set of their character
// bigrams (over runs of letters and digits, ASCII lower-cased): a query matches when its own bigrams
// are all present, and the exact phrase is then checked on the text. A one-character run is its own term.
#include <string>
#include <string_view>
#include <vector>

namespace petitiond::workflow {

// Distinct terms of `text` (valid UTF-8), sorted.
std::vector<std::string> search_bigrams(std::string_view text);

// The runs of letters and digits of a query, as written: each must occur in a matching text.
std::vector<std::string> search_words(std::string_view text);

// Number of letters and digits in `text`: a query needs at least two to be searchable by bigrams.
std::size_t searchable_characters(std::string_view text);

}  // namespace petitiond::workflow
