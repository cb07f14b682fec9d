// A run's directory, `<output.dir>/<name>-<id>/`: the resolved config, meta.json, the long-format
// metrics.csv (one row per epoch, step, layer and metric), summary.json and weights.pt. Every file
// is rewritten atomically, so a crash at any moment leaves only whole files. The id is a digest of
// the resolved config: the same config gets the same id (a rerun gets a `-2`, `-3`, ... suffix).
#pragma once

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/run_spec.hpp"
#include "model/network.hpp"
#include "train/trainer.hpp"

namespace actbench::store {

std::string run_id(const config::RunSpec& spec);

class RunDirectory {
 public:
  // Creates a new, empty directory for the run; never reuses an existing one.
  static RunDirectory create(const config::RunSpec& spec);
  // Creates exactly `path` (a sweep decides its runs' directories); it must not exist yet.
  static RunDirectory create_at(const std::filesystem::path& path);
  explicit RunDirectory(std::filesystem::path path) : path_(std::move(path)) {}

  const std::filesystem::path& path() const { return path_; }
  void write_text(const std::string& file, const std::string& content) const;
  void write_json(const std::string& file, const nlohmann::ordered_json& value) const;
  // The network's parameters and buffers as a dict of tensors, loadable in Python with torch.load.
  void write_weights(model::NetworkImpl& network) const;

 private:
  std::filesystem::path path_;
};

// Collects every training record as long-format rows and rewrites metrics.csv after each epoch
// record, after a step record when the last write is kStepWriteInterval old, and at flush(), which
// the run calls when training ends however it ends.
class MetricsRecorder : public train::TrainingObserver {
 public:
  MetricsRecorder(const RunDirectory& directory, std::vector<std::string> layer_names);
  void on_record(const train::Record& record) override;
  void flush();
  bool has_unwritten_rows() const { return unwritten_; }
  static constexpr const char* kHeader = "epoch,step,layer,metric,value\n";
  static constexpr std::chrono::seconds kStepWriteInterval{5};

 private:
  void add(const train::Record& record, const std::string& layer, const char* metric, double value);
  const RunDirectory& directory_;
  std::vector<std::string> layer_names_;
  std::string csv_;
  std::chrono::steady_clock::time_point last_write_ = std::chrono::steady_clock::now();
  bool unwritten_ = false;
};

// summary.json: final metrics, and per hidden layer its final probes.
nlohmann::ordered_json make_summary(const train::TrainResult& result, model::NetworkImpl& network);

}  // namespace actbench::store
