// `actbench study signal_propagation`, the measure layer: mean-field theory beside measurement.
// Part 1, at initialisation (in this process): q^l and c^l of two inputs through random MLPs of
// width >= 1000 built by the real model builder with the mean_field init, against the length and
// correlation maps, for every elementwise activation of the catalogue at two points (its
// recommended gain with no bias, and its edge of chaos at sigma_b2 = 0.05).
// Part 2, trainability (Schoenholz et al. 2017): tanh, sigma_b2 = 0.05, sigma_w2 over [1, 4],
// several depths, a short SGD run on MNIST.
// Part 3, edge of chaos against standard inits (Hayou et al. 2019): ReLU, ELU, tanh and SiLU in
// 50-layer (and deeper) MLPs on MNIST, the edge-of-chaos arm with its inputs scaled to q* as the
// official training script does.
// Decide: signal_propagation_decide.cpp; write: signal_propagation_write.cpp.
#include "study/signal_propagation.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "catalogue/activation_theory.hpp"
#include "catalogue/mean_field.hpp"
#include "core/numbers.hpp"
#include "core/seeding.hpp"
#include "model/properties.hpp"
#include "plot/svg_plot.hpp"
#include "study/study_support.hpp"

namespace actbench::study {

namespace {

using core::kNaN;
// Input pairs per network in the measurement at initialisation.
constexpr int64_t kPairs = 128;

std::string hidden_layers(int width, int depth) {
  std::string hidden = "[";
  for (int i = 0; i < depth; ++i) hidden += (i ? ", " : "") + std::to_string(width);
  return hidden + "]";
}

std::string init_override(double sigma_w2, double sigma_b2) {
  return fmt::format("model.init={{name: mean_field, sigma_w2: {:.17g}, sigma_b2: {:.17g}}}",
                     sigma_w2, sigma_b2);
}

std::string depths_axis(int width, const std::vector<int>& depths) {
  std::string axis = "model.hidden=";
  for (size_t i = 0; i < depths.size(); ++i)
    axis += (i ? "," : "") + hidden_layers(width, depths[i]);
  return axis;
}

}  // namespace

PropagationCurves measure_propagation(const std::string& activation, const std::string& point,
                                      double sigma_w2, double sigma_b2, int width, int depth,
                                      int seeds, double c0) {
  PropagationCurves r;
  r.activation = activation;
  r.point = point;
  r.sigma_w2 = sigma_w2;
  r.sigma_b2 = sigma_b2;
  r.q_measured.assign(depth, 0.0);
  r.c_measured.assign(depth, 0.0);
  std::vector<std::vector<double>> q_by_seed(depth);
  double c_input = 0.0;
  data::DatasetShape shape;
  shape.channels = 1;
  shape.height = 1;
  shape.width = width;
  for (int seed = 0; seed < seeds; ++seed) {
    torch::manual_seed(core::study_network_seed(seed));
    BuiltNetwork built = build_for_shape(
        spec_from_overrides({"model.hidden=" + hidden_layers(width, depth),
                             "model.activation=" + activation, init_override(sigma_w2, sigma_b2)}),
        shape);
    built.network->eval();  // RReLU at its mean slope, as the theory takes it
    // kPairs input pairs, each input of squared length per unit exactly 1, each pair of
    // correlation about c0. One network's q^l for a single input fluctuates by about 1/sqrt(width)
    // per layer; averaging over many inputs leaves the fluctuation of the weights' spectrum, of
    // order 1/width, which is what the mean-field limit neglects.
    const torch::Tensor z = torch::randn({2, kPairs, width}, torch::kFloat32);
    torch::Tensor x = torch::cat({z[0], c0 * z[0] + std::sqrt(1.0 - c0 * c0) * z[1]});
    x = x / (x.pow(2).mean(1, true)).sqrt();
    auto pair_correlation = [](const torch::Tensor& h) {
      const torch::Tensor a = h.slice(0, 0, kPairs), b = h.slice(0, kPairs, 2 * kPairs);
      return ((a * b).sum(1) / (a.norm(2, 1) * b.norm(2, 1))).mean().item<double>();
    };
    c_input += pair_correlation(x.to(torch::kFloat64)) / seeds;
    LayerRecorder recorder;
    torch::NoGradGuard no_grad;
    built.network->forward(x, &recorder);
    for (int l = 0; l < depth; ++l) {
      const torch::Tensor h = recorder.pre[l].to(torch::kFloat64);
      const double q = h.pow(2).mean().item<double>();
      const double c = pair_correlation(h);
      r.q_measured[l] += q / seeds;
      r.c_measured[l] += c / seeds;
      q_by_seed[l].push_back(q);
    }
  }
  for (int l = 0; l < depth; ++l) {
    double var = 0.0;
    for (double q : q_by_seed[l]) var += (q - r.q_measured[l]) * (q - r.q_measured[l]);
    r.q_seed_spread.push_back(seeds > 1 ? std::sqrt(var / (seeds - 1)) / r.q_measured[l] : kNaN);
  }
  // The maps from the same inputs: q^1 = sigma_w2 q0 + sigma_b2, c^1 from the inputs' c.
  const catalogue::GaussianExpectations e(
      catalogue::functions_of(catalogue::activation_from_text(activation, 0)));
  double q = sigma_w2 * 1.0 + sigma_b2;
  double c = (sigma_w2 * c_input + sigma_b2) / q;
  for (int l = 0; l < depth; ++l) {
    r.q_theory.push_back(q);
    r.c_theory.push_back(c);
    const double next_q = sigma_w2 * e.length(q).f2 + sigma_b2;
    c = std::isfinite(next_q) && next_q > 0.0
            ? (sigma_w2 * e.correlation(q, c).ff + sigma_b2) / next_q
            : kNaN;
    q = next_q;
  }
  for (int l = 0; l < depth; ++l) {
    r.max_q_deviation =
        std::max(r.max_q_deviation, std::abs(r.q_measured[l] / r.q_theory[l] - 1.0));
    r.max_c_deviation = std::max(r.max_c_deviation, std::abs(r.c_measured[l] - r.c_theory[l]));
    if (!std::isfinite(r.q_measured[l]) || !std::isfinite(r.q_theory[l]))
      r.max_q_deviation = r.max_c_deviation = kNaN;
  }
  return r;
}

AtInitMeasurements measure_at_init(const StudyOptions& options, const std::filesystem::path& out) {
  AtInitMeasurements p;
  p.width = options.full ? 2000 : 1000;
  p.depth = options.full ? 50 : 20;
  // --until-decided adds seeds here as it does to the sweeps.
  p.seeds = (options.full ? 10 : 3) + options.added_seeds;
  for (const model::ActivationEntry* entry : model::ActivationRegistry::instance().entries()) {
    const model::ResolvedActivation activation = model::default_activation(entry->name);
    const std::string reason = catalogue::theory_not_applicable(activation);
    if (!reason.empty()) {
      p.skipped.push_back(entry->name + ": " + reason);
      continue;
    }
    const double gain = activation.gain();
    std::vector<std::pair<std::string, std::pair<double, double>>> points = {
        {"recommended gain", {gain * gain, 0.0}}};
    try {
      points.push_back({"edge of chaos", {catalogue::critical_sigma_w2(activation, 0.05), 0.05}});
    } catch (const std::domain_error& e) {
      p.skipped.push_back(entry->name + " at the edge of chaos: " + e.what());
    }
    std::vector<plot::Chart> panels(2);
    panels[0].title = "q^l (pre-activation second moment)";
    panels[0].x.label = panels[1].x.label = "layer l";
    panels[0].y.label = "q^l";
    panels[0].y.log = true;
    panels[1].title = "c^l (correlation of two inputs)";
    panels[1].y.label = "c^l";
    const std::vector<std::string> colours = {"#1f77b4", "#d62728"};
    for (size_t k = 0; k < points.size(); ++k) {
      const auto& [label, sigmas] = points[k];
      fmt::print(options.log,
                 "signal propagation at init: {} at {} (sigma_w2 {:.4g}, sigma_b2 {})\n",
                 entry->name, label, sigmas.first, sigmas.second);
      std::fflush(options.log);
      PropagationCurves r = measure_propagation(entry->name, label, sigmas.first, sigmas.second,
                                                p.width, p.depth, p.seeds, p.c0);
      std::vector<double> layers;
      for (int l = 1; l <= p.depth; ++l) layers.push_back(l);
      const std::string name =
          fmt::format("{} sigma_w2={:.3g}, sigma_b2={:g}", label, sigmas.first, sigmas.second);
      panels[0].series.push_back({name + " measured", layers, r.q_measured, colours[k]});
      panels[0].series.push_back(
          {name + " theory", layers, r.q_theory, colours[k], plot::LineStyle::Dashed});
      panels[1].series.push_back({name + " measured", layers, r.c_measured, colours[k]});
      panels[1].series.push_back(
          {name + " theory", layers, r.c_theory, colours[k], plot::LineStyle::Dashed});
      p.rows.push_back(std::move(r));
    }
    plot::write_svg(out / "at_init" / (entry->name + ".svg"),
                    plot::render_svg(panels, 2,
                                     fmt::format("{}: measured (solid, width {}, {} seeds) "
                                                 "against the mean-field maps (dashed)",
                                                 entry->name, p.width, p.seeds)));
  }
  return p;
}

namespace {

double xi_c_of(const catalogue::GaussianExpectations& e, double sigma_w2, double sigma_b2) {
  const catalogue::PhaseAnalysis a = catalogue::analyse(e, sigma_w2, sigma_b2);
  const auto stable = a.stable();
  return stable.empty() ? kNaN : stable.front()->xi_c;
}

}  // namespace

TrainabilityMeasurements measure_trainability(const StudyOptions& options,
                                              const std::filesystem::path& out) {
  TrainabilityMeasurements p;
  p.depths = options.full ? std::vector<int>{10, 20, 40, 80, 160, 300}
                          : std::vector<int>{10, 20, 40, 80, 160};
  p.width = options.full ? 300 : 128;
  const int steps_per_epoch = options.full ? 200 : 50;
  std::vector<std::string> overrides = {depths_axis(p.width, p.depths),
                                        fmt::format("data.train_subset={}", steps_per_epoch * 128),
                                        "probes.enabled=false"};
  if (options.full) overrides.push_back("seed=0,1,2");
  // Every sigma_w2 and seed of one depth share their structure: one pack per depth.
  const auto sweep_dir = run_sweep_file(options, "experiments/signal_propagation_trainability.yaml",
                                        overrides, out / "trainability_sweep", 1000);
  const catalogue::GaussianExpectations e(
      catalogue::functions_of(model::default_activation("tanh")));
  const auto accuracies = read_metric(sweep_dir, "train_accuracy");
  // (sigma_w2, depth) -> per epoch, the accuracies over seeds.
  std::map<std::pair<double, int>, std::map<int64_t, std::vector<double>>> by_cell;
  std::map<std::string, std::pair<double, int>> cell_of_run;
  std::set<int64_t> seeds;
  std::set<double> sigma_b2s;
  int epochs = 0;
  for (const auto& run : read_runs(sweep_dir)) {
    const auto config = nlohmann::json::parse(run.config_json);
    sigma_b2s.insert(config["model"]["init"]["sigma_b2"].get<double>());
    const std::pair<double, int> cell{config["model"]["init"]["sigma_w2"].get<double>(),
                                      static_cast<int>(config["model"]["hidden"].size())};
    seeds.insert(config["seed"].get<int64_t>());
    p.lr = config["optim"]["lr"].get<double>();
    p.momentum = config["optim"]["momentum"].get<double>();
    p.batch_size = config["data"]["batch_size"].get<int64_t>();
    epochs = config["train"]["epochs"].get<int>();
    if (run.status != core::RunStatus::kCompleted) {
      // A run that diverged or failed did not train: accuracy 0 at every length.
      for (int epoch = 1; epoch <= epochs; ++epoch) by_cell[cell][epoch].push_back(0.0);
      continue;
    }
    cell_of_run[run.run_id] = cell;
  }
  if (sigma_b2s.size() != 1) throw Error("the trainability sweep's runs do not share one sigma_b2");
  p.sigma_b2 = *sigma_b2s.begin();
  p.critical_sigma_w2 = catalogue::critical_sigma_w2(model::default_activation("tanh"), p.sigma_b2);
  for (const auto& row : accuracies) {
    const auto it = cell_of_run.find(row.run_id);
    if (it == cell_of_run.end() || !row.layer.empty()) continue;
    by_cell[it->second][row.epoch].push_back(std::isfinite(row.value) ? row.value : 0.0);
  }
  p.seeds = static_cast<int>(seeds.size());
  std::map<double, double> xi_cache;
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    std::vector<TrainabilityCell> cells;
    for (const auto& [key, epochs_of_cell] : by_cell) {
      TrainabilityCell cell;
      cell.sigma_w2 = key.first;
      cell.depth = key.second;
      if (!xi_cache.count(cell.sigma_w2))
        xi_cache[cell.sigma_w2] = xi_c_of(e, cell.sigma_w2, p.sigma_b2);
      cell.xi_c = xi_cache[cell.sigma_w2];
      const auto found = epochs_of_cell.find(epoch);
      cell.accuracy = found == epochs_of_cell.end() ? 0.0 : mean_of(found->second);
      cell.trainable = cell.accuracy >= p.threshold;
      cells.push_back(cell);
    }
    p.steps.push_back(epoch * steps_per_epoch);
    p.cells_by_length.push_back(std::move(cells));
  }
  for (const auto& [w, xi] : xi_cache) p.sigma_w2s.push_back(w);
  if (!p.sigma_w2s.empty())
    for (int i = 0; i <= 120; ++i) {
      const double w = p.sigma_w2s.front() + (p.sigma_w2s.back() - p.sigma_w2s.front()) * i / 120;
      p.xi_curve.push_back({w, xi_c_of(e, w, p.sigma_b2)});
    }
  return p;
}

namespace {

// Part 3's activations: the edge-of-chaos arm `init: {name: critical, sigma_b2}` with its inputs
// scaled to the chosen point's q*, against the standard arm (`standard`, at the activation's
// recommended gain, zero biases) with its inputs as they are.
struct Part3Choice {
  std::string activation;
  double sigma_b2 = 0.0;  // of the edge-of-chaos init; ReLU: 0, where the edge of chaos is He
  std::string standard;   // the standard arm's init
  std::string standard_recipe;
};

// sigma_b = 0.1 for ELU and 0.2 for tanh are the edge-of-chaos points of Hayou et al.'s official
// training script (soufiane001/impact_of_init_and_activation, simulation_script.py); SiLU is not
// trained there, and gets tanh's sigma_b = 0.2.
const std::vector<Part3Choice>& part3_choices() {
  static const std::vector<Part3Choice> choices = {
      // ReLU's edge of chaos is sigma_b2 = 0, sigma_w2 = 2: He's init, so one run stands for both
      // (the official script feeds it q = 1: inputs as they are).
      {"relu", 0.0, "{name: kaiming_normal}", "kaiming_normal, gain^2 = 2 (He)"},
      {"elu", 0.01, "{name: kaiming_normal}", "kaiming_normal at ELU's recommended gain"},
      {"tanh", 0.04, "{name: xavier_normal}", "xavier_normal at tanh's gain 5/3"},
      {"silu", 0.04, "{name: kaiming_normal}", "kaiming_normal at SiLU's recommended gain"},
  };
  return choices;
}

// The point of the critical line the `critical` init takes: the first whose q* attracts, else
// the first.
const catalogue::EdgeOfChaosPoint* chosen_point(
    const std::vector<catalogue::EdgeOfChaosPoint>& points) {
  for (const catalogue::EdgeOfChaosPoint& point : points)
    if (point.stable) return &point;
  return points.empty() ? nullptr : &points.front();
}

}  // namespace

EdgeOfChaosMeasurements measure_edge_of_chaos(const StudyOptions& options,
                                              const std::filesystem::path& out) {
  EdgeOfChaosMeasurements p;
  p.depths = options.full ? std::vector<int>{50, 100, 200} : std::vector<int>{50, 80};
  p.width = options.full ? 300 : 128;
  std::set<int64_t> seeds;
  for (const Part3Choice& choice : part3_choices()) {
    const model::ResolvedActivation activation = model::default_activation(choice.activation);
    const double gain2 = activation.gain() * activation.gain();
    std::vector<std::string> common = {"model.activation=" + choice.activation,
                                       depths_axis(p.width, p.depths), "probes.enabled=false"};
    if (options.full)
      common.insert(common.end(), {"train.epochs=10", "data.train_subset=0", "seed=0,1,2,3,4"});
    struct Arm {
      std::string label, directory, recipe;
      std::vector<std::string> overrides;
      double sigma_w2, sigma_b2, input_scale;
    };
    std::vector<Arm> arms;
    if (choice.activation == "relu") {
      arms.push_back({"He = edge of chaos",
                      "edge_of_chaos_relu",
                      choice.standard_recipe,
                      {"model.init=" + choice.standard},
                      gain2,
                      0.0,
                      1.0});
    } else {
      const catalogue::GaussianExpectations e(catalogue::functions_of(activation));
      const auto points = catalogue::edge_of_chaos(e, choice.sigma_b2);
      const catalogue::EdgeOfChaosPoint* chosen = chosen_point(points);
      if (chosen == nullptr)
        throw Error(fmt::format("{} has no edge of chaos at sigma_b2 = {:g}", choice.activation,
                                choice.sigma_b2));
      for (const catalogue::EdgeOfChaosPoint& point : points)
        p.points.push_back({choice.activation, choice.sigma_b2, point.sigma_w2, point.q,
                            point.length_slope, point.stable, &point == chosen});
      const double scale = std::sqrt(chosen->q);
      arms.push_back(
          {"edge of chaos",
           "edge_of_chaos_" + choice.activation,
           fmt::format("critical, sigma_b2 {:g}, inputs x sqrt(q*)", choice.sigma_b2),
           {fmt::format("model.init={{name: critical, sigma_b2: {:g}}}", choice.sigma_b2),
            fmt::format("data.input_scale={:.17g}", scale)},
           chosen->sigma_w2,
           choice.sigma_b2,
           scale});
      arms.push_back({"standard",
                      "standard_" + choice.activation,
                      choice.standard_recipe,
                      {"model.init=" + choice.standard},
                      gain2,
                      0.0,
                      1.0});
    }
    for (const Arm& arm : arms) {
      std::vector<std::string> overrides = common;
      overrides.insert(overrides.end(), arm.overrides.begin(), arm.overrides.end());
      // The seeds of one depth share their structure: one pack each.
      const auto sweep_dir =
          run_sweep_file(options, "experiments/signal_propagation_edge_of_chaos.yaml", overrides,
                         out / arm.directory, 1000);
      const auto accuracies = read_metric(sweep_dir, "test_accuracy");
      std::map<int, EdgeOfChaosRow> rows;
      for (const auto& run : read_runs(sweep_dir)) {
        const auto config = nlohmann::json::parse(run.config_json);
        const int depth = static_cast<int>(config["model"]["hidden"].size());
        const int64_t seed = config["seed"].get<int64_t>();
        seeds.insert(seed);
        p.lr = config["optim"]["lr"].get<double>();
        p.momentum = config["optim"]["momentum"].get<double>();
        p.epochs = config["train"]["epochs"].get<int>();
        p.train_images = config["data"]["train_subset"].get<int>();
        EdgeOfChaosRow& row = rows[depth];
        row.activation = choice.activation;
        row.init = arm.label;
        row.recipe = arm.recipe;
        row.sigma_w2 = arm.sigma_w2;
        row.sigma_b2 = arm.sigma_b2;
        row.input_scale = arm.input_scale;
        row.depth = depth;
        ++row.runs;
        if (run.status != core::RunStatus::kCompleted) {
          // A run that diverged (or failed) did not train: accuracy 0, as in part 2.
          ++row.failed;
          row.seeds.push_back(seed);
          row.first_epoch_accuracy.push_back(0.0);
          row.final_accuracy.push_back(0.0);
          continue;
        }
        std::map<int64_t, double> by_epoch;
        for (const auto& m : accuracies)
          if (m.run_id == run.run_id && m.layer.empty() && m.epoch > 0) by_epoch[m.epoch] = m.value;
        if (by_epoch.empty()) continue;
        row.seeds.push_back(seed);
        row.first_epoch_accuracy.push_back(by_epoch.begin()->second);
        row.final_accuracy.push_back(by_epoch.rbegin()->second);
      }
      for (auto& [depth, row] : rows) p.rows.push_back(row);
    }
  }
  p.seeds = static_cast<int>(seeds.size());
  return p;
}

SignalPropagationSummary summarize_signal_propagation(const SignalPropagationMeasurements& m) {
  SignalPropagationSummary s;
  s.at_init = m.at_init.rows;
  s.q_tolerance = m.at_init.q_tolerance;
  s.c_tolerance = m.at_init.c_tolerance;
  s.steps = m.trainability.steps;
  s.cells_by_length = m.trainability.cells_by_length;
  s.critical_sigma_w2 = m.trainability.critical_sigma_w2;
  s.edge_of_chaos = m.edge_of_chaos.rows;
  s.deepest = m.edge_of_chaos.depths.empty() ? 0 : m.edge_of_chaos.depths.back();
  for (const auto& point : m.edge_of_chaos.points)
    if (point.activation == "silu" && point.chosen) s.silu_edge_length_slope = point.length_slope;
  return s;
}

namespace {

std::filesystem::path run_signal_propagation(const StudyOptions& options) {
  const auto out = output_dir(options, "signal_propagation");
  SignalPropagationMeasurements m;
  m.at_init = measure_at_init(options, out);
  m.trainability = measure_trainability(options, out);
  m.edge_of_chaos = measure_edge_of_chaos(options, out);
  const std::vector<ClaimResult> claims =
      decide_signal_propagation(summarize_signal_propagation(m));
  write_verdicts(out / "verdicts.json", "signal_propagation", options.full ? "full" : "quick",
                 claims);
  return write_signal_propagation(options, out, m, claims);
}

}  // namespace

ACTBENCH_REGISTER_STUDY(signal_propagation) {
  StudyEntry entry;
  entry.name = "signal_propagation";
  entry.aliases = {"edge_of_chaos"};
  entry.description =
      "mean-field signal propagation against measurement, trainability and the edge of chaos "
      "(Schoenholz et al. 2017; Hayou et al. 2019)";
  entry.command = "actbench study signal_propagation";
  entry.run = run_signal_propagation;
  entry.grows_seeds = true;
  return entry;
}

}  // namespace actbench::study
