// Runs a sweep plan: writes every run's resolved config, records the plan in the results database,
// then trains the runs in worker processes (`actbench run --run-dir ...`), so a crash in one run
// cannot take the sweep down, each with its own intra-op thread count. A lock file refuses a second
// sweep on the same directory. --resume skips runs that finished (completed or diverged) and reruns
// the rest from scratch. A resumed plan may grow the sweep (more seeds, more values of an axis: new
// run ids, planned after the sweep's own runs); one that drops or changes a run the sweep holds is
// refused, naming the config keys that differ.
#pragma once

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "core/run_status.hpp"
#include "sweep/sweep_plan.hpp"

namespace actbench::sweep {

struct SweepOptions {
  int workers = 0;  // 0: the plan's, else one per core
  int threads = 0;  // 0: the plan's, else 1
  bool resume = false;
  int64_t pack = 0;  // > 1: runs sharing their structure train in packs of up to this many
  std::filesystem::path executable;  // the actbench binary that runs each run
  std::FILE* out = stdout;
};

struct SweepOutcome {
  std::filesystem::path directory;
  std::map<core::RunStatus, int64_t> status_counts;
  int64_t executed = 0;  // runs started by this invocation
  bool interrupted = false;
};

// Holds an exclusive lock on <dir>/.lock while alive; the kernel drops it if the process dies.
class DirectoryLock {
 public:
  explicit DirectoryLock(const std::filesystem::path& dir);
  ~DirectoryLock();
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

// A sweep directory made ready to run: locked, every run's config written, the plan in the database
// (checked against an earlier plan when resuming: it may add runs, not drop or change one), and the
// runs still to do. Each step is safe to kill: the configs are written atomically and the plan goes
// into the database in one transaction, so the same call afterwards finds what it needs.
struct PreparedSweep {
  std::unique_ptr<DirectoryLock> lock;
  std::unique_ptr<store::ResultsDb> db;
  std::vector<const SweepRun*> todo;  // not completed and not diverged, in plan order
  int64_t added = 0;                  // runs this plan adds to a sweep that held others (it grew)
};
PreparedSweep prepare_sweep_directory(const SweepPlan& plan, bool resume);

// Default workers: one per core, one intra-op thread each (see README: measured runs per hour).
int default_workers();

SweepOutcome run_sweep(const SweepPlan& plan, const SweepOptions& options);

}  // namespace actbench::sweep
