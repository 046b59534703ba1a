#include <catch2/catch.hpp>

#include "workflow/identity.hpp"
#include "workflow/masking.hpp"
#include "workflow/roles.hpp"

using namespace petitiond;

TEST_CASE("phones keep the first three and last four digits") {
  CHECK(mask_phone("13812341234") == "138****1234");
  CHECK(mask_phone("02887654321") == "028****4321");
  CHECK(mask_phone("+8613812341234") == "+86*******1234");
  CHECK(mask_phone("87654321") == "****4321");
  CHECK(mask_phone("1234") == "****");
  CHECK(mask_phone("") == "");
}

TEST_CASE("ID numbers keep the first four and last four characters") {
  CHECK(mask_id_number("500101199001011234") == "5001**********1234");
  CHECK(mask_id_number("50010119900101123X") == "5001**********123X");
  CHECK(mask_id_number("12345678") == "********");
}

TEST_CASE("certificate numbers hide the disability type and grade too") {
  CHECK(mask_certificate("50010119900101123441") == "5001**********1234**");
  CHECK(mask_certificate("short") == "*****");
}

TEST_CASE("masking counts characters, not bytes") {
  CHECK(mask_phone("电话一二三四五六七八九") == "电话一****六七八九");
}

TEST_CASE("log-in names and phone numbers are checked") {
  CHECK(login_problem("wang.fang").empty());
  CHECK(login_problem("t01-handler_2").empty());
  CHECK_FALSE(login_problem("Wang").empty());
  CHECK_FALSE(login_problem("a").empty());
  CHECK_FALSE(login_problem(".dot").empty());
  CHECK_FALSE(login_problem("王芳").empty());
  CHECK_FALSE(login_problem(std::string(65, 'a')).empty());
  CHECK(unit_code_problem("QS-T01-V01").empty());
  CHECK_FALSE(unit_code_problem("").empty());
  CHECK_FALSE(unit_code_problem("-x").empty());
  CHECK_FALSE(unit_code_problem("有空格").empty());
  CHECK_FALSE(unit_code_problem(std::string(33, 'a')).empty());
  CHECK(phone_problem("138 1234 1234").empty());
  CHECK(phone_problem("+86 (28) 6200-0000").empty());
  CHECK_FALSE(phone_problem("1234").empty());
  CHECK_FALSE(phone_problem("138x1234").empty());
  CHECK_FALSE(phone_problem(std::string("138\0"
                                        "1234",
                                        8))
                  .empty());
}

TEST_CASE("roles and scopes parse from and print to their names") {
  for (auto role : all_roles) CHECK(parse_role(role_name(role)) == role);
  CHECK_FALSE(parse_role("root").has_value());
  RoleSet roles{Role::handler, Role::manager};
  CHECK(roles.contains(Role::handler));
  CHECK_FALSE(roles.contains(Role::admin));
  CHECK(roles.intersects(RoleSet{Role::manager, Role::admin}));
  CHECK_FALSE(roles.intersects(RoleSet{Role::admin}));
  CHECK(roles.names() == std::vector<std::string>{"handler", "manager"});
  for (auto scope : {Scope::read, Scope::write, Scope::cti, Scope::portal})
    CHECK(parse_scope(scope_name(scope)) == scope);
}

TEST_CASE("e-mail addresses keep the first character of the name and the domain") {
  CHECK(mask_email("wangli@example.cn") == "w*****@example.cn");
  CHECK(mask_email("王丽@example.cn") == "王*@example.cn");
  CHECK(mask_email("no-at-sign") == "**********");
}

TEST_CASE("names keep their first character only, as the SQL mask_name() does") {
  CHECK(mask_name("李四") == "李*");
  CHECK(mask_name("欧阳小明") == "欧***");
  CHECK(mask_name("王") == "王*");
  CHECK(mask_name("Li Si") == "L****");
  CHECK(mask_name("") == "");
}
