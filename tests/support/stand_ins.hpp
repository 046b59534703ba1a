#pragma once
// Third-party services the notification tests run as real servers on loopback, each a Python child
// process: an HTTP service (an SMS gateway, a webhook receiver) and an SMTP server with STARTTLS and
// authentication. Each records what it accepted as JSON lines the test reads back.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/petitiond_process.hpp"
#include "tests/support/test_database.hpp"

namespace petitiond::test {

inline std::vector<boost::json::object> json_lines(const std::filesystem::path& file) {
  std::vector<boost::json::object> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) out.push_back(boost::json::parse(line).as_object());
  return out;
}

inline pid_t spawn_python(const std::string& script, const std::vector<std::string>& args,
                          const std::filesystem::path& output) {
  const auto path = std::string(PETITIOND_SOURCE_DIR) + "/tests/support/" + script;
  std::vector<std::string> argv{"python3", path};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // not left running by a test that crashes
    const int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> raw;
    for (auto& a : argv) raw.push_back(a.data());
    raw.push_back(nullptr);
    ::execv("/usr/bin/python3", raw.data());
    ::_exit(127);
  }
  return pid;
}

inline void stop_child(pid_t pid) {
  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
}

// tests/support/http_stand_in.py: records what it accepts, fails or slows down on demand.
class StandIn {
 public:
  StandIn() : port_(free_port()) {
    pid_ = spawn_python("http_stand_in.py", {std::to_string(port_), log_path().string(), status_path().string()},
                        dir_.path() / "output");
    for (int i = 0; i < 100; ++i) {
      try {
        if (http_request(port_, "POST", "/ready", "").status == 200) break;
      } catch (const std::exception&) {  // not listening yet
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::filesystem::remove(log_path());
  }
  ~StandIn() { stop_child(pid_); }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  // The status to answer with, and optionally seconds to wait before each answer.
  void answer(int status, double delay_seconds = 0) { std::ofstream(status_path()) << status << ' ' << delay_seconds; }
  std::vector<boost::json::object> received() const { return json_lines(log_path()); }

 private:
  std::filesystem::path log_path() const { return dir_.path() / "requests.jsonl"; }
  std::filesystem::path status_path() const { return dir_.path() / "status"; }
  ScratchDir dir_{"stand-in"};
  unsigned short port_;
  pid_t pid_ = 0;
};

// tests/support/smtp_stand_in.py with a certificate made for it (CN and IP 127.0.0.1), which the server
// under test trusts through ca_file() only.
class SmtpStandIn {
 public:
  SmtpStandIn(std::string user, std::string password)
      : port_(free_port()), user_(std::move(user)), password_(std::move(password)) {
    const auto command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1"
        " -addext subjectAltName=IP:127.0.0.1 -keyout " +
        (dir_.path() / "key.pem").string() + " -out " + ca_file() + " 2>/dev/null";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("openssl could not make a certificate");
    pid_ = spawn_python(
        "smtp_stand_in.py",
        {std::to_string(port_), ca_file(), (dir_.path() / "key.pem").string(), user_, password_, log_path().string()},
        dir_.path() / "output");
    for (int i = 0; i < 200 && output().find("ready") == std::string::npos; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (output().find("ready") == std::string::npos)
      throw std::runtime_error("the SMTP server did not start: " + output());
  }
  ~SmtpStandIn() { stop_child(pid_); }
  unsigned short port() const { return port_; }
  std::string ca_file() const { return (dir_.path() / "cert.pem").string(); }
  std::vector<boost::json::object> received() const { return json_lines(log_path()); }
  // The `smtp` setting for this server; `trusted`: with its certificate as the CA to check it against.
  boost::json::object settings(bool trusted, const std::string& password) const {
    boost::json::object s{{"host", "127.0.0.1"},
                          {"port", port_},
                          {"security", "starttls"},
                          {"username", user_},
                          {"password", password},
                          {"from", "12385@qs.example.cn"},
                          {"from_name", "12385 残疾人服务热线"}};
    if (trusted) s["ca_file"] = ca_file();
    return s;
  }

 private:
  std::string output() const {
    std::ifstream in(dir_.path() / "output");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  std::filesystem::path log_path() const { return dir_.path() / "mail.jsonl"; }
  ScratchDir dir_{"smtp-stand-in"};
  unsigned short port_;
  std::string user_, password_;
  pid_t pid_ = 0;
};

}  // namespace petitiond::test
