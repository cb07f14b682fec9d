// `actbench validate`: check a config (every key) or a sweep file (every run's config) and run
// nothing; or print the config schema.
#include <fmt/format.h>

#include <memory>

#include "app/cli/cli.hpp"
#include "app/commands.hpp"
#include "core/error.hpp"
#include "sweep/sweep_plan.hpp"

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
  auto* validate = app.add_subcommand(
      "validate", "check a config (every key) or a sweep file (every run's config), run nothing");
  validate->add_option("config", options->config_file, "YAML config or sweep file (experiments/)");
  validate->add_option(
      "overrides", options->overrides,
      "overrides, as for run (for a sweep file as for sweep: key=a,b adds an axis)");
  validate->add_flag("--print", options->print_resolved,
                     "print the resolved config (all defaults filled); for a sweep file every run");
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
            options->config_file = resolve_config_file(options->config_file, "config file", line);
            if (sweep::is_sweep_file(options->config_file)) {
              // Planned exactly as `sweep` plans it: every run resolved and validated.
              const auto plan = sweep::plan_sweep(options->config_file,
                                                  locate_overrides(options->overrides, line));
              fmt::print("ok: {} — a sweep file, every run's config is valid\n{}",
                         options->config_file, sweep::describe_plan(plan, options->print_resolved));
              return 0;
            }
            const auto prepared =
                prepare_run(options->config_file, locate_overrides(options->overrides, line));
            fmt::print("{}", validate_report(prepared, options->print_resolved));
            return 0;
          }};
}

}  // namespace actbench::app::cli
