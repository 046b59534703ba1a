#include "server/pg/process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "core/error.hpp"

extern char** environ;

namespace petitiond::pg {
namespace {

// In the child: drop to the account. Only async-signal-safe calls between fork and exec.
bool become(const Account& account) {
  return setgroups(0, nullptr) == 0 && setgid(account.gid) == 0 && setuid(account.uid) == 0;
}

// The child's environment: ours without libpq/PostgreSQL variables that would redirect the tools.
std::vector<std::string> child_environment() {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "PG", 2) == 0) continue;
    env.emplace_back(*e);
  }
  return env;
}

}  // namespace

std::optional<Account> postgres_account_if_root() {
  if (geteuid() != 0) return std::nullopt;
  passwd* pw = getpwnam("postgres");
  if (!pw)
    throw Error(Errc::internal,
                "running as root needs the unprivileged 'postgres' account for the embedded database "
                "(install postgresql-15, or run petitiond as another user)");
  return Account{pw->pw_uid, pw->pw_gid, pw->pw_name};
}

int run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  auto env_strings = child_environment();
  std::vector<char*> env;
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);

  const std::string output = options.output.empty() ? "/dev/null" : options.output.string();
  int out = ::open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (out < 0) throw Error(Errc::internal, "cannot open " + output + ": " + std::strerror(errno));
  if (options.as && ::fchown(out, options.as->uid, options.as->gid) != 0) {
    // harmless when the file already belongs to the account
  }
  const std::string dir = options.working_dir.empty() ? "/" : options.working_dir.string();

  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(out);
    throw Error(Errc::internal, std::string("fork failed: ") + std::strerror(errno));
  }
  if (pid == 0) {
    int in = ::open("/dev/null", O_RDONLY);
    if (in < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0) ::_exit(126);
    if (options.as && !become(*options.as)) ::_exit(126);
    if (::chdir(dir.c_str()) != 0) ::_exit(126);
    ::execve(args[0], args.data(), env.data());
    ::_exit(127);
  }
  ::close(out);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw Error(Errc::internal, std::string("waitpid failed: ") + std::strerror(errno));
  }
  if (WIFEXITED(status)) {
    if (WEXITSTATUS(status) == 127) throw Error(Errc::internal, "cannot execute " + argv[0]);
    return WEXITSTATUS(status);
  }
  return 128 + WTERMSIG(status);
}

bool account_can_use(const Account& account, const std::filesystem::path& dir) {
  pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    if (!become(account)) ::_exit(1);
    ::_exit(::access(dir.c_str(), R_OK | W_OK | X_OK) == 0 ? 0 : 1);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace petitiond::pg
