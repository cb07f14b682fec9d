// Helpers every subcommand's setup shares (cli.hpp).
#include "app/cli/cli.hpp"

#include <fmt/format.h>

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
