// `actbench run-pack FILE` (hidden): a packed sweep's worker, which trains the runs of a pack file
// (written by `actbench sweep --pack`) as one pack and writes each member's run directory.
#include <memory>

#include "app/cli/cli.hpp"
#include "core/interrupt.hpp"
#include "experiment/pack.hpp"

namespace actbench::app::cli {
namespace {

struct RunPackCommandOptions {
  std::string file;
  experiment::PackOptions pack;  // --pack-id, --threads
  bool quiet = false;
};

}  // namespace

Command setup_run_pack(CLI::App& app, const CommandLine& line) {
  auto options = std::make_shared<RunPackCommandOptions>();
  auto* run_pack = app.add_subcommand("run-pack", "train a pack file's runs as one pack");
  run_pack->group("");  // hidden: the sweep starts it
  run_pack->add_option("file", options->file, "pack file (JSON) written by `actbench sweep --pack`")
      ->required();
  run_pack->add_option("--pack-id", options->pack.pack_id, "recorded in each member's meta.json");
  run_pack->add_option("--threads", options->pack.threads, "intra-op threads for this process")
      ->check(CLI::Range(1, 1024));
  run_pack->add_flag("--quiet", options->quiet, "print nothing but errors");
  return {run_pack, [options, line] {
            core::install_interrupt_handlers();
            options->pack.command_line = command_text(line);
            options->pack.console = !options->quiet;
            auto members = experiment::read_pack_file(options->file);
            const auto outcomes = experiment::execute_pack(std::move(members), options->pack);
            for (const auto& outcome : outcomes)
              if (outcome.status == core::RunStatus::kInterrupted)
                return core::interrupt_exit_code();
            return 0;
          }};
}

}  // namespace actbench::app::cli
