// Helpers every subcommand's setup shares (cli.hpp).
#include "app/cli/cli.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"

namespace actbench::app::cli {

std::vector<config::CliOverride> locate_overrides(const std::vector<std::string>& texts,
                                                  const CommandLine& line) {
  std::vector<config::CliOverride> out;
  int next = 1;
  for (const auto& text : texts) {
    int position = 0;
    for (int i = next; i < line.argc; ++i) {
      if (text == line.argv[i]) {
        position = i;
        next = i + 1;
        break;
      }
    }
    out.push_back({text, position});
  }
  return out;
}

std::string command_text(const CommandLine& line) {
  std::string out;
  for (int i = 0; i < line.argc; ++i) out += (i ? " " : "") + std::string(line.argv[i]);
  return out;
}

void require_readable_file(const std::string& path, const std::string& what,
                           const CommandLine& line) {
  const auto where = SourceLocation::cli_arg(locate_overrides({path}, line).front().arg);
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    // The YAML reader would read a directory as an empty document ("the config is empty").
    std::vector<std::string> yaml;
    for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
      const auto extension = entry.path().extension();
      if (entry.is_regular_file(error) && (extension == ".yaml" || extension == ".yml"))
        yaml.push_back(entry.path().string());
    }
    std::sort(yaml.begin(), yaml.end());
    if (yaml.size() > 3) yaml.resize(3);
    throw ConfigError(where, fmt::format("{} is a directory, not a {}", path, what),
                      yaml.empty()
                          ? "name a YAML file"
                          : fmt::format("name a YAML file in it, e.g. {}", fmt::join(yaml, ", ")));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int reason = errno;
    throw ConfigError(where,
                      fmt::format("cannot read {} {}: {}", what, path, std::strerror(reason)),
                      "check the path; ready-made configs are in configs/ and experiments/");
  }
}

void refuse_unused_flag(const CLI::App& subcommand, const std::string& flag,
                        const CommandLine& line, const std::string& why, const std::string& hint) {
  if (subcommand.count(flag) == 0) return;
  int position = 0;
  for (int i = 1; i < line.argc && position == 0; ++i) {
    const std::string arg = line.argv[i];
    if (arg == flag || arg.rfind(flag + "=", 0) == 0) position = i;
  }
  throw ConfigError(SourceLocation::cli_arg(position), fmt::format("{} {}", flag, why), hint);
}

}  // namespace actbench::app::cli
