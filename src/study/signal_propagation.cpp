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

#include "catalogue/activation_theory.hpp"
#include "catalogue/mean_field.hpp"
#include "catalogue/phase_diagram.hpp"
#include "model/properties.hpp"
#include "report/svg_plot.hpp"
#include "study/study.hpp"
#include "study/study_support.hpp"

namespace actbench::study {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string hidden_list(int width, int depth) {
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
        spec_from_overrides({"model.hidden=" + hidden_list(width, depth),
                             "model.activation=" + activation, init_override(sigma_w2, sigma_b2)}),
        shape);
    built.network->eval();  // RReLU at its mean slope, as the theory takes it
    // Two inputs of squared length per unit exactly 1 and correlation about c0.
    const torch::Tensor z = torch::randn({2, width}, torch::kFloat32);
    torch::Tensor x = torch::stack({z[0], c0 * z[0] + std::sqrt(1.0 - c0 * c0) * z[1]});
    x = x / (x.pow(2).mean(1, true)).sqrt();
    c_input += (x[0] * x[1]).mean().item<double>() / seeds;
    LayerRecorder recorder;
    torch::NoGradGuard no_grad;
    built.network->forward(x, &recorder);
    for (int l = 0; l < depth; ++l) {
      const torch::Tensor h = recorder.pre[l].to(torch::kFloat64);
      const double q = h.pow(2).mean().item<double>();
      const double c = ((h[0] * h[1]).sum() / (h[0].norm() * h[1].norm())).item<double>();
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

Verdict decide_propagation(const std::vector<PropagationCurves>& rows, double q_tolerance,
                           double c_tolerance) {
  int within = 0;
  std::vector<std::string> outside;
  for (const PropagationCurves& r : rows) {
    const bool ok = r.max_q_deviation <= q_tolerance && r.max_c_deviation <= c_tolerance;
    within += ok ? 1 : 0;
    if (!ok) outside.push_back(r.activation + " (" + r.point + ")");
  }
  const int total = static_cast<int>(rows.size());
  Verdict v;
  v.verdict = within == total ? "agrees" : (4 * within >= 3 * total ? "partly" : "does not agree");
  std::string listed;
  for (size_t i = 0; i < outside.size(); ++i) listed += (i ? ", " : "") + outside[i];
  v.reason = fmt::format(
      "{} of {} (activation, init) rows have every layer's q within {:.0f}% and c within {:g} of "
      "the maps{}",
      within, total, 100 * q_tolerance, c_tolerance, outside.empty() ? "" : "; outside: " + listed);
  return v;
}

Separation best_separation(const std::vector<TrainabilityCell>& cells) {
  Separation best;
  best.cells = static_cast<int>(cells.size());
  best.misclassified = best.cells + 1;
  for (int i = 1; i <= 400; ++i) {
    const double c = 0.05 * i;
    int wrong = 0;
    for (const TrainabilityCell& cell : cells)
      wrong += ((cell.depth < c * cell.xi_c) != cell.trainable) ? 1 : 0;
    if (wrong < best.misclassified) {
      best.misclassified = wrong;
      best.c = c;
    }
  }
  return best;
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
  std::vector<TrainabilityCell> cells;
  Separation separation;
  int width = 100, steps = 0;
  std::vector<int> depths;
  double threshold = 0.5;
};

double xi_c_of(const catalogue::GaussianExpectations& e, double sigma_w2, double sigma_b2) {
  const catalogue::PhaseAnalysis a = catalogue::analyse(e, sigma_w2, sigma_b2);
  const auto stable = a.stable();
  return stable.empty() ? kNaN : stable.front()->xi_c;
}

Part2 measure_part2(const StudyOptions& options, const std::filesystem::path& out) {
  Part2 p;
  p.depths =
      options.full ? std::vector<int>{10, 20, 40, 80, 160, 300} : std::vector<int>{10, 20, 40, 80};
  p.width = options.full ? 300 : 100;
  const int samples = options.full ? 51200 : 12800;
  p.steps = samples / 128;
  std::string depths_axis = "model.hidden=";
  for (size_t i = 0; i < p.depths.size(); ++i)
    depths_axis += (i ? "," : "") + hidden_list(p.width, p.depths[i]);
  const auto sweep_dir = run_sweep_file(options, "experiments/signal_propagation_trainability.yaml",
                                        {depths_axis, fmt::format("data.train_subset={}", samples)},
                                        out / "trainability_sweep");
  const catalogue::GaussianExpectations e(
      catalogue::functions_of(model::default_activation("tanh")));
  std::map<double, double> xi_cache;
  const auto accuracies = read_metric(sweep_dir, "train_accuracy");
  for (const auto& run : read_runs(sweep_dir)) {
    const auto config = nlohmann::json::parse(run.config_json);
    TrainabilityCell cell;
    cell.sigma_w2 = config["model"]["init"]["sigma_w2"].get<double>();
    const double sigma_b2 = config["model"]["init"]["sigma_b2"].get<double>();
    cell.depth = static_cast<int>(config["model"]["hidden"].size());
    if (!xi_cache.count(cell.sigma_w2))
      xi_cache[cell.sigma_w2] = xi_c_of(e, cell.sigma_w2, sigma_b2);
    cell.xi_c = xi_cache[cell.sigma_w2];
    double accuracy = 0.0;
    for (const auto& row : accuracies)
      if (row.run_id == run.run_id && row.layer.empty()) accuracy = row.value;
    cell.accuracy = run.status == core::RunStatus::kCompleted ? accuracy : 0.0;
    cell.trainable = cell.accuracy >= p.threshold;
    p.cells.push_back(cell);
  }
  p.separation = best_separation(p.cells);
  return p;
}

// A heat map of training accuracy over (sigma_w2, depth) with c xi_c curves: plain SVG rects, as
// svg_plot draws lines only.
std::string trainability_svg(const Part2& p) {
  std::vector<double> ws;
  for (const auto& cell : p.cells)
    if (std::find(ws.begin(), ws.end(), cell.sigma_w2) == ws.end()) ws.push_back(cell.sigma_w2);
  std::sort(ws.begin(), ws.end());
  const int left = 70, top = 40, cell_w = 60, cell_h = 40;
  const int width = left + cell_w * static_cast<int>(ws.size()) + 220;
  const int height = top + cell_h * static_cast<int>(p.depths.size()) + 60;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" "
      "fill=\"white\"/>\n<text x=\"{}\" y=\"20\" font-size=\"14\">tanh, sigma_b2 = 0.05, width "
      "{}, {} SGD steps: training accuracy</text>\n",
      width, height, left, p.width, p.steps);
  auto column = [&](double w) {
    return static_cast<int>(std::find(ws.begin(), ws.end(), w) - ws.begin());
  };
  auto row_of = [&](int depth) {
    return static_cast<int>(std::find(p.depths.begin(), p.depths.end(), depth) - p.depths.begin());
  };
  for (const auto& cell : p.cells) {
    const int x = left + cell_w * column(cell.sigma_w2);
    const int y = top + cell_h * (static_cast<int>(p.depths.size()) - 1 - row_of(cell.depth));
    const int shade = static_cast<int>(255 * std::clamp((cell.accuracy - 0.1) / 0.9, 0.0, 1.0));
    svg += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"rgb({},{},{})\" "
        "stroke=\"white\"/>\n<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{:.2f}"
        "</text>\n",
        x, y, cell_w, cell_h, 255 - shade, 255 - shade / 2, 255, x + cell_w / 2, y + cell_h / 2 + 4,
        shade > 150 ? "white" : "black", cell.accuracy);
  }
  for (size_t i = 0; i < ws.size(); ++i)
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{:g}</text>\n",
                       left + cell_w * static_cast<int>(i) + cell_w / 2,
                       top + cell_h * static_cast<int>(p.depths.size()) + 18, ws[i]);
  svg += fmt::format("<text x=\"{}\" y=\"{}\">sigma_w^2</text>\n", left,
                     top + cell_h * static_cast<int>(p.depths.size()) + 40);
  for (size_t i = 0; i < p.depths.size(); ++i)
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">depth {}</text>\n", left - 6,
                       top + cell_h * static_cast<int>(p.depths.size() - 1 - i) + cell_h / 2 + 4,
                       p.depths[i]);
  // Which cells lie below c xi_c (the rule's "trainable"): marked with a dot.
  for (const auto& cell : p.cells) {
    if (!(cell.depth < p.separation.c * cell.xi_c)) continue;
    const int x = left + cell_w * column(cell.sigma_w2) + 8;
    const int y = top + cell_h * (static_cast<int>(p.depths.size()) - 1 - row_of(cell.depth)) + 8;
    svg += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"#d62728\"/>\n", x, y);
  }
  const int legend_x = left + cell_w * static_cast<int>(ws.size()) + 15;
  svg += fmt::format(
      "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"#d62728\"/><text x=\"{}\" y=\"{}\">depth &lt; "
      "{:g} xi_c</text>\n",
      legend_x, top + 10, legend_x + 10, top + 14, p.separation.c);
  for (size_t i = 0; i < ws.size(); ++i) {
    double xi = kNaN;
    for (const auto& cell : p.cells)
      if (cell.sigma_w2 == ws[i]) xi = cell.xi_c;
    svg += fmt::format("<text x=\"{}\" y=\"{}\">xi_c({:g}) = {:.3g}</text>\n", legend_x,
                       top + 34 + 16 * static_cast<int>(i), ws[i], xi);
  }
  return svg + "</svg>\n";
}

// ---- Part 3: edge of chaos against standard inits.

struct Part3Row {
  std::string activation, init;
  int depth = 0;
  std::vector<double> first_epoch_accuracy, final_accuracy;  // test accuracy, per seed
  int runs = 0, failed = 0;
};

struct Part3 {
  std::vector<Part3Row> rows;
  std::vector<int> depths;
  int width = 64;
  std::string sigma_note;
};

struct Part3Choice {
  std::string activation;
  std::string critical;  // the critical init's override value
  std::string standard;  // He or Xavier
  std::string standard_label;
};

const std::vector<Part3Choice>& part3_choices() {
  static const std::vector<Part3Choice> choices = {
      // ReLU's edge of chaos is sigma_b2 = 0, sigma_w2 = 2: He's init, so one run stands for both.
      {"relu", "", "{name: kaiming_normal}", "He = edge of chaos"},
      {"elu", "{name: critical, sigma_b2: 0.05}", "{name: kaiming_normal}", "He"},
      {"tanh", "{name: critical, sigma_b2: 0.05}", "{name: xavier_normal}", "Xavier"},
      {"silu", "{name: critical, sigma_b2: 0.05}", "{name: kaiming_normal}", "He"},
  };
  return choices;
}

Part3 measure_part3(const StudyOptions& options, const std::filesystem::path& out) {
  Part3 p;
  p.depths = options.full ? std::vector<int>{50, 100, 200} : std::vector<int>{50, 100};
  p.width = options.full ? 128 : 64;
  std::string depths_axis = "model.hidden=";
  for (size_t i = 0; i < p.depths.size(); ++i)
    depths_axis += (i ? "," : "") + hidden_list(p.width, p.depths[i]);
  for (const Part3Choice& choice : part3_choices()) {
    std::vector<std::string> overrides = {
        "model.activation=" + choice.activation,
        "model.init=" +
            (choice.critical.empty() ? choice.standard : choice.critical + "," + choice.standard),
        depths_axis};
    if (options.full) {
      overrides.push_back("data.train_subset=0");
      overrides.push_back("train.epochs=10");
      overrides.push_back("seed=0,1,2,3,4");
    }
    const auto sweep_dir =
        run_sweep_file(options, "experiments/signal_propagation_edge_of_chaos.yaml", overrides,
                       out / ("edge_of_chaos_" + choice.activation));
    const auto accuracies = read_metric(sweep_dir, "test_accuracy");
    std::map<std::pair<std::string, int>, Part3Row> rows;
    for (const auto& run : read_runs(sweep_dir)) {
      const auto config = nlohmann::json::parse(run.config_json);
      const auto& init = config["model"]["init"];
      const std::string init_name =
          init.is_string() ? init.get<std::string>() : init["name"].get<std::string>();
      const std::string label = init_name == "critical" ? "edge of chaos" : choice.standard_label;
      const int depth = static_cast<int>(config["model"]["hidden"].size());
      Part3Row& row = rows[{label, depth}];
      row.activation = choice.activation;
      row.init = label;
      row.depth = depth;
      ++row.runs;
      if (run.status != core::RunStatus::kCompleted) {
        ++row.failed;
        continue;
      }
      std::map<int64_t, double> by_epoch;
      for (const auto& m : accuracies)
        if (m.run_id == run.run_id && m.layer.empty()) by_epoch[m.epoch] = m.value;
      if (by_epoch.empty()) continue;
      row.first_epoch_accuracy.push_back(by_epoch.begin()->second);
      row.final_accuracy.push_back(by_epoch.rbegin()->second);
    }
    for (auto& [key, row] : rows) p.rows.push_back(row);
  }
  return p;
}

// Does SiLU (and ELU) at the edge of chaos reach a higher accuracy than ReLU at the deepest depth?
Verdict decide_edge_of_chaos(const Part3& p) {
  const int deepest = p.depths.back();
  auto accuracy = [&](const std::string& activation, const std::string& init) {
    for (const Part3Row& r : p.rows)
      if (r.activation == activation && r.init == init && r.depth == deepest)
        return mean_of(r.final_accuracy);
    return kNaN;
  };
  const double relu = accuracy("relu", "He = edge of chaos");
  const double silu = accuracy("silu", "edge of chaos");
  const double silu_he = accuracy("silu", "He");
  Verdict v;
  if (std::isnan(relu) || std::isnan(silu)) {
    v.verdict = "does not agree";
    v.reason = "a run needed for the comparison did not complete";
    return v;
  }
  const bool deeper = silu > relu + 0.01;
  const bool eoc_helps = std::isnan(silu_he) || silu >= silu_he - 0.01;
  v.verdict = deeper && eoc_helps ? "agrees" : (deeper || eoc_helps ? "partly" : "does not agree");
  v.reason = fmt::format(
      "at depth {}, SiLU at the edge of chaos reaches {:.3f} test accuracy, ReLU (He, its edge of "
      "chaos) {:.3f}, SiLU with He {:.3f}; the claim needs SiLU at the edge of chaos above ReLU by "
      "more than 0.01, and not below SiLU with He by more than 0.01",
      deepest, silu, relu, silu_he);
  return v;
}

std::string acc_list(const std::vector<double>& values) {
  return values.empty() ? "n/a" : join_numbers(values, 3, ", ");
}

std::filesystem::path run_signal_propagation(const StudyOptions& options) {
  const auto out = output_dir(options, "signal_propagation");
  std::string md = "# Signal propagation and the edge of chaos\n\n";
  md += fmt::format(
      "Generated by `actbench study signal_propagation{}`. Mean-field theory (Poole et al. 2016; "
      "Schoenholz et al. 2017; Hayou, Doucet and Rousseau 2019) computed by `actbench theory` for "
      "every catalogue activation, against measurement.\n\n",
      options.full ? " --full" : "");

  // Part 1.
  const Part1 p1 = measure_part1(options, out);
  const double finite_width = 1.0 / std::sqrt(static_cast<double>(p1.width));
  const double q_tolerance = 0.1, c_tolerance = 0.05;
  const Verdict v1 = decide_propagation(p1.rows, q_tolerance, c_tolerance);
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
  md += fmt::format(
      "## 1. At initialisation\n\nMLPs of width {} and depth {} built by actbench's model builder "
      "with `init: {{name: mean_field, sigma_w2, sigma_b2}}`, {} seeds, two inputs of squared "
      "length 1 per unit and correlation 0.5; q^l is the mean squared pre-activation of layer l, "
      "c^l the two inputs' pre-activation correlation, both averaged over seeds, against the "
      "length and correlation maps iterated from the same inputs. Each activation at its "
      "recommended gain (sigma_w2 = gain^2, no bias) and at its edge of chaos for sigma_b2 = "
      "0.05.\n\n{}\n",
      p1.width, p1.depth, p1.seeds, t1.str());
  for (const std::string& s : p1.skipped) md += "- skipped: " + s + "\n";
  md += fmt::format(
      "\nFinite width: one layer's q estimate from N = {} units fluctuates by about 1/sqrt(N) = "
      "{:.3f} relative; the measured seed spread of q at the last layer has median {:.3f} "
      "(range {:.3f} to {:.3f}) over these rows, and deviations compound over depth.\n\n",
      p1.width, finite_width, spreads.empty() ? kNaN : spreads[spreads.size() / 2],
      spreads.empty() ? kNaN : spreads.front(), spreads.empty() ? kNaN : spreads.back());
  md +=
      fmt::format("**Verdict (the maps predict q^l and c^l of wide random networks): {}.** {}.\n\n",
                  v1.verdict, v1.reason);
  md +=
      "Figures per activation: `at_init/<activation>.svg`; phase diagrams (critical line and "
      "xi_c contours): `phase_diagrams/<activation>.svg`.\n\n";
  std::vector<std::string> names;
  for (const model::ActivationEntry* entry : model::ActivationRegistry::instance().entries())
    if (catalogue::theory_not_applicable(model::default_activation(entry->name)).empty())
      names.push_back(entry->name);
  write_phase_diagrams(options, out, names);
  md += "![tanh phase diagram](phase_diagrams/tanh.svg)\n\n";

  // Part 2.
  const Part2 p2 = measure_part2(options, out);
  write_text(out / "trainability.svg", trainability_svg(p2));
  MarkdownTable t2({"sigma_w2", "xi_c", "depth", "training accuracy", "trainable (>= 0.5)"});
  for (const auto& cell : p2.cells)
    t2.add({fixed(cell.sigma_w2, 2), fixed(cell.xi_c, 2), std::to_string(cell.depth),
            fixed(cell.accuracy, 3), cell.trainable ? "yes" : "no"});
  write_text(out / "trainability.csv", t2.csv());
  md += fmt::format(
      "## 2. Trainability against xi_c\n\ntanh, sigma_b2 = 0.05, the mean_field init, width {} "
      "(the paper: 300), {} SGD steps (lr 0.01, batch 128) on MNIST, one seed; trainable means "
      "training accuracy >= {:g} over the run.\n\n{}\n",
      p2.width, p2.steps, p2.threshold, t2.str());
  md += fmt::format(
      "The rule \"trainable iff depth < c xi_c\" misclassifies fewest cells at c = {:g} ({} of {} "
      "cells wrong). Schoenholz et al. report trainability up to about 6 xi_c; a reimplementation "
      "with 200 steps saw about 4.5 xi_c. How c moves with training length is not measured here "
      "(one length per mode).\n\n![trainability](trainability.svg)\n\n",
      p2.separation.c, p2.separation.misclassified, p2.separation.cells);

  // Part 3.
  const Part3 p3 = measure_part3(options, out);
  const Verdict v3 = decide_edge_of_chaos(p3);
  MarkdownTable t3({"activation", "init", "depth", "runs (failed)", "test acc. after epoch 1",
                    "final test acc.", "per seed"});
  for (const Part3Row& r : p3.rows)
    t3.add({r.activation, r.init, std::to_string(r.depth), fmt::format("{} ({})", r.runs, r.failed),
            fixed(mean_of(r.first_epoch_accuracy), 3), fixed(mean_of(r.final_accuracy), 3),
            acc_list(r.final_accuracy)});
  write_text(out / "edge_of_chaos.csv", t3.csv());
  md += fmt::format(
      "## 3. Edge of chaos against standard inits\n\nMLPs of width {}, depths {}, on MNIST "
      "(experiments/signal_propagation_edge_of_chaos.yaml: SGD with momentum, lr 0.01){}; the "
      "edge-of-chaos init is `init: {{name: critical, sigma_b2: 0.05}}`, whose sigma_w2 the "
      "theory computes for the activation.\n\n{}\n",
      p3.width, join_numbers(std::vector<double>(p3.depths.begin(), p3.depths.end()), 0, ", "),
      options.full ? ", full training set, 10 epochs, 5 seeds"
                   : ", 10,000 training images, 2 epochs, 2 seeds",
      t3.str());
  md += fmt::format(
      "**Verdict (Hayou et al.: SiLU-like activations at the edge of chaos train deeper than "
      "ReLU-like ones): {}.** {}.\n",
      v3.verdict, v3.reason);
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
