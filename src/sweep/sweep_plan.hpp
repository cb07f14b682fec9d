// A sweep's plan: a base config, fixed overrides, axes (a cartesian grid, zipped lists varied
// together, and seeds) expanded into runs. Every run's config is resolved and validated here,
// before anything runs, so a bad value anywhere fails the whole sweep at its file:line:col. A run's
// id is the digest of its resolved config: the same run always gets the same id, which is what
// makes --resume exact.
//
// Sweep file (experiments/*.yaml):
//   name: activation_zoo_mnist          # default: the file's name
//   base: ../configs/mnist_mlp.yaml     # relative to this file
//   set: {train.epochs: 3}              # fixed overrides
//   grid: {model.activation: [relu, gelu, tanh], optim.lr: [0.1, 0.01]}
//   zip: {model.activation: [sine, relu], model.init: [siren, kaiming_normal]}
//   seeds: [0, 1, 2]
//   workers: 2                          # default: one per core
//   threads: 1                          # intra-op threads per worker
// A plain config works too: `actbench sweep configs/mnist_mlp.yaml model.activation=relu,gelu
// seed=0,1`.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "config/loader.hpp"
#include "config/tree.hpp"
#include "experiment/experiment.hpp"
#include "store/results_db.hpp"

namespace actbench::sweep {

struct SweepRun {
  store::PlannedRun planned;
  experiment::PreparedRun prepared;
  std::string label;  // "model.activation=gelu seed=1"
};

struct SweepPlan {
  std::string name;
  std::string source_file;
  std::string base_config;
  std::vector<std::string> varied_keys;  // in axis order; "seed" included when seeds vary
  std::vector<SweepRun> runs;
  int64_t workers = 0;  // 0: not set by the sweep file
  int64_t threads = 0;
  std::filesystem::path directory;  // results/<name> unless set
};

// Runs one plan may hold. Every run is resolved, validated and kept in memory before the first
// starts: about kPlannedRunBytes each for an MNIST MLP (measured with --dry-run: 1,000 runs 1.9 GB,
// 3,000 runs 8.4 GB; most of it is each activation's computed properties). The limit is checked
// before any run is planned; 50,000 keeps the largest study (dying_relu --full, 30,000 runs)
// plannable, and only fits in memory once the per-run cost comes down.
inline constexpr size_t kMaxPlannedRuns = 50000;
inline constexpr size_t kPlannedRunBytes = size_t{3200} << 10;

// The keys a sweep file takes, with the form of their value and what they do: what the file may
// hold (anything else is refused with a suggestion) and what `sweep --help` lists.
struct SweepFileKey {
  std::string name, value, meaning;
};
const std::vector<SweepFileKey>& sweep_file_keys();

// Whether `file` is a sweep file (a map with base, grid, zip or seeds) rather than a config: how
// `sweep` and `validate` tell them apart. Throws ConfigError where the YAML cannot be read.
bool is_sweep_file(const std::string& file);

// Reads a sweep file (or a plain config) plus command-line overrides, `key=a,b,c` being an axis.
// A plan over kMaxPlannedRuns runs is a ConfigError at the axis that takes it past the limit.
SweepPlan plan_sweep(const std::string& file, const std::vector<config::CliOverride>& overrides);

// The plan as text: how many runs, and which. Unless `every_run`, a plan of more than
// kPlanLinesShown runs lists its first and last few (every run's config is in <dir>/configs/, and
// `--dry-run` lists them all); long lists in a run's label (a 160-layer model.hidden) are shortened
// for display.
inline constexpr size_t kPlanLinesShown = 24;
std::string describe_plan(const SweepPlan& plan, bool every_run = false);

}  // namespace actbench::sweep
