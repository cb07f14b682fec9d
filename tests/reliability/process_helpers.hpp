// Test helpers for the reliability tests that signal a real actbench process: start the CLI in
// the background, wait for a file or for its exit with a deadline, and list what a directory holds
// that an atomic write or a crash could have left half done.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace actbench::testing {

// How many kill-and-resume trials a test runs: `full`, or fewer when ACTBENCH_KILL_TRIALS says so.
// The sanitizer suite (CMakePresets.json, test preset `asan`) runs one trial of each kind of
// moment: every recovery path still runs under the sanitizers, while the release suite keeps the
// full count for the odds of landing a kill in every phase (a trial there takes about five times as
// long).
inline int kill_trials(int full, int one_of_each_kind) {
  const char* text = std::getenv("ACTBENCH_KILL_TRIALS");
  if (text == nullptr || std::string(text) != "one_of_each_kind") return full;
  return one_of_each_kind;
}

// `actbench ARGS...` started in `working_dir`, stdout and stderr into `log`.
inline pid_t start_cli(const std::vector<std::string>& arguments,
                       const std::filesystem::path& working_dir, const std::filesystem::path& log) {
  std::vector<std::string> args{ACTBENCH_CLI};
  args.insert(args.end(), arguments.begin(), arguments.end());
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(working_dir.c_str()) != 0) ::_exit(126);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::close(fd);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

// The wait status once `pid` exits, or nullopt at the deadline (the process is then killed).
inline std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// Polls until `ready()` is true; false at the deadline.
template <typename Predicate>
bool wait_until(Predicate ready, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll = std::chrono::milliseconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(poll);
  }
  return false;
}

// Files under `dir` (recursively) that only an unfinished write leaves: core::write_file_atomic's
// ".<name>.tmp-<pid>", a fetch's ".partial", SQLite's hot journal.
inline std::vector<std::string> leftover_temporaries(const std::filesystem::path& dir) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".tmp") != std::string::npos || name.find(".partial") != std::string::npos ||
        name.find("-journal") != std::string::npos || name.find("-wal") != std::string::npos)
      found.push_back(entry.path().string());
  }
  return found;
}

// Whether any live process has `text` on its command line (a sweep's workers after a kill). A
// process may exit between listing /proc and reading its cmdline: read(2) then fails with ESRCH,
// which std::ifstream turns into an exception, so the file is read with plain read(2) and such a
// process counts as gone.
inline bool any_process_mentions(const std::string& text) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const int fd = ::open((entry.path() / "cmdline").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    std::string cmdline;
    char buffer[4096];
    ssize_t n = 0;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0)
      cmdline.append(buffer, static_cast<size_t>(n));
    ::close(fd);
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace actbench::testing
