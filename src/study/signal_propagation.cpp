// `actbench study signal_propagation`: mean-field theory beside measurement.
// Part 1, at initialisation (in this process): q^l and c^l of two inputs through random MLPs of
// width >= 1000 built by the real model builder with the mean_field init, against the length and
// correlation maps, for every elementwise activation of the catalogue at two points (its
// recommended gain with no bias, and its edge of chaos at sigma_b2 = 0.05).
// Part 2, trainability (Schoenholz et al. 2017): tanh, sigma_b2 = 0.05, sigma_w2 over [1, 4],
// several depths, a short SGD run on MNIST; the constant c of "trainable iff depth < c xi_c".
// Part 3, edge of chaos against standard inits (Hayou et al. 2019): ReLU, ELU, tanh and SiLU in
// 50-layer (and deeper) MLPs on MNIST.
// Measure, decide (the decide_* functions and best_separation, from numbers only) and write are
// kept apart.
#include "study/signal_propagation.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "catalogue/activation_theory.hpp"
#include "catalogue/mean_field.hpp"
#include "catalogue/phase_diagram.hpp"
#include "core/numbers.hpp"
#include "model/properties.hpp"
#include "report/svg_plot.hpp"
#include "study/study.hpp"
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
    torch::manual_seed(static_cast<uint64_t>(1000 + seed));
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

namespace {

// ---- Part 1: at initialisation.

struct Part1 {
  std::vector<PropagationCurves> rows;
  std::vector<std::string> skipped;  // "maxout: not elementwise ..."
  int width = 0, depth = 0, seeds = 0;
};

Part1 measure_part1(const StudyOptions& options, const std::filesystem::path& out) {
  Part1 p;
  p.width = options.full ? 2000 : 1000;
  p.depth = options.full ? 50 : 20;
  p.seeds = options.full ? 10 : 3;
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
    std::vector<report::Chart> panels(2);
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
                                                p.width, p.depth, p.seeds, 0.5);
      std::vector<double> layers;
      for (int l = 1; l <= p.depth; ++l) layers.push_back(l);
      const std::string name =
          fmt::format("{} sigma_w2={:.3g}, sigma_b2={:g}", label, sigmas.first, sigmas.second);
      panels[0].series.push_back({name + " measured", layers, r.q_measured, colours[k]});
      panels[0].series.push_back(
          {name + " theory", layers, r.q_theory, colours[k], report::LineStyle::Dashed});
      panels[1].series.push_back({name + " measured", layers, r.c_measured, colours[k]});
      panels[1].series.push_back(
          {name + " theory", layers, r.c_theory, colours[k], report::LineStyle::Dashed});
      p.rows.push_back(std::move(r));
    }
    report::write_svg(out / "at_init" / (entry->name + ".svg"),
                      report::render_svg(panels, 2,
                                         fmt::format("{}: measured (solid, width {}, {} seeds) "
                                                     "against the mean-field maps (dashed)",
                                                     entry->name, p.width, p.seeds)));
  }
  return p;
}

// ---- Phase diagrams.

void write_phase_diagrams(const StudyOptions& options, const std::filesystem::path& out,
                          const std::vector<std::string>& names) {
  catalogue::PhaseDiagramOptions diagram;
  if (!options.full) {
    diagram.columns = 12;
    diagram.rows = 7;
  }
  for (const std::string& name : names) {
    fmt::print(options.log, "phase diagram: {}\n", name);
    std::fflush(options.log);
    const model::ResolvedActivation activation = model::default_activation(name);
    const catalogue::GaussianExpectations e(catalogue::functions_of(activation));
    report::write_svg(out / "phase_diagrams" / (name + ".svg"),
                      catalogue::phase_diagram_svg(catalogue::compute_phase_diagram(e, diagram),
                                                   "Mean-field phase diagram of " + name));
  }
}

// ---- Part 2: trainability.

struct Part2 {
  // cells_by_length[k]: the cells after steps[k] training steps (mean over seeds).
  std::vector<std::vector<TrainabilityCell>> cells_by_length;
  std::vector<int> steps;
  std::vector<Separation> separations;
  int width = 0, seeds = 0;
  double lr = 0.0;  // as the runs' configs have it
  std::vector<int> depths;
  double threshold = 0.5;
  std::vector<std::pair<double, double>> xi_curve;  // (sigma_w2, xi_c) on a fine grid
};

double xi_c_of(const catalogue::GaussianExpectations& e, double sigma_w2, double sigma_b2) {
  const catalogue::PhaseAnalysis a = catalogue::analyse(e, sigma_w2, sigma_b2);
  const auto stable = a.stable();
  return stable.empty() ? kNaN : stable.front()->xi_c;
}

Part2 measure_part2(const StudyOptions& options, const std::filesystem::path& out) {
  Part2 p;
  p.depths = options.full ? std::vector<int>{10, 20, 40, 80, 160, 300}
                          : std::vector<int>{10, 20, 40, 80, 160};
  p.width = options.full ? 300 : 128;
  const int steps_per_epoch = options.full ? 200 : 50;
  const int epochs = 4;
  std::string depths_axis = "model.hidden=";
  for (size_t i = 0; i < p.depths.size(); ++i)
    depths_axis += (i ? "," : "") + hidden_layers(p.width, p.depths[i]);
  std::vector<std::string> overrides = {
      depths_axis, fmt::format("data.train_subset={}", steps_per_epoch * 128),
      fmt::format("train.epochs={}", epochs), "probes.enabled=false"};
  if (options.full) overrides.push_back("seed=0,1,2");
  // Every sigma_w2 and seed of one depth share their structure: one pack per depth.
  const auto sweep_dir = run_sweep_file(options, "experiments/signal_propagation_trainability.yaml",
                                        overrides, out / "trainability_sweep", 1000);
  const catalogue::GaussianExpectations e(
      catalogue::functions_of(model::default_activation("tanh")));
  const double sigma_b2 = 0.05;
  const auto accuracies = read_metric(sweep_dir, "train_accuracy");
  // (sigma_w2, depth) -> per epoch, the accuracies over seeds.
  std::map<std::pair<double, int>, std::map<int64_t, std::vector<double>>> by_cell;
  std::map<std::string, std::pair<double, int>> cell_of_run;
  std::set<int64_t> seeds;
  for (const auto& run : read_runs(sweep_dir)) {
    const auto config = nlohmann::json::parse(run.config_json);
    if (config["model"]["init"]["sigma_b2"].get<double>() != sigma_b2)
      throw Error("the trainability sweep's sigma_b2 is not 0.05");
    const std::pair<double, int> cell{config["model"]["init"]["sigma_w2"].get<double>(),
                                      static_cast<int>(config["model"]["hidden"].size())};
    seeds.insert(config["seed"].get<int64_t>());
    p.lr = config["optim"]["lr"].get<double>();
    if (run.status != core::RunStatus::kCompleted) {
      // A run that diverged or failed did not train: accuracy 0 at every length.
      for (int epoch = 1; epoch <= epochs; ++epoch) by_cell[cell][epoch].push_back(0.0);
      continue;
    }
    cell_of_run[run.run_id] = cell;
  }
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
        xi_cache[cell.sigma_w2] = xi_c_of(e, cell.sigma_w2, sigma_b2);
      cell.xi_c = xi_cache[cell.sigma_w2];
      const auto found = epochs_of_cell.find(epoch);
      cell.accuracy = found == epochs_of_cell.end() ? 0.0 : mean_of(found->second);
      cell.trainable = cell.accuracy >= p.threshold;
      cells.push_back(cell);
    }
    p.steps.push_back(epoch * steps_per_epoch);
    p.separations.push_back(best_separation(cells));
    p.cells_by_length.push_back(std::move(cells));
  }
  for (int i = 0; i <= 120; ++i) {
    const double w = 1.0 + 3.0 * i / 120;
    p.xi_curve.push_back({w, xi_c_of(e, w, sigma_b2)});
  }
  return p;
}

// A heat map of training accuracy over (sigma_w2, depth) with depth = c xi_c(sigma_w2) drawn over
// it for the best c and the published 6: plain SVG, as svg_plot draws lines only. Depth rows are
// log-spaced, so the curves use log depth between row centres.
std::string trainability_svg(const Part2& p) {
  const std::vector<TrainabilityCell>& cells = p.cells_by_length.back();
  const Separation& separation = p.separations.back();
  std::vector<double> ws;
  for (const auto& cell : cells)
    if (std::find(ws.begin(), ws.end(), cell.sigma_w2) == ws.end()) ws.push_back(cell.sigma_w2);
  std::sort(ws.begin(), ws.end());
  const int rows = static_cast<int>(p.depths.size());
  const int left = 80, top = 50, cell_w = 52, cell_h = 44;
  const int plot_w = cell_w * static_cast<int>(ws.size()), plot_h = cell_h * rows;
  const int width = left + plot_w + 230;
  const int height = top + plot_h + 60;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" "
      "fill=\"white\"/>\n<text x=\"{}\" y=\"22\" font-size=\"14\" font-weight=\"bold\">tanh, "
      "sigma_b2 = 0.05, width {}: training accuracy over steps {}-{} ({})</text>\n",
      width, height, left, p.width, p.steps.size() > 1 ? p.steps[p.steps.size() - 2] + 1 : 1,
      p.steps.back(), p.seeds == 1 ? "1 seed" : fmt::format("mean of {} seeds", p.seeds));
  auto x_of = [&](double w) {  // sigma_w2 to pixels, cell centres at the grid values
    const double step = ws.size() > 1 ? ws[1] - ws[0] : 1.0;
    return left + cell_w * ((w - ws.front()) / step + 0.5);
  };
  auto y_of = [&](double depth) {  // log depth to pixels, row centres at the depths
    const double lo = std::log(p.depths.front()), hi = std::log(p.depths.back());
    const double t = rows > 1 ? (std::log(depth) - lo) / (hi - lo) : 0.0;
    return top + plot_h - cell_h * (0.5 + t * (rows - 1));
  };
  for (const auto& cell : cells) {
    const double x = x_of(cell.sigma_w2) - cell_w / 2.0;
    const double y = y_of(cell.depth) - cell_h / 2.0;
    const int shade = static_cast<int>(255 * std::clamp((cell.accuracy - 0.1) / 0.9, 0.0, 1.0));
    svg += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{}\" height=\"{}\" fill=\"rgb({},{},{})\" "
        "stroke=\"white\"><title>sigma_w2 {:g}, depth {}: {:.3f}</title></rect>\n<text "
        "x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-size=\"11\" fill=\"{}\">{:.2f}"
        "</text>\n",
        x, y, cell_w, cell_h, 255 - shade, 255 - shade / 2, 255, cell.sigma_w2, cell.depth,
        cell.accuracy, x + cell_w / 2.0, y + cell_h / 2.0 + 4, shade > 150 ? "white" : "black",
        cell.accuracy);
  }
  for (size_t i = 0; i < ws.size(); ++i)
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{:g}</text>\n",
                       x_of(ws[i]), top + plot_h + 18, ws[i]);
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">sigma_w^2</text>\n",
                     left + plot_w / 2, top + plot_h + 40);
  for (int depth : p.depths)
    svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">depth {}</text>\n",
                       left - 6, y_of(depth) + 4, depth);
  // depth = c xi_c, clipped to the plot.
  svg += fmt::format(
      "<clipPath id=\"plot\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>"
      "</clipPath>\n",
      left, top, plot_w, plot_h);
  const std::vector<std::tuple<double, std::string, std::string>> curves = {
      {separation.c, "#d62728", ""}, {6.0, "#000000", " stroke-dasharray=\"6,4\""}};
  for (const auto& [c, colour, dash] : curves) {
    std::string points;
    for (const auto& [w, xi] : p.xi_curve) {
      if (!std::isfinite(xi) || w < ws.front() - 0.5 * (ws[1] - ws[0]) ||
          w > ws.back() + 0.5 * (ws[1] - ws[0]))
        continue;
      const double depth = std::clamp(c * xi, 1.0, 1e5);
      points += fmt::format("{:.1f},{:.1f} ", x_of(w), y_of(depth));
    }
    svg += fmt::format(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2.5\"{} "
        "clip-path=\"url(#plot)\"/>\n",
        points, colour, dash);
  }
  const int legend_x = left + plot_w + 15;
  svg += fmt::format(
      "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#d62728\" stroke-width=\"2.5\"/>"
      "<text x=\"{}\" y=\"{}\">depth = {:g} xi_c (best c)</text>\n",
      legend_x, top + 10, legend_x + 24, top + 10, legend_x + 30, top + 14, separation.c);
  svg += fmt::format(
      "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#000\" stroke-width=\"2.5\" "
      "stroke-dasharray=\"6,4\"/><text x=\"{}\" y=\"{}\">depth = 6 xi_c (published)</text>\n",
      legend_x, top + 30, legend_x + 24, top + 30, legend_x + 30, top + 34);
  svg += fmt::format(
      "<text x=\"{}\" y=\"{}\">{} of {} cells on the right</text><text x=\"{}\" y=\"{}\">side "
      "of the red line</text>\n",
      legend_x, top + 58, separation.cells - separation.misclassified, separation.cells, legend_x,
      top + 74);
  svg += fmt::format("<text x=\"{}\" y=\"{}\">trainable: accuracy &gt;= {:g}</text>\n", legend_x,
                     top + 98, p.threshold);
  return svg + "</svg>\n";
}

// ---- Part 3: edge of chaos against standard inits.

struct Part3 {
  std::vector<EdgeOfChaosRow> rows;
  std::vector<int> depths;
  int width = 64, seeds = 0, epochs = 0, train_images = 0;
  double lr = 0.0;  // as the runs' configs have it
};

struct Part3Choice {
  std::string activation;
  double sigma_b2 = 0.0;  // of the edge-of-chaos init; ReLU: 0, where the edge of chaos is He
  std::string standard;   // He or Xavier
  std::string standard_label;
  std::string critical() const {
    return activation == "relu" ? "" : fmt::format("{{name: critical, sigma_b2: {:g}}}", sigma_b2);
  }
};

// sigma_b = 0.1 for ELU and 0.2 for tanh are the edge-of-chaos points of Hayou et al.'s official
// training script (soufiane001/impact_of_init_and_activation, simulation_script.py); SiLU is not
// trained there, and gets tanh's sigma_b = 0.2.
const std::vector<Part3Choice>& part3_choices() {
  static const std::vector<Part3Choice> choices = {
      // ReLU's edge of chaos is sigma_b2 = 0, sigma_w2 = 2: He's init, so one run stands for both.
      {"relu", 0.0, "{name: kaiming_normal}", "He = edge of chaos"},
      {"elu", 0.01, "{name: kaiming_normal}", "He"},
      {"tanh", 0.04, "{name: xavier_normal}", "Xavier"},
      {"silu", 0.04, "{name: kaiming_normal}", "He"},
  };
  return choices;
}

Part3 measure_part3(const StudyOptions& options, const std::filesystem::path& out) {
  Part3 p;
  p.depths = options.full ? std::vector<int>{50, 100, 200} : std::vector<int>{50, 80};
  p.width = options.full ? 300 : 128;
  p.epochs = options.full ? 10 : 2;
  p.train_images = options.full ? 60000 : 20000;
  std::string depths_axis = "model.hidden=";
  for (size_t i = 0; i < p.depths.size(); ++i)
    depths_axis += (i ? "," : "") + hidden_layers(p.width, p.depths[i]);
  std::set<int64_t> seeds;
  for (const Part3Choice& choice : part3_choices()) {
    std::vector<std::string> overrides = {
        "model.activation=" + choice.activation,
        "model.init=" + (choice.critical().empty() ? choice.standard
                                                   : choice.critical() + "," + choice.standard),
        depths_axis,
        "probes.enabled=false",
        fmt::format("train.epochs={}", p.epochs),
        fmt::format("data.train_subset={}", options.full ? 0 : p.train_images)};
    if (options.full) overrides.push_back("seed=0,1,2,3,4");
    // The inits and seeds of one depth share their structure: one pack each.
    const auto sweep_dir =
        run_sweep_file(options, "experiments/signal_propagation_edge_of_chaos.yaml", overrides,
                       out / ("edge_of_chaos_" + choice.activation), 1000);
    const auto accuracies = read_metric(sweep_dir, "test_accuracy");
    std::map<std::pair<std::string, int>, EdgeOfChaosRow> rows;
    for (const auto& run : read_runs(sweep_dir)) {
      const auto config = nlohmann::json::parse(run.config_json);
      const auto& init = config["model"]["init"];
      const std::string init_name =
          init.is_string() ? init.get<std::string>() : init["name"].get<std::string>();
      const std::string label = init_name == "critical" ? "edge of chaos" : choice.standard_label;
      const int depth = static_cast<int>(config["model"]["hidden"].size());
      seeds.insert(config["seed"].get<int64_t>());
      p.lr = config["optim"]["lr"].get<double>();
      EdgeOfChaosRow& row = rows[{label, depth}];
      row.activation = choice.activation;
      row.init = label;
      row.depth = depth;
      ++row.runs;
      if (run.status != core::RunStatus::kCompleted) {
        // A run that diverged (or failed) did not train: accuracy 0, as in part 2.
        ++row.failed;
        row.first_epoch_accuracy.push_back(0.0);
        row.final_accuracy.push_back(0.0);
        continue;
      }
      std::map<int64_t, double> by_epoch;
      for (const auto& m : accuracies)
        if (m.run_id == run.run_id && m.layer.empty() && m.epoch > 0) by_epoch[m.epoch] = m.value;
      if (by_epoch.empty()) continue;
      row.first_epoch_accuracy.push_back(by_epoch.begin()->second);
      row.final_accuracy.push_back(by_epoch.rbegin()->second);
    }
    for (auto& [key, row] : rows) p.rows.push_back(row);
  }
  p.seeds = static_cast<int>(seeds.size());
  return p;
}

// Final test accuracy against depth, one line per (activation, init).
std::string edge_of_chaos_svg(const Part3& p) {
  report::Chart chart;
  chart.title =
      fmt::format("Final test accuracy by depth (width {}, mean of {} seeds)", p.width, p.seeds);
  chart.x.label = "depth (hidden layers)";
  chart.x.log = true;
  chart.y = {"test accuracy", 0.0, 1.0, false, 0.0};
  chart.width = 720;
  chart.height = 440;
  const std::map<std::string, std::string> colours = {
      {"relu", "#7f7f7f"}, {"elu", "#1f77b4"}, {"tanh", "#2ca02c"}, {"silu", "#d62728"}};
  std::map<std::string, report::Series> series;
  for (const EdgeOfChaosRow& r : p.rows) {
    report::Series& s = series[r.activation + " " + r.init];
    s.label = r.activation + ", " + r.init;
    s.colour = colours.at(r.activation);
    s.style = r.init == "edge of chaos" || r.init == "He = edge of chaos"
                  ? report::LineStyle::Solid
                  : report::LineStyle::Dashed;
    s.x.push_back(r.depth);
    s.y.push_back(r.final_accuracy.empty() ? 0.0 : mean_of(r.final_accuracy));
  }
  for (auto& [name, s] : series) chart.series.push_back(std::move(s));
  return report::render_svg(chart);
}

std::string acc_list(const std::vector<double>& values) {
  return values.empty() ? "n/a" : join_numbers(values, 3, ", ");
}

std::filesystem::path run_signal_propagation(const StudyOptions& options) {
  const auto out = output_dir(options, "signal_propagation");
  SignalPropagationSummary summary;
  std::string md = "# Signal propagation and the edge of chaos\n\n";
  md += fmt::format(
      "Generated by `actbench study signal_propagation{}`. Mean-field theory (Poole et al. 2016; "
      "Schoenholz et al. 2017; Hayou, Doucet and Rousseau 2019) computed by `actbench theory` for "
      "every catalogue activation, against measurement. Each verdict below is computed from the "
      "numbers by the study's decide layer (`src/study/signal_propagation_decide.cpp`) and is "
      "also in `verdicts.json`.\n\n",
      options.full ? " --full" : "");

  // Part 1.
  const Part1 p1 = measure_part1(options, out);
  summary.at_init = p1.rows;
  MarkdownTable t1({"activation", "init point", "sigma_w2", "sigma_b2", "q^l theory (first → last)",
                    "largest |q meas / q theory - 1|", "largest |c meas - c theory|",
                    "seed spread of q^L"});
  std::vector<double> spreads;
  for (const PropagationCurves& r : p1.rows) {
    t1.add({r.activation, r.point, fixed(r.sigma_w2, 4), fixed(r.sigma_b2, 2),
            fmt::format("{:.3g} → {:.3g}", r.q_theory.front(), r.q_theory.back()),
            fixed(r.max_q_deviation, 3), fixed(r.max_c_deviation, 3),
            fixed(r.q_seed_spread.back(), 3)});
    if (std::isfinite(r.q_seed_spread.back())) spreads.push_back(r.q_seed_spread.back());
  }
  write_text(out / "at_init.csv", t1.csv());
  std::sort(spreads.begin(), spreads.end());

  // Phase diagrams.
  std::vector<std::string> names;
  for (const model::ActivationEntry* entry : model::ActivationRegistry::instance().entries())
    if (catalogue::theory_not_applicable(model::default_activation(entry->name)).empty())
      names.push_back(entry->name);
  write_phase_diagrams(options, out, names);

  // Parts 2 and 3.
  const Part2 p2 = measure_part2(options, out);
  summary.steps = p2.steps;
  summary.separations = p2.separations;
  write_text(out / "trainability.svg", trainability_svg(p2));
  const Part3 p3 = measure_part3(options, out);
  summary.edge_of_chaos = p3.rows;
  summary.deepest = p3.depths.back();
  for (const Part3Choice& choice : part3_choices())
    if (choice.activation == "silu") {
      const catalogue::GaussianExpectations e(
          catalogue::functions_of(model::default_activation("silu")));
      const auto points = catalogue::edge_of_chaos(e, choice.sigma_b2);
      // The point the critical init takes: the first whose q* attracts, else the first.
      const catalogue::EdgeOfChaosPoint* chosen = points.empty() ? nullptr : &points.front();
      for (const catalogue::EdgeOfChaosPoint& point : points)
        if (point.stable) {
          chosen = &point;
          break;
        }
      if (chosen != nullptr) summary.silu_edge_length_slope = chosen->length_slope;
    }
  write_text(out / "edge_of_chaos.svg", edge_of_chaos_svg(p3));

  const std::vector<ClaimResult> claims = decide_signal_propagation(summary);
  write_verdicts(out / "verdicts.json", "signal_propagation", options.full ? "full" : "quick",
                 claims);

  md += fmt::format(
      "## 1. At initialisation\n\nMLPs of width {} and depth {} built by actbench's model builder "
      "with `init: {{name: mean_field, sigma_w2, sigma_b2}}`, {} seeds, 128 pairs of inputs of "
      "squared length 1 per unit and correlation 0.5; q^l is the mean squared pre-activation of "
      "layer l over all inputs, c^l the mean correlation of a pair's pre-activations, both "
      "averaged over seeds, against the length and correlation maps iterated from the same "
      "inputs. Each activation at its recommended gain (sigma_w2 = gain^2, no bias) and at its "
      "edge of chaos for sigma_b2 = 0.05.\n\n{}\n",
      p1.width, p1.depth, p1.seeds, t1.str());
  for (const std::string& s : p1.skipped) md += "- skipped: " + s + "\n";
  md += fmt::format(
      "\nFinite width: q^l of one network fluctuates around the map's value with the network's "
      "weights; the seed spread of q at the last layer (standard deviation over seeds, relative) "
      "has median {:.3f} (range {:.3f} to {:.3f}) over these rows, against 1/sqrt({}) = {:.3f} "
      "for a single layer of {} units: the deviations in the table are of the size of this "
      "spread, which compounds over depth and is largest where q grows (ReLU-like activations "
      "at large sigma_w2).\n\n",
      spreads.empty() ? kNaN : spreads[spreads.size() / 2],
      spreads.empty() ? kNaN : spreads.front(), spreads.empty() ? kNaN : spreads.back(), p1.width,
      1.0 / std::sqrt(static_cast<double>(p1.width)), p1.width);
  md += verdict_paragraph(claims[0]) + "\n\n";
  md +=
      "Figures per activation: `at_init/<activation>.svg` (measured solid, maps dashed), e.g. "
      "tanh:\n\n![tanh at initialisation](at_init/tanh.svg)\n\nPhase diagrams (the critical line "
      "chi1 = 1 and xi_c contours; the sigma_w2 axis is fitted to each activation's critical "
      "line): `phase_diagrams/<activation>.svg`, e.g. tanh:\n\n![tanh phase "
      "diagram](phase_diagrams/tanh.svg)\n\n";

  const std::vector<TrainabilityCell>& final_cells = p2.cells_by_length.back();
  MarkdownTable t2({"sigma_w2", "xi_c", "depth", "training accuracy", "trainable"});
  for (const auto& cell : final_cells)
    t2.add({fixed(cell.sigma_w2, 2), fixed(cell.xi_c, 2), std::to_string(cell.depth),
            fixed(cell.accuracy, 3), cell.trainable ? "yes" : "no"});
  write_text(out / "trainability.csv", t2.csv());
  MarkdownTable t2b({"training steps", "best c", "cells misclassified"});
  for (size_t i = 0; i < p2.steps.size(); ++i)
    t2b.add({std::to_string(p2.steps[i]), fmt::format("{:g}", p2.separations[i].c),
             fmt::format("{} of {}", p2.separations[i].misclassified, p2.separations[i].cells)});
  md += fmt::format(
      "## 2. Trainability against xi_c\n\ntanh, sigma_b2 = 0.05, the mean_field init, sigma_w2 "
      "from 1 to 4 in steps of 0.25, width {} (the paper: 300), depths {}, {} seed{}, SGD with "
      "momentum 0.9 at lr {:g}, batch 128, on MNIST; a network is trainable when its training "
      "accuracy over an epoch (the running accuracy of its steps) reaches {:g}. The runs of one "
      "depth train as one pack. The heat map shows the last epoch (steps {}-{}), with the "
      "boundary depth = c xi_c for the best c (red) and for the published c = 6 (dashed).\n\n"
      "![trainability](trainability.svg)\n\nThe best separating constant by training length "
      "(the rule \"trainable iff depth < c xi_c\" that misclassifies fewest cells):\n\n{}\n",
      p2.width, join_numbers(std::vector<double>(p2.depths.begin(), p2.depths.end()), 0, ", "),
      p2.seeds, p2.seeds == 1 ? "" : "s", p2.lr, p2.threshold,
      p2.steps.size() > 1 ? p2.steps[p2.steps.size() - 2] + 1 : 1, p2.steps.back(), t2b.str());
  md += verdict_paragraph(claims[1]) + "\n\n" + verdict_paragraph(claims[2]) + "\n\n";
  md += "Every cell (`trainability.csv`), after the longest training:\n\n" + t2.str() + "\n";

  MarkdownTable t3({"activation", "init", "depth", "runs (diverged or failed)",
                    "test acc. after epoch 1", "final test acc.", "per seed"});
  for (const EdgeOfChaosRow& r : p3.rows)
    t3.add({r.activation, r.init, std::to_string(r.depth), fmt::format("{} ({})", r.runs, r.failed),
            fixed(mean_of(r.first_epoch_accuracy), 3), fixed(mean_of(r.final_accuracy), 3),
            acc_list(r.final_accuracy)});
  write_text(out / "edge_of_chaos.csv", t3.csv());
  md += fmt::format(
      "## 3. Edge of chaos against standard inits\n\nMLPs of width {}, depths {}, on MNIST "
      "(experiments/signal_propagation_edge_of_chaos.yaml: SGD with momentum 0.9, lr {:g}, "
      "{} training images, {} epochs, {} seed{}); the edge-of-chaos init is `init: {{name: "
      "critical, sigma_b2: ...}}`, whose sigma_w2 the theory computes for the activation, at "
      "sigma_b2 = 0.01 for ELU and 0.04 for tanh (sigma_b = 0.1 and 0.2, the points of Hayou et "
      "al.'s official training script) and 0.04 for SiLU (not trained there); ReLU's edge of chaos "
      "is He's init, sigma_b2 = 0. The inits and seeds of one depth train as one pack. A run that "
      "diverged counts as accuracy 0 (the runs column says how many).\n\n![edge of "
      "chaos](edge_of_chaos.svg)\n\n{}\n",
      p3.width, join_numbers(std::vector<double>(p3.depths.begin(), p3.depths.end()), 0, ", "),
      p3.lr, p3.train_images, p3.epochs, p3.seeds, p3.seeds == 1 ? "" : "s", t3.str());
  // Where the critical init puts each activation: chi1 = 1 holds there, but a q* that repels
  // (SiLU at small sigma_b2) leaves the edge of chaos after the first layers.
  MarkdownTable t3p(
      {"activation", "sigma_b2", "sigma_w2 (chi1 = 1)", "q*", "dq'/dq at q*", "q* attracts"});
  for (const Part3Choice& choice : part3_choices()) {
    if (choice.critical().empty()) continue;
    const catalogue::GaussianExpectations e(
        catalogue::functions_of(model::default_activation(choice.activation)));
    for (const catalogue::EdgeOfChaosPoint& point : catalogue::edge_of_chaos(e, choice.sigma_b2))
      t3p.add({choice.activation, fmt::format("{:g}", choice.sigma_b2), fixed(point.sigma_w2, 4),
               fmt::format("{:.4g}", point.q), fixed(point.length_slope, 3),
               point.stable ? "yes" : "no"});
  }
  md += fmt::format(
      "The edge-of-chaos points the `critical` init uses (every point of the critical line at "
      "the activation's sigma_b2; the init takes the first whose q* attracts, else the "
      "first):\n\n{}\n"
      "Where q* does not attract, q^l leaves it with depth (part 1's table shows, at sigma_b2 = "
      "0.05, how far over 20 layers), so those networks sit at the edge of chaos only in their "
      "first layers.\n\n",
      t3p.str());
  md += verdict_paragraph(claims[3]) + "\n\n" + verdict_paragraph(claims[4]) + "\n";
  write_text(out / "README.md", md);
  return out / "README.md";
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
  return entry;
}

}  // namespace actbench::study
