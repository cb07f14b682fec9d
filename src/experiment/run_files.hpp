// The steps of a run that a run alone and a packed member share: its device and data, its
// meta.json, the files written before and after training, and execute_members(), the one execute
// path that execute_run() (one member, the solo engine) and execute_pack() (K members, the pack
// engine) both are, so a member's directory is a run directory like any other.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "experiment/experiment.hpp"
#include "experiment/pack.hpp"
#include "store/run_directory.hpp"
#include "train/trainer.hpp"

namespace actbench::experiment {

// train.device checked against what this LibTorch sees; throws a located ConfigError.
torch::Device parse_device(const config::RunSpec& spec);
// The run's dataset as its data section describes it; throws DataError for missing files.
data::Dataset load_run_dataset(const config::RunSpec& spec);
// meta.json at the start of a run (status "running").
nlohmann::ordered_json meta_json(const PreparedRun& prepared, const data::Dataset& dataset,
                                 const std::vector<std::string>& init_report,
                                 const RunOptions& options, const std::string& start_time,
                                 int64_t parameters);
std::vector<std::string> layer_names(model::NetworkImpl& network);
// config.yaml, overrides.txt and meta.json.
void write_run_start(const config::RunSpec& spec, const store::RunDirectory& directory,
                     const nlohmann::ordered_json& meta);
// weights.pt (if asked), summary.json and the final meta.json; returns the summary.
nlohmann::ordered_json write_run_end(const config::RunSpec& spec, const train::TrainResult& result,
                                     model::NetworkImpl& network, const data::Dataset& dataset,
                                     const store::RunDirectory& directory,
                                     nlohmann::ordered_json& meta);
struct ExecuteOptions {
  RunOptions run;             // console, out, command line, threads (run_dir: see the members)
  bool packed = false;        // false: exactly one member, trained alone by the solo engine
  std::string pack_id;        // recorded in each packed member's meta.json
  bool member_lines = false;  // a pack prints one line per member at the end
};
// Trains the members and writes each member's run directory (a member's run_dir, or a new one in
// its output.dir when empty). Throws ConfigError when packed members cannot share a pack.
std::vector<RunOutcome> execute_members(std::vector<PackMemberRun> members,
                                        const ExecuteOptions& options);
// The list of keys that may differ between the members of a pack, for messages.
std::string per_member_key_list();
// Records in meta.json that the run failed after its directory existed (best effort).
void write_run_failure(const store::RunDirectory& directory, nlohmann::ordered_json& meta,
                       const std::string& reason);

}  // namespace actbench::experiment
