#pragma once
// What a petitioner's text-message reply to the satisfaction message says, on the national five-level scale
// (domain.md §2: 非常满意 / 满意 / 基本满意 / 不满意 / 非常不满意): a digit 1–5 as the message lists them (5 very
// satisfied … 1 very dissatisfied, "5分" too) or the words, alone. Full-width digits and letters count as
// their ASCII forms; spaces and punctuation around the answer are ignored. A reply that says anything more
// ("3，补贴还没到") is for a person to read: nothing is returned for it.
#include <optional>
#include <string>
#include <string_view>

namespace petitiond::workflow {

std::optional<std::string> satisfaction_in_reply(std::string_view text);

// The invitation to answer by text that the reply's SMS carries ({rate_by_text} in the message templates),
// listing the digits as satisfaction_in_reply reads them; "en" or else Chinese.
std::string satisfaction_invitation(std::string_view language);

}  // namespace petitiond::workflow
