// Sweeps beyond one machine: `actbench sweep ... --backend slurm` prepares the sweep directory
// exactly as a local sweep does, then writes a Slurm job-array script with one array task per
// unfinished run. Each task runs `actbench sweep-task DIR` (task number from SLURM_ARRAY_TASK_ID),
// which trains its run into runs/<id>/ and touches nothing else: SQLite on a cluster file system
// does not take concurrent writers well. `actbench collect DIR` then records the finished run
// directories into results.db, so
// --resume and `actbench report` work as for a local sweep.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "core/run_status.hpp"
#include "sweep/slurm_script.hpp"
#include "sweep/sweep_plan.hpp"

namespace actbench::sweep {

struct SlurmArray {
  std::filesystem::path script;  // <dir>/slurm/array.sbatch
  int64_t tasks = 0;             // 0 when every run has finished already
};

SlurmArray write_slurm_array(const SweepPlan& plan, const SlurmOptions& options,
                             const std::filesystem::path& executable);

// One array task: runs the task's run (skips it if it finished already). Returns the exit code.
int run_array_task(const std::filesystem::path& sweep_dir, int64_t task);

// Records every finished run directory into the database; returns the status counts.
std::map<core::RunStatus, int64_t> collect_runs(const std::filesystem::path& sweep_dir);

}  // namespace actbench::sweep
