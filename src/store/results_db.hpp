// The results database of a sweep: one SQLite file (results.db) in the sweep's directory, queryable
// with plain SQL. Every planned run is a row before the first run starts; a finished run's status,
// summary, per-layer finals and long-format metrics are written in ONE transaction, so an
// interrupted sweep leaves either the whole run or none of it (SQLite's journal rolls back a
// half-written one).
//
// Tables:
//   sweep(key, value)                      name, base config, varied keys (JSON), created
//   runs(run_id, position, status, ...)    one row per planned run, with its summary metrics
//                                          (regression: train_mse, test_mse, collapsed, psnr)
//   run_params(run_id, key, value)         the value of every varied key, as text
//   layers(run_id, layer_index, name, ...) each hidden layer's final probes
//   metrics(run_id, epoch, step, layer, metric, value)   every row of the run's metrics.csv
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/run_status.hpp"

struct sqlite3;

namespace actbench::store {

struct PlannedRun {
  std::string run_id;
  int64_t position = 0;
  int64_t seed = 0;
  std::string directory;                      // relative to the sweep directory
  std::string config_json;                    // the resolved config
  std::map<std::string, std::string> params;  // varied key -> value as text
};

struct RunRow {
  std::string run_id;
  int64_t position = 0;
  core::RunStatus status = core::RunStatus::kPending;
  std::string reason;
  int64_t seed = 0;
  std::string directory;
  std::string config_json;
  double seconds = 0.0;
  std::optional<double> test_accuracy, test_loss, train_loss;
  std::optional<double> train_mse, test_mse, psnr;  // regression runs (psnr: image data)
  std::optional<bool> collapsed;                    // regression runs
  std::map<std::string, std::string> params;
  struct Layer {
    std::string name;
    double dead_fraction = 0, saturated_fraction = 0, grad_norm = 0, backprop_grad_norm = 0;
  };
  std::vector<Layer> layers;
};

class ResultsDb {
 public:
  explicit ResultsDb(const std::filesystem::path& file);
  ~ResultsDb();
  ResultsDb(const ResultsDb&) = delete;
  ResultsDb& operator=(const ResultsDb&) = delete;

  void set_info(const std::string& key, const std::string& value);
  std::optional<std::string> info(const std::string& key) const;

  // Inserts the planned runs that are not in the database yet (status pending).
  void plan(const std::vector<PlannedRun>& runs);
  void mark_running(const std::string& run_id);
  // Reads the run directory (summary.json, metrics.csv) and records everything in one transaction.
  // `failure` (non-empty) records the run as failed with that reason when it left no summary.
  void record_finished(const std::string& run_id, const std::filesystem::path& run_dir,
                       const std::string& failure);

  std::vector<RunRow> runs() const;

  // One metric at the end of every epoch (the records that have a test loss), for every run.
  struct EpochValue {
    std::string run_id;
    int64_t epoch = 0;
    std::string layer;  // "" for run-level metrics
    double value = 0.0;
  };
  std::vector<EpochValue> epoch_values(const std::string& metric) const;
  std::map<core::RunStatus, int64_t> status_counts() const;
  std::string integrity_check() const;  // "ok" when PRAGMA integrity_check passes

 private:
  void exec(const std::string& sql) const;
  void add_missing_columns();
  void rollback() const;  // of the open transaction, if any; never throws
  sqlite3* db_ = nullptr;
  std::filesystem::path file_;
  std::vector<std::string> missing_columns_;  // "name TYPE" of columns an older database lacks
};

}  // namespace actbench::store
