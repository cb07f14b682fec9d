// One run end to end: load and validate a config against its dataset (nothing written), then train
// it and write its run directory. The CLI's `run`, the sweep workers and Slurm tasks all go through
// here, so they cannot drift apart. It sits after store/ (it writes run directories) and before
// sweep/.
#pragma once

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/loader.hpp"
#include "core/run_status.hpp"
#include "data/dataset.hpp"
#include "model/network.hpp"

namespace actbench::experiment {

// A config loaded, validated and planned against its dataset's shape; no data loaded, nothing
// written.
struct PreparedRun {
  config::RunSpec spec;
  model::ModelPlan plan;
  data::DatasetShape shape;
};

// How the run's data is loaded: the data section of its spec, with the keys' locations.
data::LoadOptions load_options(const config::RunSpec& spec);

// Throws ConfigError for any mistake (including ones only building the network reveals).
PreparedRun prepare_run(const std::string& config_file,
                        const std::vector<config::CliOverride>& overrides);
// The same for a spec already read (a sweep's runs).
PreparedRun prepare_spec(config::RunSpec spec);

struct RunOptions {
  bool console = true;  // print the epoch table and the final result table
  std::FILE* out = stdout;
  std::string command_line;  // recorded in meta.json
  std::filesystem::path
      run_dir;      // use exactly this directory (a sweep's); "" = a new one in output.dir
  int threads = 0;  // intra-op threads for this process; 0 = train.threads
};

struct RunOutcome {
  std::filesystem::path directory;
  core::RunStatus status = core::RunStatus::kCompleted;
  nlohmann::ordered_json summary;
};

// Trains the prepared run and writes its directory. A diverged or interrupted run is a result, not
// an exception; config mistakes and data problems throw before anything is created.
RunOutcome execute_run(PreparedRun prepared, const RunOptions& options);

// The result table printed at the end of a run (Markdown).
std::string result_table(const nlohmann::ordered_json& summary, const std::string& title);

}  // namespace actbench::experiment
