// `actbench run`: train one configuration and write its run directory.
#include <memory>

#include "app/cli/cli.hpp"
#include "app/commands.hpp"
#include "core/interrupt.hpp"
#include "core/run_status.hpp"

namespace actbench::app::cli {
namespace {

struct RunCommandOptions {
  std::string config_file;
  std::vector<std::string> overrides;
  std::string run_dir;  // write into exactly this new directory (sweeps use it)
  int threads = 0;      // 0: train.threads
  bool quiet = false;
};

}  // namespace

Command setup_run(CLI::App& app, const CommandLine& line) {
  auto options = std::make_shared<RunCommandOptions>();
  auto* run = app.add_subcommand("run", "train one configuration and write its run directory");
  run->add_option("config", options->config_file,
                  "YAML config, or a shipped config's name (mnist_mlp: configs/ of a checkout, or "
                  "share/actbench/configs where actbench is installed)")
      ->required();
  run->add_option(
      "overrides", options->overrides,
      "Hydra-style overrides: key=value, +key=value, ~key (e.g. model.activation=gelu)");
  run->add_option("--run-dir", options->run_dir,
                  "write into exactly this new directory (sweeps use it)");
  run->add_option("--threads", options->threads,
                  "intra-op threads for this process (default: train.threads)")
      ->check(CLI::Range(1, 1024));
  run->add_flag("--quiet", options->quiet, "print nothing but errors");

  return {run, [options, line] {
            core::install_interrupt_handlers();
            options->config_file = resolve_config_file(options->config_file, "config file", line);
            auto prepared =
                prepare_run(options->config_file, locate_overrides(options->overrides, line));
            RunOptions run_options;
            run_options.command_line = command_text(line);
            run_options.run_dir = options->run_dir;
            run_options.threads = options->threads;
            run_options.console = !options->quiet;
            const auto outcome = execute_run(std::move(prepared), run_options);
            if (outcome.status == core::RunStatus::kInterrupted) return core::interrupt_exit_code();
            return 0;
          }};
}

}  // namespace actbench::app::cli
