// Helpers every subcommand's setup shares (cli.hpp).
#include "app/cli/cli.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "core/shipped_files.hpp"
#include "core/strings.hpp"

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

namespace {

// Where shipped configs and sweep files are looked up by name: configs/ and experiments/ of each
// shipped root (the working directory, share/actbench beside an installed binary, a build's
// checkout).
std::vector<std::filesystem::path> shipped_config_dirs() {
  std::vector<std::filesystem::path> dirs;
  for (const auto& root : core::shipped_roots()) {
    dirs.push_back(root == "." ? std::filesystem::path("configs") : root / "configs");
    dirs.push_back(root == "." ? std::filesystem::path("experiments") : root / "experiments");
  }
  return dirs;
}

}  // namespace

std::string resolve_config_file(const std::string& path, const std::string& what,
                                const CommandLine& line) {
  std::error_code error;
  const bool bare_name = !path.empty() && path.find('/') == std::string::npos;
  if (!bare_name || std::filesystem::exists(path, error)) {
    require_readable_file(path, what, line);
    return path;
  }
  const std::string file =
      std::filesystem::path(path).extension() == ".yaml" ? path : path + ".yaml";
  std::vector<std::string> names, searched;
  for (const auto& dir : shipped_config_dirs()) {
    if (!std::filesystem::is_directory(dir, error)) continue;
    if (std::filesystem::is_regular_file(dir / file, error)) return (dir / file).string();
    searched.push_back(dir.string() + "/");
    for (const auto& entry : std::filesystem::directory_iterator(dir, error))
      if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
  }
  const auto where = SourceLocation::cli_arg(locate_overrides({path}, line).front().arg);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  throw ConfigError(
      where,
      fmt::format("cannot read {} {}: {}, and no shipped config is named {}{}", what, path,
                  std::strerror(ENOENT), std::filesystem::path(file).stem().string(),
                  core::did_you_mean(std::filesystem::path(file).stem().string(), names)),
      searched.empty()
          ? std::string("give the path of a YAML file (no shipped configs were found: neither "
                        "configs/ here nor share/actbench/ beside the binary)")
          : fmt::format("give a YAML file's path, or one of the names in {}",
                        fmt::join(searched, ", ")));
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
                      "check the path; a shipped config can be named alone (mnist_mlp)");
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
