#include "tests/support/petitiond_process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/http_client.hpp"

extern char** environ;

namespace petitiond::test {
namespace {

pid_t spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            const std::filesystem::path& log, const std::filesystem::path& input = "/dev/null") {
  std::vector<std::string> argv{PETITIOND_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> environment;
  for (char** e = environ; *e; ++e)
    if (std::string_view(*e).substr(0, 10) != "PETITIOND_") environment.emplace_back(*e);
  for (const auto& [key, value] : env) environment.push_back(key + "=" + value);

  std::vector<char*> argv_c, env_c;
  for (auto& a : argv) argv_c.push_back(a.data());
  argv_c.push_back(nullptr);
  for (auto& e : environment) env_c.push_back(e.data());
  env_c.push_back(nullptr);

  int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0) throw std::runtime_error("cannot open " + log.string());
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // a test that crashes takes its server (and its database) down with it
    int in = ::open(input.c_str(), O_RDONLY);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    ::execve(argv_c[0], argv_c.data(), env_c.data());
    ::_exit(127);
  }
  ::close(out);
  if (pid < 0) throw std::runtime_error("fork failed");
  return pid;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// waitpid with a deadline; returns the exit code, or -1 while still running at the deadline.
int wait_for(pid_t pid, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (std::chrono::steady_clock::now() >= until) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::filesystem::path temp_log() {
  char name[] = "/tmp/petitiond-log-XXXXXX";
  int fd = ::mkstemp(name);
  if (fd >= 0) ::close(fd);
  return name;
}

}  // namespace

unsigned short free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

CommandResult run_petitiond(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                            std::chrono::seconds timeout, const std::string& input) {
  auto log = temp_log();
  auto input_file = temp_log();
  std::ofstream(input_file) << input;
  pid_t pid = spawn(args, env, log, input_file);
  int code = wait_for(pid, timeout);
  if (code < 0) {
    ::kill(pid, SIGKILL);
    code = wait_for(pid, std::chrono::seconds(5));
  }
  CommandResult result{code, read_file(log)};
  std::filesystem::remove(log);
  std::filesystem::remove(input_file);
  return result;
}

PetitiondProcess::PetitiondProcess(std::vector<std::string> args, std::map<std::string, std::string> env)
    : log_path_(temp_log()) {
  bool has_listen = false;
  for (const auto& a : args) has_listen |= a == "--listen";
  if (!has_listen) {
    port_ = free_port();
    args.push_back("--listen");
    args.push_back("127.0.0.1:" + std::to_string(port_));
  }
  pid_ = spawn(args, env, log_path_);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < until) {
    if (!running()) throw std::runtime_error("petitiond exited during start-up:\n" + output());
    try {
      if (http_request(port_, "GET", "/healthz").status == 200) return;
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("petitiond did not answer /healthz within 90 s:\n" + output());
}

PetitiondProcess::~PetitiondProcess() {
  if (running()) {
    stop(SIGTERM, std::chrono::seconds(20));
    if (running()) stop(SIGKILL, std::chrono::seconds(5));
  }
  std::filesystem::remove(log_path_);
}

bool PetitiondProcess::running() {
  if (exit_code_ >= 0) return false;
  exit_code_ = wait_for(pid_, std::chrono::milliseconds(0));
  return exit_code_ < 0;
}

int PetitiondProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (exit_code_ < 0) exit_code_ = wait_for(pid_, timeout);
  return exit_code_;
}

int PetitiondProcess::stop(int signal, std::chrono::seconds timeout) {
  if (running()) ::kill(pid_, signal);
  return wait_exit(timeout);
}

std::string PetitiondProcess::output() const { return read_file(log_path_); }

}  // namespace petitiond::test
