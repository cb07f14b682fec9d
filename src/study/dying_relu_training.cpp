// The dying-ReLU study's training measurement: three sweeps (MNIST MLP, Fashion-MNIST MLP, MNIST
// CNN) over optimiser x learning rate x activation x seed, read back from their databases (dead
// and structurally dead fractions at every probe record) and their runs' dead-unit masks (which
// units, hence how many come back).
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "model/properties.hpp"
#include "store/dead_unit_masks.hpp"
#include "study/dying_relu.hpp"
#include "study/study_support.hpp"

namespace actbench::study {
namespace {

struct DyingSweep {
  std::string key;      // directory suffix
  std::string setting;  // as tables show it
  std::string file;
  std::vector<std::string> full_overrides;
};

const std::vector<DyingSweep>& dying_sweeps() {
  static const std::vector<DyingSweep> sweeps{
      {"mnist_mlp", "MNIST MLP", "experiments/dying_relu_training.yaml", {"train.epochs=3"}},
      {"fashion_mnist_mlp",
       "Fashion-MNIST MLP",
       "experiments/dying_relu_training_fashion.yaml",
       {"train.epochs=3", "seed=0,1,2"}},
      {"mnist_cnn",
       "MNIST CNN",
       "experiments/dying_relu_training_cnn.yaml",
       {"data.train_subset=0", "data.test_subset=0", "seed=0,1,2",
        "model.activation=relu,leaky_relu,prelu,elu,gelu,silu"}},
  };
  return sweeps;
}

std::string optimiser_label(const std::map<std::string, std::string>& params) {
  const auto name = params.find("optim.name");
  if (name != params.end() && name->second == "adam") return "Adam";
  const auto momentum = params.find("optim.momentum");
  if (momentum != params.end() && std::stod(momentum->second) > 0)
    return fmt::format("SGD + momentum {:g}", std::stod(momentum->second));
  return "SGD";
}

// Whether the catalogue finds a half-line where f' = 0 by definition, once per activation.
bool has_flat_half_line(const std::string& activation) {
  static std::map<std::string, bool> cache;
  auto found = cache.find(activation);
  if (found == cache.end()) {
    const auto properties = model::compute_properties(model::default_activation(activation));
    found = cache.emplace(activation, properties.has_flat_half_line()).first;
  }
  return found->second;
}

// run -> step -> layer -> value
using RecordValues = std::map<std::string, std::map<int64_t, std::map<std::string, double>>>;

RecordValues record_values(const std::filesystem::path& sweep_dir, const std::string& metric) {
  RecordValues out;
  for (const auto& row : read_metric(sweep_dir, metric))
    if (!row.layer.empty()) out[row.run_id][row.step][row.layer] = row.value;
  return out;
}

void fill_from_records(DyingRun& run, const std::map<int64_t, std::map<std::string, double>>& dead,
                       const std::map<int64_t, std::map<std::string, double>>& structural) {
  for (const auto& [step, layers] : dead) {
    double worst_dead = 0, worst_structural = 0, worst_numerical = 0;
    const auto s = structural.find(step);
    for (const auto& [layer, value] : layers) {
      const double st = s != structural.end() && s->second.count(layer) ? s->second.at(layer) : 0.0;
      worst_dead = std::max(worst_dead, value);
      worst_structural = std::max(worst_structural, st);
      worst_numerical = std::max(worst_numerical, value - st);
    }
    run.steps.push_back(step);
    run.worst_structural.push_back(worst_structural);
    run.peak_dead = std::max(run.peak_dead, worst_dead);
    run.peak_structural = std::max(run.peak_structural, worst_structural);
    run.peak_numerical = std::max(run.peak_numerical, worst_numerical);
  }
  if (dead.empty()) return;
  const auto& [last_step, last_layers] = *dead.rbegin();
  for (const auto& [layer, value] : last_layers) {
    const auto s = structural.find(last_step);
    const double st = s != structural.end() && s->second.count(layer) ? s->second.at(layer) : 0.0;
    if (run.worst_layer.empty() || st > run.final_structural ||
        (st == run.final_structural && value > run.final_dead)) {
      run.worst_layer = layer;
      run.final_structural = st;
      run.final_dead = value;
    }
  }
  if (run.final_structural > 0) {
    for (size_t i = 0; i < run.steps.size(); ++i) {
      if (run.worst_structural[i] >= 0.5 * run.final_structural) {
        run.half_dead_step = run.steps[i];
        break;
      }
    }
  }
}

}  // namespace

TrainingMeasurements measure_training(const StudyOptions& options) {
  const auto out = output_dir(options, "dying_relu");
  TrainingMeasurements m;
  for (const auto& sweep : dying_sweeps()) {
    const auto sweep_dir = run_sweep_file(
        options, sweep.file, options.full ? sweep.full_overrides : std::vector<std::string>{},
        out / ("training_" + sweep.key));
    const RecordValues dead = record_values(sweep_dir, "dead_fraction");
    const RecordValues structural = record_values(sweep_dir, "structural_dead_fraction");
    for (const auto& row : read_runs(sweep_dir)) {
      DyingRun run;
      run.setting = sweep.setting;
      run.optimiser = optimiser_label(row.params);
      // The database keeps the varied value as a label with its parameters
      // ("leaky_relu(negative_slope=0.01)"); the registry name is what comes before them.
      const std::string& label = row.params.at("model.activation");
      run.activation = label.substr(0, label.find('('));
      run.has_flat_half_line = has_flat_half_line(run.activation);
      run.lr = std::stod(row.params.at("optim.lr"));
      run.seed = row.seed;
      run.status = std::string(core::to_string(row.status));
      if (row.test_accuracy && row.status == core::RunStatus::kCompleted)
        run.test_accuracy = *row.test_accuracy;
      static const std::map<int64_t, std::map<std::string, double>> kNone;
      fill_from_records(run, dead.count(row.run_id) ? dead.at(row.run_id) : kNone,
                        structural.count(row.run_id) ? structural.at(row.run_id) : kNone);
      const auto masks_file = sweep_dir / row.directory / store::kDeadUnitsFile;
      if (std::filesystem::exists(masks_file)) {
        run.masks_read = true;
        for (const auto& layer : store::read_dead_unit_masks(masks_file).layers) {
          const store::Revival r = store::revival(layer, true);
          run.ever_dead += r.ever_dead;
          run.revived += r.revived;
        }
      }
      m.runs.push_back(std::move(run));
    }
  }
  m.setup = options.full ? "full" : "quick";
  return m;
}

}  // namespace actbench::study
