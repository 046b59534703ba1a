#pragma once
// Formats of identifiers people type: log-in names and phone numbers. Each check returns the problem
// in words, or an empty string when the value is acceptable.
#include <string>
#include <optional>
#include <string_view>

namespace petitiond {

// 2–64 characters: lower-case ASCII letters, digits, '.', '_' or '-', starting with a letter or digit.
std::string login_problem(std::string_view login);

// Unit codes: 1–32 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit.
std::string unit_code_problem(std::string_view code);

// Phone numbers as people write them: 5–20 digits with optional '+', spaces, dashes and parentheses.
std::string phone_problem(std::string_view phone);
// An e-mail address: one @, something before it, a dotted domain after it, no spaces; or the problem.
std::string email_problem(std::string_view email);

// Resident ID number (GB 11643): 18 characters, 17 digits and an ISO 7064 MOD 11-2 check character
// (0-9 or X), with a real birth date in positions 7-14.
std::string id_number_problem(std::string_view id_number);
char id_check_character(std::string_view first_17_digits);

// Second-generation disability certificate number: the holder's 18-character ID number, then one digit
// for the disability type (1 visual … 7 multiple) and one for the grade (1-4).
std::string certificate_problem(std::string_view certificate);
struct Disability {
  int type;   // 1 visual, 2 hearing, 3 speech, 4 physical, 5 intellectual, 6 mental, 7 multiple
  int grade;  // 1 (most severe) to 4
};
std::optional<Disability> certificate_disability(std::string_view certificate);

// A phone number reduced to digits for matching callers: "+86 138-1234-1234" and "13812341234" are the
// same; a trunk prefix 0 is kept for landlines ("028-6200 0000", "028/62000000" -> "02862000000"); an
// extension after 'x', 'ext' or '#' is dropped. Empty when fewer than 5 digits remain.
std::string normalise_phone(std::string_view phone);

// A phone number as SMS gateways take it, in E.164 ("+8613812341234"), or nothing for a number that cannot
// receive a text message: a landline or service number, or too few or too many digits. Numbers without a
// country code are Chinese (domestic mobiles are 11 digits, 13x–19x); "+852 9123 4567" or "00852…" keep theirs.
std::optional<std::string> sms_number(std::string_view phone);

}  // namespace petitiond
