// The steps of a run that a run alone and a packed member share: its device and data, its
// meta.json, and the files written before and after training. execute_run() and execute_pack()
// both go through these, so a member's directory is a run directory like any other.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "experiment/experiment.hpp"
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
// Records in meta.json that the run failed after its directory existed (best effort).
void write_run_failure(const store::RunDirectory& directory, nlohmann::ordered_json& meta,
                       const std::string& reason);

}  // namespace actbench::experiment
