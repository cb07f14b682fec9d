// Test helpers for end-to-end runs: write a config into a temp dir, run it through the same library
// calls as `actbench run`, and run the real CLI binary when exit codes matter.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "core/files.hpp"
#include "support/temp_dir.hpp"

namespace actbench::testing {

// The config text with `output.dir` pointing into `dir`.
inline app::RunOutcome run_config(const TempDir& dir, const std::string& yaml,
                                  const std::vector<std::string>& overrides = {}) {
  const auto file = dir.write("config.yaml", yaml);
  std::vector<config::CliOverride> located{{"output.dir=" + (dir.path() / "runs").string(), 1}};
  for (const auto& o : overrides) located.push_back({o, 2});
  app::RunOptions options;
  options.console = false;
  return app::execute_run(app::prepare_run(file.string(), located), options);
}

inline nlohmann::json read_json(const std::filesystem::path& path) {
  return nlohmann::json::parse(core::read_file(path));
}

struct CliResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// `environment`: assignments put before the command, e.g. "SPDLOG_LEVEL=debug".
inline CliResult run_cli(const std::string& arguments, const std::string& working_dir = "",
                         const std::string& environment = "") {
  std::string command = std::string(ACTBENCH_CLI) + " " + arguments + " 2>&1";
  if (!environment.empty()) command = "env " + environment + " " + command;
  if (!working_dir.empty()) command = "cd '" + working_dir + "' && " + command;
  CliResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

inline std::string data_root() {
  const char* env = std::getenv("ACTBENCH_DATA_ROOT");
  return env ? env : std::string(ACTBENCH_SOURCE_DIR) + "/data";
}

}  // namespace actbench::testing
