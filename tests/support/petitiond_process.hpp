#pragma once
// Runs the real petitiond binary as a child process for HTTP tests.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace petitiond::test {

// A TCP port that was free a moment ago.
unsigned short free_port();

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr
};

// Runs petitiond with `args` to completion (bounded by `timeout`), with `input` on its standard input.
CommandResult run_petitiond(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                            std::chrono::seconds timeout = std::chrono::seconds(60), const std::string& input = {});

class PetitiondProcess {
 public:
  // Starts petitiond listening on a free port (unless args has --listen) and waits until /healthz answers.
  explicit PetitiondProcess(std::vector<std::string> args, std::map<std::string, std::string> env = {});
  ~PetitiondProcess();
  PetitiondProcess(const PetitiondProcess&) = delete;
  PetitiondProcess& operator=(const PetitiondProcess&) = delete;

  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }
  bool running();

  // Sends `signal` and waits for the exit; returns the exit code (128 + signal if killed), -1 on timeout.
  int stop(int signal, std::chrono::seconds timeout = std::chrono::seconds(30));
  int wait_exit(std::chrono::milliseconds timeout);

  // Everything the process wrote to stdout and stderr so far.
  std::string output() const;

 private:
  std::filesystem::path log_path_;
  unsigned short port_ = 0;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

}  // namespace petitiond::test
