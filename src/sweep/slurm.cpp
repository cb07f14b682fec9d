// Slurm job arrays for sweeps (see slurm.hpp).
#include "sweep/slurm.hpp"

#include <fmt/format.h>

#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/interrupt.hpp"
#include "core/strings.hpp"
#include "experiment/experiment.hpp"
#include "store/results_db.hpp"
#include "sweep/sweep_runner.hpp"

namespace actbench::sweep {

namespace {

std::filesystem::path tasks_file(const std::filesystem::path& dir) {
  return dir / "slurm" / "tasks.txt";
}

// Whether the run directory holds a result (a summary.json saying completed or diverged).
bool has_finished(const std::filesystem::path& run_dir) {
  const auto summary = run_dir / "summary.json";
  if (!std::filesystem::exists(summary)) return false;
  return core::has_result(core::parse_run_status(
      nlohmann::json::parse(core::read_file(summary)).value("status", "failed"), summary.string()));
}

}  // namespace

SlurmArray write_slurm_array(const SweepPlan& plan, const SlurmOptions& options,
                             const std::filesystem::path& executable) {
  const std::filesystem::path dir = std::filesystem::absolute(plan.directory);
  // The directives are built, and so every value checked, before anything is written: a refused
  // value leaves no sweep directory behind.
  const SlurmScriptParts parts{plan.name, dir.string(),
                               std::filesystem::absolute(executable).string()};
  const SlurmScriptBody body = slurm_script_body(parts, options);

  PreparedSweep prepared = prepare_sweep_directory(plan, options.resume);
  std::filesystem::create_directories(dir / "slurm");
  // Runs whose directories finished on the cluster but were not collected yet are not resubmitted.
  std::string tasks;
  SlurmArray array;
  array.script = dir / "slurm" / "array.sbatch";
  for (const SweepRun* run : prepared.todo) {
    if (has_finished(dir / run->planned.directory)) continue;
    tasks += run->planned.run_id + "\n";
    ++array.tasks;
  }
  core::write_file_atomic(tasks_file(dir), tasks);
  const std::string script = slurm_script(parts, body, array.tasks, options);
  core::write_file_atomic(array.script, script);
  return array;
}

int run_array_task(const std::filesystem::path& sweep_dir, int64_t task) {
  // Checked before anything is touched: the cleanup below removes a directory built from the id.
  if (task < 0) throw Error(fmt::format("array task {} is negative: task ids count from 0", task));
  std::ifstream in(tasks_file(sweep_dir));
  if (!in)
    throw Error(fmt::format("{} not found: is {} a Slurm sweep directory?",
                            tasks_file(sweep_dir).string(), sweep_dir.string()));
  std::string run_id;
  for (int64_t i = 0; i <= task; ++i) {
    if (!std::getline(in, run_id)) {
      throw Error(fmt::format("array task {} is beyond the {} tasks in {}", task, i,
                              tasks_file(sweep_dir).string()));
    }
  }
  // A run id is one path component the sweep wrote; anything else (empty, "..", a slash) would make
  // the cleanup below remove a directory that is not this task's run.
  if (run_id.empty() || run_id == "." || run_id == ".." ||
      run_id.find_first_of("/\\") != std::string::npos || core::has_control_character(run_id)) {
    throw Error(fmt::format("line {} of {} is not a run id: {}", task + 1,
                            tasks_file(sweep_dir).string(), nlohmann::json(run_id).dump()));
  }
  const auto run_dir = sweep_dir / "runs" / run_id;
  if (has_finished(run_dir)) {
    fmt::print("run {} finished already\n", run_id);
    return 0;
  }
  std::filesystem::remove_all(run_dir);  // a requeued task starts its run from scratch
  experiment::RunOptions options;
  options.run_dir = run_dir;
  options.console = true;
  if (const char* cpus = std::getenv("SLURM_CPUS_PER_TASK")) options.threads = std::atoi(cpus);
  options.command_line =
      fmt::format("actbench sweep-task {} (array task {})", sweep_dir.string(), task);
  const auto outcome = experiment::execute_run(
      experiment::prepare_run((sweep_dir / "configs" / (run_id + ".yaml")).string(), {}), options);
  return outcome.status == core::RunStatus::kInterrupted ? core::interrupt_exit_code() : 0;
}

std::map<core::RunStatus, int64_t> collect_runs(const std::filesystem::path& sweep_dir) {
  const auto db_file = sweep_dir / "results.db";
  if (!std::filesystem::exists(db_file))
    throw Error(fmt::format("{} has no results.db: is it a sweep directory?", sweep_dir.string()));
  DirectoryLock lock(sweep_dir);
  store::ResultsDb db(db_file);
  for (const auto& row : db.runs()) {
    if (core::has_result(row.status)) continue;
    const auto run_dir = sweep_dir / row.directory;
    if (std::filesystem::exists(run_dir / "summary.json"))
      db.record_finished(row.run_id, run_dir, "");
  }
  return db.status_counts();
}

}  // namespace actbench::sweep
