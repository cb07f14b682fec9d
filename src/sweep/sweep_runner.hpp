// Runs a sweep plan: writes every run's resolved config, records the plan in the results database, then
// trains the runs in worker processes (`actbench run --run-dir ...`), so a crash in one run cannot take
// the sweep down, each with its own intra-op thread count. A lock file refuses a second sweep on the same
// directory. --resume skips runs that finished (completed or diverged) and reruns the rest from scratch.
#pragma once

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "sweep/sweep_plan.hpp"

namespace actbench::sweep {

struct SweepOptions {
  int workers = 0;  // 0: the plan's, else one per core
  int threads = 0;  // 0: the plan's, else 1
  bool resume = false;
  std::filesystem::path executable;  // the actbench binary that runs each run
  std::FILE* out = stdout;
};

struct SweepOutcome {
  std::filesystem::path directory;
  std::map<std::string, int64_t> status_counts;  // completed, diverged, failed, ...
  int64_t executed = 0;                          // runs started by this invocation
  bool interrupted = false;
};

// Default workers: one per core, one intra-op thread each (see README: measured runs per hour).
int default_workers();

SweepOutcome run_sweep(const SweepPlan& plan, const SweepOptions& options);

}  // namespace actbench::sweep
