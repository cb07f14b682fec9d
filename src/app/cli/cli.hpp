// The command line's subcommands, one setup function each (CLI11's pattern for subcommands in
// separate files): a setup function adds its subcommand with its own options struct to the app and
// returns the action main() runs when that subcommand was given. Only main.cpp and the files in
// this folder see CLI11; everything an action does is a call into the core library.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "config/loader.hpp"

namespace actbench::app::cli {

// The whole command line: overrides are located by their position in it (<cli>:argN), and runs
// record it in meta.json.
struct CommandLine {
  int argc = 0;
  char** argv = nullptr;
};

// A subcommand and what running it does; the action returns the process's exit code.
struct Command {
  CLI::App* subcommand = nullptr;
  std::function<int()> action;
};

Command setup_run(CLI::App& app, const CommandLine& line);
Command setup_sweep(CLI::App& app, const CommandLine& line);
Command setup_run_pack(CLI::App& app, const CommandLine& line);
Command setup_sweep_task(CLI::App& app);
Command setup_collect(CLI::App& app);
Command setup_report(CLI::App& app, const CommandLine& line);
Command setup_study(CLI::App& app, const CommandLine& line);
Command setup_search(CLI::App& app, const CommandLine& line);
Command setup_validate(CLI::App& app, const CommandLine& line);
Command setup_activations(CLI::App& app, const CommandLine& line);
Command setup_data(CLI::App& app, const CommandLine& line);
Command setup_theory(CLI::App& app);

// Overrides as typed, each with its position on the command line.
std::vector<config::CliOverride> locate_overrides(const std::vector<std::string>& texts,
                                                  const CommandLine& line);
// The command line as one string.
std::string command_text(const CommandLine& line);

// Refuses a config (or sweep) file argument that cannot be read, before anything parses it: a
// ConfigError (exit 2) located at the argument, with the reason (errno's text), and for a
// directory the YAML files in it. `what` names the file's kind in the message ("config file").
void require_readable_file(const std::string& path, const std::string& what,
                           const CommandLine& line);

// The file a config (or sweep file) argument names: the path as given when it exists or is a path;
// a bare name (mnist_mlp, or mnist_mlp.yaml) that is no file here is looked up among the shipped
// configs and sweep files (configs/ and experiments/ here, then <prefix>/share/actbench/ beside
// the installed binary). Then as require_readable_file; an unknown name is a located ConfigError
// with a suggestion and the folders searched.
std::string resolve_config_file(const std::string& path, const std::string& what,
                                const CommandLine& line);

// Refuses a flag that was given but that this use of the command would ignore: a ConfigError
// (exit 2) located at the flag (<cli>:argN), saying why and what to do instead.
void refuse_unused_flag(const CLI::App& subcommand, const std::string& flag,
                        const CommandLine& line, const std::string& why, const std::string& hint);

}  // namespace actbench::app::cli
