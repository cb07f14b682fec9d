// Run directory layout and writers (see run_directory.hpp).
#include "store/run_directory.hpp"

#include <fmt/format.h>
#include <torch/serialize.h>
#include <torch/torch.h>

#include <cmath>

#include "config/loader.hpp"
#include "core/csv.hpp"
#include "core/files.hpp"
#include "core/interrupt.hpp"
#include "core/run_status.hpp"

namespace actbench::store {

using nlohmann::ordered_json;

std::string run_id(const config::RunSpec& spec) {
  return core::short_hash(config::to_json(spec).dump());
}

RunDirectory RunDirectory::create(const config::RunSpec& spec) {
  const std::filesystem::path parent = spec.output.dir;
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) {
    throw Error(
        fmt::format("cannot create the output directory {}: {}", parent.string(), ec.message()));
  }
  const std::string base = fmt::format("{}-{}", spec.name, run_id(spec));
  for (int attempt = 1; attempt < 10000; ++attempt) {
    const std::filesystem::path candidate =
        parent / (attempt == 1 ? base : fmt::format("{}-{}", base, attempt));
    // create_directory is atomic: two processes never get the same directory.
    if (std::filesystem::create_directory(candidate, ec)) return RunDirectory(candidate);
    if (ec) {
      throw Error(
          fmt::format("cannot create run directory {}: {}", candidate.string(), ec.message()));
    }
  }
  throw Error("too many runs named " + base + " in " + parent.string());
}

RunDirectory RunDirectory::create_at(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (!std::filesystem::create_directory(path, ec) || ec) {
    throw Error(fmt::format("cannot create run directory {}: {}", path.string(),
                            ec ? ec.message() : "it exists already"));
  }
  return RunDirectory(path);
}

void RunDirectory::write_text(const std::string& file, const std::string& content) const {
  // A second Ctrl-C during the write waits for the rename: no temporary file is left behind.
  const core::ExitDeferral finish_this_file_first;
  core::write_file_atomic(path_ / file, content);
}

void RunDirectory::write_json(const std::string& file, const ordered_json& value) const {
  write_text(file, value.dump(2) + "\n");
}

void RunDirectory::write_weights(model::NetworkImpl& network) const {
  c10::Dict<std::string, torch::Tensor> state;
  for (const auto& item : network.named_parameters())
    state.insert(item.key(), item.value().detach().cpu());
  for (const auto& item : network.named_buffers())
    state.insert(item.key(), item.value().detach().cpu());
  const std::vector<char> bytes = torch::pickle_save(state);
  write_text("weights.pt", std::string(bytes.begin(), bytes.end()));
}

MetricsRecorder::MetricsRecorder(const RunDirectory& directory,
                                 std::vector<std::string> layer_names)
    : directory_(directory), layer_names_(std::move(layer_names)), csv_(kHeader) {}

void MetricsRecorder::add(const train::Record& record, const std::string& layer, const char* metric,
                          double value) {
  if (std::isnan(value)) return;
  // {} prints the shortest text that reads back as the same double: reruns compare exactly.
  csv_ += fmt::format("{},{},{},{},{}\n", record.epoch, record.step, core::csv_cell(layer), metric,
                      value);
}

void MetricsRecorder::on_record(const train::Record& record) {
  add(record, "", "lr", record.lr);
  add(record, "", "train_loss", record.train_loss);
  add(record, "", "train_accuracy", record.train_accuracy);
  add(record, "", "test_loss", record.test_loss);
  add(record, "", "test_accuracy", record.test_accuracy);
  add(record, "", "train_psnr", record.train_psnr);
  add(record, "", "test_psnr", record.test_psnr);
  for (size_t i = 0; i < record.layers.size(); ++i) {
    const auto& l = record.layers[i];
    const std::string& name = layer_names_[i];
    add(record, name, "dead_fraction", l.probe.dead_fraction);
    add(record, name, "structural_dead_fraction", l.probe.structural_dead_fraction);
    add(record, name, "saturated_fraction", l.probe.saturated_fraction);
    add(record, name, "pre_mean", l.probe.pre_mean);
    add(record, name, "pre_std", l.probe.pre_std);
    add(record, name, "post_mean", l.probe.post_mean);
    add(record, name, "post_std", l.probe.post_std);
    add(record, name, "backprop_grad_norm", l.probe.backprop_grad_norm);
    if (record.epoch > 0) {
      add(record, name, "weight_grad_norm_mean", l.weight_grad.mean);
      add(record, name, "weight_grad_norm_max", l.weight_grad.max);
    }
  }
  // Rewriting the whole file after every step record would cost time quadratic in the run's
  // length; epoch records, and step records a few seconds apart, keep it current enough to watch.
  if (record.end_of_epoch || std::chrono::steady_clock::now() - last_write_ > kStepWriteInterval)
    flush();
  else
    unwritten_ = true;
}

void MetricsRecorder::flush() {
  directory_.write_text("metrics.csv", csv_);
  last_write_ = std::chrono::steady_clock::now();
  unwritten_ = false;
}

namespace {
ordered_json number_or_null(double value) {
  return std::isfinite(value) ? ordered_json(value) : ordered_json(nullptr);
}
}  // namespace

ordered_json make_summary(const train::TrainResult& result, model::NetworkImpl& network) {
  ordered_json summary;
  summary["status"] = core::to_string(result.status);
  if (!result.reason.empty()) summary["reason"] = result.reason;
  if (result.diverged_step >= 0) summary["diverged_step"] = result.diverged_step;
  const train::Record* last = nullptr;
  for (const auto& record : result.records)
    if (record.end_of_epoch) last = &record;
  summary["test_accuracy"] = last ? number_or_null(last->test_accuracy) : ordered_json(nullptr);
  summary["test_loss"] = last ? number_or_null(last->test_loss) : ordered_json(nullptr);
  summary["train_loss"] = last ? number_or_null(last->train_loss) : ordered_json(nullptr);
  summary["train_accuracy"] = last ? number_or_null(last->train_accuracy) : ordered_json(nullptr);
  summary["epochs"] = result.epochs_completed;
  summary["steps"] = result.steps;
  summary["seconds"] = result.seconds;
  ordered_json layers = ordered_json::array();
  for (size_t i = 0; i < network.num_hidden(); ++i) {
    const auto& info = network.info(i);
    ordered_json layer;
    layer["name"] = info.name;
    layer["units"] = info.units;
    layer["activation"] = info.activation;
    if (last != nullptr && i < last->layers.size()) {
      const auto& l = last->layers[i];
      layer["dead_fraction"] = l.probe.dead_fraction;
      layer["structural_dead_fraction"] = number_or_null(l.probe.structural_dead_fraction);
      layer["saturated_fraction"] = l.probe.saturated_fraction;
      layer["grad_norm"] = l.weight_grad.mean;
      layer["grad_norm_max"] = l.weight_grad.max;
      layer["backprop_grad_norm"] = l.probe.backprop_grad_norm;
      layer["pre_mean"] = l.probe.pre_mean;
      layer["pre_std"] = l.probe.pre_std;
      layer["post_mean"] = l.probe.post_mean;
      layer["post_std"] = l.probe.post_std;
    }
    layers.push_back(layer);
  }
  summary["layers"] = layers;
  return summary;
}

}  // namespace actbench::store
