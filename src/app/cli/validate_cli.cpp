// `actbench validate`: check a config (every key) and run nothing; or print the config schema.
#include <fmt/format.h>

#include <memory>

#include "app/cli/cli.hpp"
#include "app/commands.hpp"
#include "core/error.hpp"

namespace actbench::app::cli {
namespace {

struct ValidateCommandOptions {
  std::string config_file;
  std::vector<std::string> overrides;
  bool print_resolved = false;
  bool print_schema = false;
};

}  // namespace

Command setup_validate(CLI::App& app, const CommandLine& line) {
  auto options = std::make_shared<ValidateCommandOptions>();
  auto* validate = app.add_subcommand("validate", "check a config (every key), run nothing");
  validate->add_option("config", options->config_file, "YAML config");
  validate->add_option("overrides", options->overrides, "overrides, as for run");
  validate->add_flag("--print", options->print_resolved,
                     "print the resolved config (all defaults filled)");
  validate->add_flag("--schema", options->print_schema,
                     "print every config key with its default and meaning");
  return {validate, [options, line, validate] {
            if (options->print_schema) {
              // The schema is the same for every config: a config given with it would be ignored.
              refuse_unused_flag(*validate, "--print", line, "cannot be combined with --schema",
                                 "run `actbench validate CONFIG --print` on its own");
              if (!options->config_file.empty()) {
                const auto located = locate_overrides({options->config_file}, line);
                throw ConfigError(
                    SourceLocation::cli_arg(located.front().arg),
                    "--schema reads no config: it lists every key of every config",
                    "run `actbench validate " + options->config_file + "` on its own to check it");
              }
              fmt::print("{}", config::schema_markdown());
              return 0;
            }
            if (options->config_file.empty()) throw CLI::RequiredError("config");
            require_readable_file(options->config_file, "config file", line);
            const auto prepared =
                prepare_run(options->config_file, locate_overrides(options->overrides, line));
            fmt::print("{}", validate_report(prepared, options->print_resolved));
            return 0;
          }};
}

}  // namespace actbench::app::cli
