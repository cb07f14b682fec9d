// Vanishing gradients (Glorot and Bengio 2010, "Understanding the difficulty of training deep
// feedforward neural networks"), the measure layer and the study's registration. Part 1, at
// initialisation, in this process: per-layer back-propagated gradient norms ‖dL/dz‖,
// weight-gradient norms ‖dL/dW‖ and activation spread for sigmoid, tanh, softsign and relu under
// the "standard" and the normalised (Xavier) init, averaged over seeds. Part 2, during training: a
// sweep whose probes record every layer's activation mean, saturation and gradients every 50
// steps, and whose test errors go beside the paper's Table 1. Decide and write: see the header.
#include "study/vanishing_gradients.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "core/seeding.hpp"
#include "data/dataset.hpp"
#include "probe/probes.hpp"
#include "study/study_support.hpp"

namespace actbench::study {

double glorot_table1_error(const std::string& activation, bool normalised) {
  if (activation == "softsign") return normalised ? 1.72 : 1.64;
  if (activation == "tanh") return normalised ? 1.64 : 1.76;
  if (activation == "sigmoid" && !normalised) return 2.21;
  return std::nan("");
}

GradientsAtInit gradients_at_init(const std::string& activation, const std::string& init_override,
                                  const std::string& hidden, const data::Dataset& dataset,
                                  int seeds) {
  GradientsAtInit m;
  const auto& test = dataset.test;
  for (int seed = 0; seed < seeds; ++seed) {
    core::seed_init_generator(seed);
    BuiltNetwork built = build_for_shape(
        spec_from_overrides({"model.hidden=" + hidden, "model.activation=" + activation,
                             init_override, "model.bias_init=zeros"}),
        dataset.shape);
    auto& net = *built.network;
    const auto probes = probe::measure_layers(net, test.images, test.labels, 0.05);
    net.zero_grad();
    const at::Tensor loss =
        torch::nn::functional::cross_entropy(net.forward(test.images), test.labels);
    loss.backward();
    const size_t layers = net.num_hidden();
    m.backprop_by_seed.emplace_back(layers);
    m.weight_grad_by_seed.emplace_back(layers);
    m.backprop.resize(layers);
    m.weight_grad.resize(layers);
    m.post_std.resize(layers);
    m.saturated.resize(layers);
    for (size_t l = 0; l < layers; ++l) {
      const double weight_grad = net.hidden_weight(l).grad().norm().item<double>();
      m.backprop_by_seed.back()[l] = probes[l].backprop_grad_norm;
      m.weight_grad_by_seed.back()[l] = weight_grad;
      m.backprop[l] += probes[l].backprop_grad_norm / seeds;
      m.weight_grad[l] += weight_grad / seeds;
      m.post_std[l] += probes[l].post_std / seeds;
      m.saturated[l] += probes[l].saturated_fraction / seeds;
    }
  }
  return m;
}

VanishingMeasurements measure_vanishing(const StudyOptions& options) {
  VanishingMeasurements m;
  m.full = options.full;
  m.width = options.full ? 1000 : 256;
  // --until-decided adds seeds here as it does to the training sweep.
  m.seeds = (options.full ? 10 : 5) + options.added_seeds;
  m.activations = {"sigmoid", "tanh", "softsign", "relu"};
  m.inits = {{"standard", "model.init=standard", "standard"},
             {"Xavier (normalised)", "model.init={name: xavier_uniform, gain: 1}",
              "xavier_uniform(gain=1.0)"}};
  std::string hidden = "[";
  for (int i = 0; i < 5; ++i) hidden += (i ? ", " : "") + std::to_string(m.width);
  hidden += "]";

  // Part 1: at initialisation, on the first 1000 MNIST test images.
  data::LoadOptions load;
  load.root = options.data_root;
  load.train_subset = 1;  // only the test images are used
  load.test_subset = 1000;
  m.test_images = load.test_subset;
  const data::Dataset mnist = data::load_dataset("mnist", load);
  for (const auto& init : m.inits)
    for (const auto& activation : m.activations) {
      fmt::print(options.log, "at init: {} with {} ({} seeds)\n", activation, init.label, m.seeds);
      std::fflush(options.log);
      m.at_init[{activation, init.label}] =
          gradients_at_init(activation, init.override, hidden, mnist, m.seeds);
    }

  // Part 2: training.
  std::vector<std::string> overrides;
  if (options.full) overrides = {"model.hidden=" + hidden, "train.epochs=30", "seed=0,1,2"};
  const auto sweep_dir =
      run_sweep_file(options, "experiments/vanishing_gradients.yaml", overrides,
                     output_dir(options, "vanishing_gradients") / "training_sweep");
  std::map<std::string, VanishingMeasurements::Key> group_of_run;
  std::set<int64_t> training_seeds;
  for (const auto& run : read_runs(sweep_dir)) {
    const auto config = nlohmann::json::parse(run.config_json);
    training_seeds.insert(config["seed"].get<int64_t>());
    m.epochs = config["train"]["epochs"].get<int>();
    m.training_width = config["model"]["hidden"][0].get<int>();
    m.batch_size = config["data"]["batch_size"].get<int64_t>();
    m.lr = config["optim"]["lr"].get<double>();
    m.momentum = config["optim"]["momentum"].get<double>();
    m.probe_every = config["probes"]["every_steps"].get<int64_t>();
    m.probe_samples = config["probes"]["probe_samples"].get<int64_t>();
    m.saturation_threshold = config["probes"]["saturation_threshold"].get<double>();
    const std::string activation = run.params.at("model.activation");
    const std::string init_value = run.params.at("model.init");
    std::string label = init_value;
    for (const auto& init : m.inits)
      if (init.sweep_value == init_value) label = init.label;
    auto& g = m.training[{activation, label}];
    ++g.runs;
    if (run.status == core::RunStatus::kDiverged) ++g.diverged;
    if (run.status == core::RunStatus::kCompleted && run.test_accuracy)
      g.errors.push_back(100.0 * (1.0 - *run.test_accuracy));
    group_of_run[run.run_id] = {activation, label};
  }
  m.training_seeds = static_cast<int>(training_seeds.size());
  auto curves_of = [&](const std::string& metric) {
    std::map<VanishingMeasurements::Key, VanishingMeasurements::Curves> curves;
    for (const auto& row : read_metric(sweep_dir, metric))
      if (!row.layer.empty())
        curves[group_of_run[row.run_id]][row.layer][row.step].push_back(row.value);
    return curves;
  };
  auto run_curves_of = [&](const std::string& metric) {
    std::map<VanishingMeasurements::Key, VanishingMeasurements::RunCurves> curves;
    for (const auto& row : read_metric(sweep_dir, metric))
      if (!row.layer.empty())
        curves[group_of_run[row.run_id]][row.run_id][row.layer][row.step] = row.value;
    return curves;
  };
  m.post_mean = curves_of("post_mean");
  m.saturated = curves_of("saturated_fraction");
  m.post_mean_runs = run_curves_of("post_mean");
  m.saturated_runs = run_curves_of("saturated_fraction");
  m.backprop = curves_of("backprop_grad_norm");
  return m;
}

namespace {

std::filesystem::path run_vanishing(const StudyOptions& options) {
  const VanishingMeasurements m = measure_vanishing(options);
  return write_vanishing(options, m, decide_vanishing(m));
}

}  // namespace

ACTBENCH_REGISTER_STUDY(vanishing_gradients) {
  StudyEntry entry;
  entry.name = "vanishing_gradients";
  entry.aliases = {"glorot"};
  entry.description =
      "per-layer gradients and saturation, standard vs Xavier init (Glorot and Bengio 2010)";
  entry.command = "actbench study vanishing_gradients";
  entry.run = run_vanishing;
  entry.grows_seeds = true;
  return entry;
}

}  // namespace actbench::study
