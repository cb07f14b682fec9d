// External tools run through std::system with every argument single-quoted; their output goes to a
// log file so that a failure can quote its last lines instead of interleaving with ours.
#include "data/fetch.hpp"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "data/files.hpp"

namespace actbench::data {

namespace fs = std::filesystem;

TempDir::TempDir(const fs::path& parent, const std::string& prefix) {
  std::string pattern = (parent / (prefix + "XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw DataError(fmt::format("cannot create a temporary directory in {} ({})", parent.string(),
                                std::strerror(errno)));
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string shell_quote(const std::string& argument) {
  std::string quoted = "'";
  for (char c : argument) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted.push_back(c);
    }
  }
  quoted.push_back('\'');
  return quoted;
}

std::optional<fs::path> find_program(const std::string& name) {
  const char* path_env = std::getenv("PATH");
  if (path_env == nullptr) return std::nullopt;
  std::stringstream dirs(path_env);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const fs::path candidate = fs::path(dir) / name;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec) && access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return std::nullopt;
}

namespace {

std::string log_tail(const fs::path& log, size_t max_lines) {
  std::ifstream in(log);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
    if (lines.size() > max_lines) lines.erase(lines.begin());
  }
  std::string tail;
  for (const auto& l : lines) tail += "\n    " + l;
  return tail;
}

}  // namespace

void run_checked(const std::vector<std::string>& arguments, const fs::path& directory,
                 const fs::path& log, const std::string& what, const std::string& dataset) {
  const std::string dir = directory.empty() ? "." : directory.string();
  std::string command = "cd " + shell_quote(dir) + " &&";
  for (const auto& argument : arguments) command += " " + shell_quote(argument);
  command += " >" + shell_quote(log.string()) + " 2>&1 </dev/null";
  const int status = std::system(command.c_str());
  std::string failure;
  if (status == -1) {
    failure = fmt::format("could not be started ({})", std::strerror(errno));
  } else if (WIFSIGNALED(status)) {
    failure = fmt::format("was killed by signal {}", WTERMSIG(status));
  } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    failure = fmt::format("exited with status {}", WEXITSTATUS(status));
    // The shell's "command not found".
    if (WEXITSTATUS(status) == 127) failure += fmt::format(" (is {} installed?)", arguments[0]);
  }
  if (failure.empty()) return;
  std::string shown;
  for (const auto& argument : arguments) shown += (shown.empty() ? "" : " ") + argument;
  const std::string tail = log_tail(log, 15);
  throw DataError(fmt::format("{} failed: `{}` {}{}; run {} to try again", what, shown, failure,
                              tail.empty() ? "" : ", its output ends with:" + tail,
                              fetch_command(dataset)));
}

void atomic_copy(const fs::path& from, const fs::path& to) {
  const fs::path partial = to.string() + ".partial";
  std::error_code ec;
  fs::copy_file(from, partial, fs::copy_options::overwrite_existing, ec);
  if (!ec) fs::rename(partial, to, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(partial, ignored);
    throw DataError(
        fmt::format("cannot copy {} to {} ({})", from.string(), to.string(), ec.message()));
  }
}

void download_or_copy(const std::string& source, const fs::path& destination,
                      const std::string& dataset) {
  const std::string file_scheme = "file://";
  const bool is_url = source.find("://") != std::string::npos;
  if (!is_url || source.rfind(file_scheme, 0) == 0) {
    const fs::path local = is_url ? fs::path(source.substr(file_scheme.size())) : fs::path(source);
    std::error_code ec;
    if (!fs::is_regular_file(local, ec)) {
      throw DataError(fmt::format("cannot fetch {}: source {} is not a readable file", dataset,
                                  local.string()));
    }
    atomic_copy(local, destination);
    return;
  }
  const fs::path log = destination.string() + ".log";
  const fs::path partial = destination.string() + ".partial";
  std::vector<std::string> command;
  if (find_program("curl")) {
    command = {"curl", "-fsSL", "--retry", "3", "-o", partial.string(), source};
  } else if (find_program("wget")) {
    command = {"wget", "-nv", "--tries=3", "-O", partial.string(), source};
  } else {
    throw DataError(fmt::format(
        "cannot fetch {}: neither curl nor wget is installed (apt-get install curl)", dataset));
  }
  try {
    run_checked(command, destination.parent_path(), log, "downloading " + source, dataset);
  } catch (...) {
    std::error_code ignored;
    fs::remove(partial, ignored);
    fs::remove(log, ignored);
    throw;
  }
  std::error_code ec;
  fs::remove(log, ec);
  fs::rename(partial, destination, ec);
  if (ec) {
    throw DataError(fmt::format("cannot move {} to {} ({})", partial.string(), destination.string(),
                                ec.message()));
  }
}

}  // namespace actbench::data
