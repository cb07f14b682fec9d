// `actbench sweep-task` (one Slurm array task of a sweep) and `actbench collect` (record a Slurm
// sweep's finished runs in its database): the two halves of the Slurm backend.
#include <fmt/format.h>

#include <charconv>
#include <cstdlib>
#include <memory>
#include <optional>

#include "app/cli/cli.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/strings.hpp"
#include "sweep/slurm.hpp"

namespace actbench::app::cli {
namespace {

struct SweepTaskCommandOptions {
  std::string dir;
  std::optional<int64_t> task;  // unset: $SLURM_ARRAY_TASK_ID
};

// The array task id from the environment, strictly: "abc" or "-5" must not become a task (atoll
// made "abc" task 0, and a negative id once made the retry cleanup delete every run).
int64_t task_from_environment() {
  const char* id = std::getenv("SLURM_ARRAY_TASK_ID");
  if (id == nullptr) throw CLI::RequiredError("--task (or SLURM_ARRAY_TASK_ID)");
  const std::string text = id;
  int64_t task = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), task);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || task < 0) {
    throw Error(fmt::format(
        "SLURM_ARRAY_TASK_ID is '{}', not a task number (0, 1, 2, ...): nothing was run or removed",
        core::single_line(text)));
  }
  return task;
}

struct CollectCommandOptions {
  std::string dir;
};

}  // namespace

Command setup_sweep_task(CLI::App& app) {
  auto options = std::make_shared<SweepTaskCommandOptions>();
  auto* sweep_task = app.add_subcommand("sweep-task", "run one Slurm array task of a sweep");
  sweep_task->add_option("dir", options->dir, "sweep directory")->required();
  sweep_task->add_option("--task", options->task, "task number (default: $SLURM_ARRAY_TASK_ID)")
      ->check(CLI::Validator(
          [](const std::string& text) -> std::string {
            return !text.empty() && text[0] != '-' ? ""
                                                   : "a task number counts from 0, got " + text;
          },
          "TASK >= 0"));
  return {sweep_task, [options] {
            const int64_t task = options->task ? *options->task : task_from_environment();
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
