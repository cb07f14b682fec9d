// Preparing, training and recording one run (see experiment.hpp).
#include "experiment/experiment.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cmath>
#include <regex>

#include "core/build_info.hpp"
#include "core/files.hpp"
#include "core/runtime.hpp"
#include "core/seeding.hpp"
#include "core/strings.hpp"
#include "experiment/run_files.hpp"
#include "store/dead_unit_masks.hpp"
#include "store/run_directory.hpp"
#include "train/task.hpp"
#include "train/trainer.hpp"

namespace actbench::experiment {

using nlohmann::ordered_json;

torch::Device parse_device(const config::RunSpec& spec) {
  static const std::regex kDevice("cpu|cuda(:[0-9]+)?");
  const SourceLocation where = spec.location_of("train.device");
  if (!std::regex_match(spec.train.device, kDevice)) {
    throw ConfigError(where, fmt::format("train.device is '{}'", spec.train.device),
                      "use cpu, cuda or cuda:N");
  }
  torch::Device device(spec.train.device);
  if (device.is_cuda()) {
    if (!torch::cuda::is_available()) {
      throw ConfigError(
          where,
          "train.device is " + spec.train.device + ", but this LibTorch build sees no CUDA device",
          "Debian's libtorch-dev is CPU-only: build against an upstream CUDA "
          "LibTorch (-DCMAKE_PREFIX_PATH) on a machine with a GPU, or use cpu");
    }
    if (device.has_index() && device.index() >= static_cast<int>(torch::cuda::device_count())) {
      throw ConfigError(where, fmt::format("there is no {} ({} CUDA devices)", spec.train.device,
                                           torch::cuda::device_count()));
    }
  }
  return device;
}

namespace {

void check_optimizer(const config::RunSpec& spec) {
  if (spec.optim.nesterov && (spec.optim.name != "sgd" || spec.optim.momentum <= 0.0)) {
    throw ConfigError(spec.location_of("optim.nesterov"),
                      "optim.nesterov needs optim.name: sgd with momentum > 0",
                      "set optim.momentum (e.g. 0.9) or remove nesterov");
  }
  if (spec.optim.schedule.name == "step" && spec.optim.schedule.gamma <= 0.0) {
    throw ConfigError(spec.location_of("optim.schedule.gamma"),
                      "optim.schedule.gamma must be > 0 for the step schedule");
  }
}

// The task and the dataset must agree, and a dataset's own section is only for that dataset.
void check_task_and_data(const config::RunSpec& spec, const data::DatasetEntry& dataset) {
  if (spec.task != dataset.task) {
    const bool task_written = spec.where.count("task") > 0;
    throw ConfigError(
        spec.location_of(task_written ? "task" : "data.dataset"),
        fmt::format("task is {}{}, but dataset '{}' is a {} dataset", spec.task,
                    task_written ? "" : " (the default)", dataset.name, dataset.task),
        dataset.task == "regression"
            ? "set task: regression (MSE loss), or choose a classification dataset"
            : "set task: classification, or choose a regression dataset (function, image)");
  }
  for (const char* section : {"function", "image"}) {
    const std::string key = std::string("data.") + section;
    if (spec.where.count(key) > 0 && dataset.name != section) {
      throw ConfigError(spec.location_of(key),
                        fmt::format("{} configures the {} dataset, but data.dataset is '{}'", key,
                                    section, dataset.name),
                        fmt::format("set data.dataset: {}, or remove {}", section, key));
    }
  }
}

std::string hostname() {
  char buffer[256] = {0};
  if (::gethostname(buffer, sizeof buffer - 1) != 0) return "unknown";
  return buffer;
}

}  // namespace

ordered_json meta_json(const PreparedRun& prepared, const data::Dataset& dataset,
                       const std::vector<std::string>& init_report, const RunOptions& options,
                       const std::string& start_time, int64_t parameters) {
  const core::BlasInfo blas = core::detect_blas();
  const char* wait_policy = std::getenv("OMP_WAIT_POLICY");
  ordered_json meta;
  meta["status"] = core::to_string(core::RunStatus::kRunning);
  meta["actbench_version"] = core::version();
  meta["git_commit"] = core::git_commit();
  meta["libtorch_version"] = core::torch_version();
  meta["blas"] = {{"name", blas.name}, {"library", blas.library}, {"details", blas.details}};
  meta["threads"] = core::compute_threads();
  meta["omp_wait_policy"] = wait_policy ? wait_policy : "";
  meta["seed"] = prepared.spec.seed;
  meta["device"] = prepared.spec.train.device;
  meta["hostname"] = hostname();
  meta["start_time"] = start_time;
  meta["command"] = options.command_line;
  meta["config_file"] = prepared.spec.config_file;
  meta["overrides"] = prepared.spec.overrides;
  meta["dataset"] = {{"name", dataset.name},
                     {"train_samples", dataset.train.size()},
                     {"test_samples", dataset.test.size()},
                     {"normalized", prepared.spec.data.normalize},
                     {"files", dataset.files}};
  meta["model"] = {{"summary", prepared.plan.summary},
                   {"parameters", parameters},
                   {"initialization", init_report}};
  return meta;
}

data::Dataset load_run_dataset(const config::RunSpec& spec) {
  data::Dataset dataset = data::load_dataset(spec.data.dataset, load_options(spec));
  if (spec.data.input_scale != 1.0) {
    dataset.train.images = dataset.train.images * spec.data.input_scale;
    dataset.test.images = dataset.test.images * spec.data.input_scale;
  }
  return dataset;
}

PreparedRun prepare_run(const std::string& config_file,
                        const std::vector<config::CliOverride>& overrides) {
  return prepare_spec(config::load_run_spec(config_file, overrides));
}

data::LoadOptions load_options(const config::RunSpec& spec) {
  data::LoadOptions load;
  // data.root at its default ("data") follows $ACTBENCH_DATA, so runs work from any directory; a
  // sweep's resolved configs spell the default out, so a "was it written" test would not do.
  load.root = spec.data.root == config::DataSpec{}.root ? data::default_root()
                                                        : std::filesystem::path(spec.data.root);
  load.normalize = spec.data.normalize;
  load.train_subset = spec.data.train_subset;
  load.test_subset = spec.data.test_subset;
  load.seed = core::data_seed(spec.seed);
  load.function_target = spec.data.function.target;
  load.function_dims = spec.data.function.dims;
  load.function_train_points = spec.data.function.n_train;
  load.function_test_points = spec.data.function.n_test;
  load.function_seed = static_cast<uint64_t>(spec.data.function.seed);
  load.image_file = spec.data.image.file;
  load.image_size = spec.data.image.size;
  load.where = spec.where;
  load.config_location = spec.location_of("");
  return load;
}

PreparedRun prepare_spec(config::RunSpec spec) {
  PreparedRun prepared;
  prepared.spec = std::move(spec);
  const data::DatasetEntry& dataset =
      data::dataset_entry(prepared.spec.data.dataset, prepared.spec.location_of("data.dataset"));
  prepared.spec.data.dataset = dataset.name;  // an alias resolves to the canonical name
  check_task_and_data(prepared.spec, dataset);
  prepared.shape = data::dataset_shape(dataset, load_options(prepared.spec));
  parse_device(prepared.spec);
  check_optimizer(prepared.spec);
  prepared.plan = model::plan_model(prepared.spec, prepared.shape);
  // Building on the CPU surfaces the errors only an initialiser can see (siren without a sine).
  core::seed_init_generator(prepared.spec.seed);
  model::build_network(prepared.plan, prepared.spec.model, torch::kCPU);
  return prepared;
}

void write_run_failure(const store::RunDirectory& directory, ordered_json& meta,
                       const std::string& reason) {
  // A full or read-only disk, or anything else that stops the run after its directory exists:
  // say so in meta.json if the disk still takes that small file, so the directory does not
  // claim to be running forever. The files already written stay as they are.
  spdlog::debug("run: failed {}: {}", directory.path().string(), reason);
  meta["status"] = core::to_string(core::RunStatus::kFailed);
  meta["reason"] = reason;
  meta["end_time"] = core::utc_now_iso8601();
  try {
    directory.write_json("meta.json", meta);
  } catch (const std::exception& also) {
    spdlog::warn("cannot record the failure in {}: {}", directory.path().string(), also.what());
  }
}

void write_run_start(const config::RunSpec& spec, const store::RunDirectory& directory,
                     const ordered_json& meta) {
  directory.write_text("config.yaml", config::to_yaml(spec));
  std::string overrides_text;
  for (const auto& o : spec.overrides) overrides_text += o + "\n";
  directory.write_text("overrides.txt", overrides_text);
  directory.write_json("meta.json", meta);
}

ordered_json write_run_end(const config::RunSpec& spec, const train::TrainResult& result,
                           model::NetworkImpl& network, const data::Dataset& dataset,
                           const store::RunDirectory& directory, ordered_json& meta) {
  store::write_dead_unit_masks(directory, result.records, layer_names(network));
  if (spec.output.save_weights) directory.write_weights(network);
  ordered_json summary = store::make_summary(result, network);
  summary.update(train::task_summary(spec, network, dataset));
  directory.write_json("summary.json", summary);
  meta["status"] = core::to_string(result.status);
  if (!result.reason.empty()) meta["reason"] = result.reason;
  meta["end_time"] = core::utc_now_iso8601();
  meta["seconds"] = result.seconds;
  directory.write_json("meta.json", meta);
  spdlog::debug("run: end {}: {} after {} steps in {:.1f} s{}", directory.path().string(),
                core::to_string(result.status), result.steps, result.seconds,
                result.reason.empty() ? "" : " (" + result.reason + ")");
  return summary;
}

std::vector<std::string> layer_names(model::NetworkImpl& network) {
  std::vector<std::string> names;
  for (size_t i = 0; i < network.num_hidden(); ++i) names.push_back(network.info(i).name);
  return names;
}

std::string result_table(const ordered_json& summary, const std::string& title) {
  auto number = [](const ordered_json& value, const char* format) {
    return value.is_number() ? fmt::format(fmt::runtime(format), value.get<double>()) : "-";
  };
  std::string out =
      summary.contains("test_mse")
          ? fmt::format(
                "{}: status {}, test MSE {}, train MSE {}, collapsed {}{}, {} epochs in {}s\n\n",
                title, summary.value("status", "?"), number(summary["test_mse"], "{:.4g}"),
                number(summary["train_mse"], "{:.4g}"),
                summary["collapsed"].is_boolean()
                    ? (summary["collapsed"].get<bool>() ? "yes" : "no")
                    : "-",
                summary.contains("psnr") ? ", PSNR " + number(summary["psnr"], "{:.2f}") + " dB"
                                         : std::string(),
                summary.value("epochs", 0), number(summary["seconds"], "{:.1f}"))
          : fmt::format(
                "{}: status {}, test accuracy {}, test loss {}, train loss {}, {} epochs in "
                "{}s\n\n",
                title, summary.value("status", "?"), number(summary["test_accuracy"], "{:.4f}"),
                number(summary["test_loss"], "{:.4f}"), number(summary["train_loss"], "{:.4f}"),
                summary.value("epochs", 0), number(summary["seconds"], "{:.1f}"));
  out +=
      "| layer | units | activation | dead | saturated | mean \\|dL/dW\\| | \\|dL/dz\\| | post "
      "mean | post std |\n";
  out += "|---|---:|---|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& layer : summary["layers"]) {
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", layer.value("name", ""),
                       layer.value("units", 0), layer.value("activation", ""),
                       layer.contains("dead_fraction")
                           ? fmt::format("{:.1f}%", 100 * layer["dead_fraction"].get<double>())
                           : "-",
                       layer.contains("saturated_fraction")
                           ? fmt::format("{:.1f}%", 100 * layer["saturated_fraction"].get<double>())
                           : "-",
                       number(layer.value("grad_norm", ordered_json()), "{:.3e}"),
                       number(layer.value("backprop_grad_norm", ordered_json()), "{:.3e}"),
                       number(layer.value("post_mean", ordered_json()), "{:.3f}"),
                       number(layer.value("post_std", ordered_json()), "{:.3f}"));
  }
  return out;
}

}  // namespace actbench::experiment
