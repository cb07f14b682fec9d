// The text of a Slurm job-array script, apart from everything else the Slurm backend does (it needs
// only fmt and core/, so the fuzzer in fuzz/slurm_script_fuzzer.cpp builds it in seconds). Every
// value that comes from a config or the command line is checked or quoted here: a generated script
// parses with `bash -n` and runs no command that was embedded in a name, a path or a flag.
#pragma once

#include <cstdint>
#include <string>

namespace actbench::sweep {

struct SlurmOptions {
  std::string partition;  // --partition; "" = the cluster's default
  std::string time;       // --time, e.g. 00:30:00; "" = the partition's default
  std::string mem;        // --mem, e.g. 4G; "" = default
  int cpus_per_task = 1;  // also the runs' intra-op threads
  int max_parallel = 0;   // the array's %N throttle; 0 = no limit
  bool resume = false;
};

struct SlurmScriptParts {
  std::string sweep_name;
  std::string sweep_dir;   // absolute
  std::string executable;  // absolute path of the actbench binary the tasks run
};

// The `#SBATCH` directives other than --array, and the command line. Throws actbench::Error
// (naming the flag or the value) for a value that no script could carry safely: checked before a
// sweep directory is written, so a refusal leaves nothing behind.
struct SlurmScriptBody {
  std::string directives;
  std::string command;
};
SlurmScriptBody slurm_script_body(const SlurmScriptParts& parts, const SlurmOptions& options);

// The whole script for `tasks` array tasks.
std::string slurm_script(const SlurmScriptParts& parts, const SlurmScriptBody& body, int64_t tasks,
                         const SlurmOptions& options);

}  // namespace actbench::sweep
