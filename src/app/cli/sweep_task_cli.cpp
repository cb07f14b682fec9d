// `actbench sweep-task` (one Slurm array task of a sweep) and `actbench collect` (record a Slurm
// sweep's finished runs in its database): the two halves of the Slurm backend.
#include <fmt/format.h>

#include <cstdlib>
#include <memory>

#include "app/cli/cli.hpp"
#include "core/interrupt.hpp"
#include "sweep/slurm.hpp"

namespace actbench::app::cli {
namespace {

struct SweepTaskCommandOptions {
  std::string dir;
  int64_t task = -1;  // -1: $SLURM_ARRAY_TASK_ID
};

struct CollectCommandOptions {
  std::string dir;
};

}  // namespace

Command setup_sweep_task(CLI::App& app) {
  auto options = std::make_shared<SweepTaskCommandOptions>();
  auto* sweep_task = app.add_subcommand("sweep-task", "run one Slurm array task of a sweep");
  sweep_task->add_option("dir", options->dir, "sweep directory")->required();
  sweep_task->add_option("--task", options->task, "task number (default: $SLURM_ARRAY_TASK_ID)");
  return {sweep_task, [options] {
            int64_t task = options->task;
            if (task < 0) {
              const char* id = std::getenv("SLURM_ARRAY_TASK_ID");
              if (id == nullptr) throw CLI::RequiredError("--task (or SLURM_ARRAY_TASK_ID)");
              task = std::atoll(id);
            }
            core::install_interrupt_handlers();
            return sweep::run_array_task(options->dir, task);
          }};
}

Command setup_collect(CLI::App& app) {
  auto options = std::make_shared<CollectCommandOptions>();
  auto* collect =
      app.add_subcommand("collect", "record a Slurm sweep's finished runs in its database");
  collect->add_option("dir", options->dir, "sweep directory")->required();
  return {collect, [options] {
            for (const auto& [status, count] : sweep::collect_runs(options->dir))
              fmt::print("{}: {}\n", core::to_string(status), count);
            return 0;
          }};
}

}  // namespace actbench::app::cli
