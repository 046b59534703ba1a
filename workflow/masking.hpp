#pragma once
// Masking of personal data for responses (domain.md §5). Masking counts characters, not bytes.
#include <string>
#include <string_view>

namespace petitiond {

// "13812341234" -> "138****1234"; shorter numbers keep only their last four; four or fewer: all masked.
std::string mask_phone(std::string_view phone);

// E-mail: the first character of the name and the domain kept, "wangli@example.cn" -> "w*****@example.cn".
std::string mask_email(std::string_view email);

// Resident ID number: first four and last four kept, "500101199001011234" -> "5001**********1234".
std::string mask_id_number(std::string_view id_number);

// Disability certificate number (ID number + type digit + grade digit): masked like the ID number part,
// and the type and grade digits are masked too, since they reveal the disability.
std::string mask_certificate(std::string_view certificate);

// A name as the hotline greets a caller before it knows who is speaking: the surname's first character kept,
// "李四" -> "李*", "欧阳小明" -> "欧***" (as the SQL mask_name() does for staff messages).
std::string mask_name(std::string_view name);

}  // namespace petitiond
