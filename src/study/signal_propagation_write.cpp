// The signal-propagation study's write layer: tables (Markdown and CSV), figures and the README,
// from the measurements and the decided claims only. Setup values in the prose (widths, depths,
// seeds, lr, epochs, thresholds) are read from the measurements, which read them from the runs'
// configs, and from the claims' rules; every verdict and its sentence comes from
// signal_propagation_decide.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "catalogue/activation_theory.hpp"
#include "catalogue/mean_field.hpp"
#include "catalogue/phase_diagram.hpp"
#include "core/numbers.hpp"
#include "model/properties.hpp"
#include "plot/svg_plot.hpp"
#include "stats/statistics.hpp"
#include "study/signal_propagation.hpp"
#include "study/study_support.hpp"

namespace actbench::study {
namespace {

using core::kNaN;

const ClaimResult& claim_of(const std::vector<ClaimResult>& claims, const std::string& id) {
  for (const ClaimResult& c : claims)
    if (c.claim.id == id) return c;
  throw Error("signal_propagation: no claim " + id);
}

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
    plot::write_svg(out / "phase_diagrams" / (name + ".svg"),
                    catalogue::phase_diagram_svg(catalogue::compute_phase_diagram(e, diagram),
                                                 "Mean-field phase diagram of " + name));
  }
}

// A heat map of training accuracy over (sigma_w2, depth) with depth = c xi_c(sigma_w2) drawn over
// it for the published c = 6 (the claim, with its interval in the legend) and the fitted c: plain
// SVG, as svg_plot draws lines only. Depth rows are log-spaced, so the curves use log depth
// between row centres.
std::string trainability_svg(const TrainabilityMeasurements& p, const ClaimResult& claim) {
  const std::vector<TrainabilityCell>& cells = p.cells_by_length.back();
  const Separation separation = best_separation(cells);
  const RuleCount six = classify_with(cells, kPublishedXiConstant);
  std::vector<double> ws;
  for (const auto& cell : cells)
    if (std::find(ws.begin(), ws.end(), cell.sigma_w2) == ws.end()) ws.push_back(cell.sigma_w2);
  std::sort(ws.begin(), ws.end());
  const int rows = static_cast<int>(p.depths.size());
  const int left = 80, top = 50, cell_w = 52, cell_h = 44;
  const int plot_w = cell_w * static_cast<int>(ws.size()), plot_h = cell_h * rows;
  const int width = left + plot_w + 290;
  const int height = std::max(top + plot_h + 60, top + 58 + 15 * 12);
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" "
      "fill=\"white\"/>\n<text x=\"{}\" y=\"22\" font-size=\"14\" font-weight=\"bold\">tanh, "
      "sigma_b2 = {:g}, width {}: training accuracy over steps {}-{} ({})</text>\n",
      width, height, left, p.sigma_b2, p.width,
      p.steps.size() > 1 ? p.steps[p.steps.size() - 2] + 1 : 1, p.steps.back(),
      p.seeds == 1 ? "1 seed" : fmt::format("mean of {} seeds", p.seeds));
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
      {separation.c, "#d62728", ""},
      {kPublishedXiConstant, "#000000", " stroke-dasharray=\"6,4\""}};
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
  // The critical sigma_w2: ordered rows on its left, chaotic on its right.
  if (std::isfinite(p.critical_sigma_w2) && ws.size() > 1)
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#555\" "
        "stroke-width=\"1.5\" stroke-dasharray=\"2,3\"/><text x=\"{0:.1f}\" y=\"{3}\" "
        "text-anchor=\"middle\" font-size=\"11\">critical {4:.3g}: ordered | chaotic</text>\n",
        x_of(p.critical_sigma_w2), top, top + plot_h, top - 6, p.critical_sigma_w2);
  const int legend_x = left + plot_w + 15;
  std::vector<std::string> lines = {
      fmt::format("{} of {} cells right with c = {:g}", six.right, six.cells, kPublishedXiConstant),
      "95% interval of the share:",
      interval_text(claim.interval),
      fmt::format("rule: {}", claim.claim.rule.describe()),
      fmt::format("verdict: {}", verdict_text(claim.verdict)),
      "",
      separation.c == separation.c_max
          ? fmt::format("fitted c = {:g} (in-sample):", separation.c)
          : fmt::format("fitted c = {:g}-{:g} (in-sample,", separation.c, separation.c_max),
      separation.c == separation.c_max ? "" : "tie range; red: the smallest):",
      fmt::format("{} of {} cells right", separation.cells - separation.misclassified,
                  separation.cells),
      "",
      fmt::format("trainable: accuracy &gt;= {:g}", p.threshold)};
  svg += fmt::format(
      "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#000\" stroke-width=\"2.5\" "
      "stroke-dasharray=\"6,4\"/><text x=\"{}\" y=\"{}\">depth = {:g} xi_c (published)</text>\n",
      legend_x, top + 10, legend_x + 24, top + 10, legend_x + 30, top + 14, kPublishedXiConstant);
  svg += fmt::format(
      "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#d62728\" stroke-width=\"2.5\"/>"
      "<text x=\"{}\" y=\"{}\">depth = {:g} xi_c (fitted)</text>\n",
      legend_x, top + 30, legend_x + 24, top + 30, legend_x + 30, top + 34, separation.c);
  for (size_t i = 0; i < lines.size(); ++i)
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>\n", legend_x,
                       top + 58 + 15 * static_cast<int>(i), lines[i]);
  return svg + "</svg>\n";
}

// "sigma_w2 1.38, sigma_b2 0.01": what an init is, whatever its name.
std::string init_point(const EdgeOfChaosRow& r) {
  std::string text = fmt::format("sigma_w2 {:.3g}, sigma_b2 {:g}", r.sigma_w2, r.sigma_b2);
  if (r.input_scale != 1.0) text += fmt::format(", inputs x {:.3g}", r.input_scale);
  return text;
}

// Final test accuracy against depth, one line per (activation, arm): the mean over seeds, each
// seed's accuracy as a dot, and the t 95% interval of the mean as a bar (clipped to [0, 1]).
std::string edge_of_chaos_svg(const EdgeOfChaosMeasurements& p) {
  plot::Chart chart;
  chart.title = fmt::format(
      "Final test accuracy by depth (width {}, {} seeds: mean, seeds as dots, t 95% bars)", p.width,
      p.seeds);
  chart.x.label = "depth (hidden layers)";
  // A log axis spans whole decades: quick mode's depths 50 and 80 sat in the right third of a
  // 10-100 axis. Log only when the depths span a decade (full mode's 50 to 300 and more).
  double shallowest = 0, deepest = 0;
  for (const EdgeOfChaosRow& r : p.rows) {
    shallowest = shallowest == 0 ? r.depth : std::min<double>(shallowest, r.depth);
    deepest = std::max<double>(deepest, r.depth);
  }
  chart.x.log = shallowest > 0 && deepest / shallowest >= 10;
  chart.x.integer = true;
  chart.x.padding = 0.1;
  chart.y = {"test accuracy", 0.0, 1.0, false, 0.0};
  chart.width = 820;
  chart.height = 480;
  const std::map<std::string, std::string> colours = {
      {"relu", "#7f7f7f"}, {"elu", "#1f77b4"}, {"tanh", "#2ca02c"}, {"silu", "#d62728"}};
  std::map<std::string, plot::Series> series;
  std::vector<plot::Series> extras;
  for (const EdgeOfChaosRow& r : p.rows) {
    const std::string key = r.activation + " " + r.init;
    plot::Series& s = series[key];
    s.label = fmt::format("{}, {} ({})", r.activation, r.init, init_point(r));
    s.group = key;
    s.colour = colours.at(r.activation);
    s.style = r.init == "standard" ? plot::LineStyle::Dashed : plot::LineStyle::Solid;
    s.x.push_back(r.depth);
    s.y.push_back(r.final_accuracy.empty() ? 0.0 : mean_of(r.final_accuracy));
    plot::Series dots;
    dots.group = key;
    dots.colour = s.colour;
    dots.points = true;
    dots.width = 5.0;
    for (double a : r.final_accuracy) {
      dots.x.push_back(r.depth);
      dots.y.push_back(a);
    }
    extras.push_back(dots);
    const stats::Interval t = stats::mean_interval(r.final_accuracy);
    if (std::isfinite(t.low) && std::isfinite(t.high)) {
      plot::Series bar;
      bar.group = key;
      bar.colour = s.colour;
      bar.width = 1.0;
      bar.x = {static_cast<double>(r.depth), static_cast<double>(r.depth)};
      bar.y = {std::clamp(t.low, 0.0, 1.0), std::clamp(t.high, 0.0, 1.0)};
      extras.push_back(bar);
    }
  }
  for (auto& [name, s] : series) chart.series.push_back(std::move(s));
  for (auto& s : extras) chart.series.push_back(std::move(s));
  return plot::render_svg(chart);
}

std::string acc_list(const std::vector<double>& values) {
  return values.empty() ? "n/a" : join_numbers(values, 3, ", ");
}

std::string int_list(const std::vector<int>& values) {
  return join_numbers(std::vector<double>(values.begin(), values.end()), 0, ", ");
}

std::string write_at_init(const StudyOptions& options, const std::filesystem::path& out,
                          const AtInitMeasurements& p1, const ClaimResult& claim) {
  MarkdownTable t1({"activation", "init point", "sigma_w2", "sigma_b2", "q^l theory (first → last)",
                    "largest |q meas / q theory - 1|", "largest |c meas - c theory|",
                    "seed spread of q^L"});
  std::vector<double> spreads;
  double edge_sigma_b2 = kNaN;
  for (const PropagationCurves& r : p1.rows) {
    t1.add({r.activation, r.point, fixed(r.sigma_w2, 4), fixed(r.sigma_b2, 2),
            fmt::format("{:.3g} → {:.3g}", r.q_theory.front(), r.q_theory.back()),
            fixed(r.max_q_deviation, 3), fixed(r.max_c_deviation, 3),
            fixed(r.q_seed_spread.back(), 3)});
    if (std::isfinite(r.q_seed_spread.back())) spreads.push_back(r.q_seed_spread.back());
    if (r.point == "edge of chaos") edge_sigma_b2 = r.sigma_b2;
  }
  write_text(out / "at_init.csv", t1.csv());
  std::sort(spreads.begin(), spreads.end());
  std::vector<std::string> names;
  for (const model::ActivationEntry* entry : model::ActivationRegistry::instance().entries())
    if (catalogue::theory_not_applicable(model::default_activation(entry->name)).empty())
      names.push_back(entry->name);
  write_phase_diagrams(options, out, names);

  std::string md = fmt::format(
      "## 1. At initialisation\n\nMLPs of width {} and depth {} built by actbench's model builder "
      "with `init: {{name: mean_field, sigma_w2, sigma_b2}}`, {} seeds, 128 pairs of inputs of "
      "squared length 1 per unit and correlation {:g}; q^l is the mean squared pre-activation of "
      "layer l over all inputs, c^l the mean correlation of a pair's pre-activations, both "
      "averaged over seeds, against the length and correlation maps iterated from the same "
      "inputs. Each activation at its recommended gain (sigma_w2 = gain^2, no bias) and at its "
      "edge of chaos for sigma_b2 = {:g}.\n\n{}\n",
      p1.width, p1.depth, p1.seeds, p1.c0, edge_sigma_b2, t1.str());
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
  md += verdict_paragraph(claim) + "\n\n";
  md +=
      "Figures per activation: `at_init/<activation>.svg` (measured solid, maps dashed), e.g. "
      "tanh:\n\n![tanh at initialisation](at_init/tanh.svg)\n\nPhase diagrams (the critical line "
      "chi1 = 1 and xi_c contours; the sigma_w2 axis is fitted to each activation's critical "
      "line): `phase_diagrams/<activation>.svg`, e.g. tanh:\n\n![tanh phase "
      "diagram](phase_diagrams/tanh.svg)\n\n";
  return md;
}

std::string write_trainability(const std::filesystem::path& out, const TrainabilityMeasurements& p2,
                               const ClaimResult& claim) {
  write_text(out / "trainability.svg", trainability_svg(p2, claim));
  const std::vector<TrainabilityCell>& final_cells = p2.cells_by_length.back();
  MarkdownTable t2({"sigma_w2", "phase", "xi_c", "depth", "6 xi_c", "training accuracy",
                    "trainable", "depth < 6 xi_c"});
  for (const auto& cell : final_cells) {
    const bool predicted = cell.depth < kPublishedXiConstant * cell.xi_c;
    t2.add({fixed(cell.sigma_w2, 2), cell.sigma_w2 <= p2.critical_sigma_w2 ? "ordered" : "chaotic",
            fixed(cell.xi_c, 2), std::to_string(cell.depth),
            fixed(kPublishedXiConstant * cell.xi_c, 1), fixed(cell.accuracy, 3),
            cell.trainable ? "yes" : "no",
            predicted == cell.trainable ? (predicted ? "yes (right)" : "no (right)")
                                        : (predicted ? "yes (wrong)" : "no (wrong)")});
  }
  write_text(out / "trainability.csv", t2.csv());
  MarkdownTable t2b({"training steps", "cells", "c = 6: cells right", "fitted c (tie range)",
                     "fitted c: cells misclassified"});
  MarkdownTable t2c({"phase", "cells", "c = 6: cells right", "Wilson 95%", "fitted c (tie range)",
                     "fitted c: cells misclassified"});
  for (size_t i = 0; i < p2.steps.size(); ++i) {
    const Separation f = best_separation(p2.cells_by_length[i]);
    const RuleCount six = classify_with(p2.cells_by_length[i], kPublishedXiConstant);
    t2b.add({std::to_string(p2.steps[i]), std::to_string(six.cells), std::to_string(six.right),
             f.c == f.c_max ? fmt::format("{:g}", f.c) : fmt::format("{:g} to {:g}", f.c, f.c_max),
             std::to_string(f.misclassified)});
  }
  for (const PhaseSeparation& p : separations_by_phase(final_cells, p2.critical_sigma_w2)) {
    const stats::Interval w = stats::wilson_interval(p.published.right, p.published.cells);
    t2c.add({p.phase, std::to_string(p.published.cells), std::to_string(p.published.right),
             fmt::format("[{:.3f}, {:.3f}]", w.low, w.high),
             p.fitted.c == p.fitted.c_max ? fmt::format("{:g}", p.fitted.c)
                                          : fmt::format("{:g} to {:g}", p.fitted.c, p.fitted.c_max),
             std::to_string(p.fitted.misclassified)});
  }
  std::string md = fmt::format(
      "## 2. Trainability against xi_c\n\ntanh, sigma_b2 = {:g}, the mean_field init, sigma_w2 "
      "from {:g} to {:g} ({} values), width {} (the paper: 300), depths {}, {} seed{}, SGD with "
      "momentum {:g} at lr {:g}, batch {}, on MNIST; a network is trainable when its training "
      "accuracy over an epoch (the running accuracy of its steps) reaches {:g}. The runs of one "
      "depth train as one pack. The heat map shows the last epoch (steps {}-{}), with the "
      "published boundary depth = {:g} xi_c (dashed; the claim, its interval in the legend), the "
      "fitted one (red) and the critical sigma_w2 = {:.4g} that parts the ordered phase from the "
      "chaotic one.\n\n![trainability](trainability.svg)\n\n",
      p2.sigma_b2, p2.sigma_w2s.empty() ? kNaN : p2.sigma_w2s.front(),
      p2.sigma_w2s.empty() ? kNaN : p2.sigma_w2s.back(), p2.sigma_w2s.size(), p2.width,
      int_list(p2.depths), p2.seeds, p2.seeds == 1 ? "" : "s", p2.momentum, p2.lr, p2.batch_size,
      p2.threshold, p2.steps.size() > 1 ? p2.steps[p2.steps.size() - 2] + 1 : 1, p2.steps.back(),
      kPublishedXiConstant, p2.critical_sigma_w2);
  md += verdict_paragraph(claim) + "\n\n";
  md += fmt::format(
      "The published constant is the one tested. The fitted c (the rule \"trainable iff depth < "
      "c xi_c\" that misclassifies fewest cells, on a 0.05 grid, with every c that ties) is chosen "
      "on the same cells it is scored on, so it is reported, not tested; theory gives the two "
      "phases different reasons to fail (vanishing signal in the ordered phase, decorrelation in "
      "the chaotic one), so it is fitted per phase too. After the longest training:\n\n{}\nBy "
      "training length (all cells):\n\n{}\nEvery cell (`trainability.csv`), after the longest "
      "training:\n\n{}\n",
      t2c.str(), t2b.str(), t2.str());
  return md;
}

std::string write_edge_of_chaos(const std::filesystem::path& out, const EdgeOfChaosMeasurements& p3,
                                const std::vector<ClaimResult>& claims) {
  write_text(out / "edge_of_chaos.svg", edge_of_chaos_svg(p3));
  MarkdownTable t3({"activation", "arm", "init", "sigma_w2", "sigma_b2", "input scale", "depth",
                    "runs (diverged or failed)", "test acc. after epoch 1", "final test acc.",
                    "t 95% of the mean", "per seed"});
  for (const EdgeOfChaosRow& r : p3.rows) {
    const stats::Interval t = stats::mean_interval(r.final_accuracy);
    t3.add({r.activation, r.init, r.recipe, fixed(r.sigma_w2, 4), fmt::format("{:g}", r.sigma_b2),
            fixed(r.input_scale, 4), std::to_string(r.depth),
            fmt::format("{} ({})", r.runs, r.failed), fixed(mean_of(r.first_epoch_accuracy), 3),
            fixed(mean_of(r.final_accuracy), 3),
            std::isfinite(t.low) ? fmt::format("[{:.3f}, {:.3f}]", t.low, t.high) : "n/a",
            acc_list(r.final_accuracy)});
  }
  write_text(out / "edge_of_chaos.csv", t3.csv());
  MarkdownTable t3p({"activation", "sigma_b2", "sigma_w2 (chi1 = 1)", "q*", "dq'/dq at q*",
                     "q* attracts", "the init's point"});
  std::string points;
  for (const auto& point : p3.points) {
    t3p.add({point.activation, fmt::format("{:g}", point.sigma_b2), fixed(point.sigma_w2, 4),
             fmt::format("{:.4g}", point.q), fixed(point.length_slope, 3),
             point.stable ? "yes" : "no", point.chosen ? "yes" : ""});
    if (point.chosen)
      points += fmt::format("{}{} at sigma_b2 = {:g} (q* = {:.3g}, inputs x {:.3g})",
                            points.empty() ? "" : ", ", point.activation, point.sigma_b2, point.q,
                            std::sqrt(point.q));
  }
  std::string standard_points;
  std::map<std::string, double> standard_of;
  for (const EdgeOfChaosRow& r : p3.rows)
    if (r.init == "standard") standard_of[r.activation] = r.sigma_w2;
  for (const auto& [activation, sigma_w2] : standard_of)
    standard_points +=
        fmt::format("{}{} {:.3g}", standard_points.empty() ? "" : ", ", activation, sigma_w2);
  std::string md = fmt::format(
      "## 3. Edge of chaos against standard inits\n\nMLPs of width {}, depths {}, on MNIST "
      "(experiments/signal_propagation_edge_of_chaos.yaml: SGD with momentum {:g}, lr {:g}, {} "
      "training images, {} epochs, {} seed{}). Two arms per activation, each named in the table "
      "by what it is (sigma_w2 and sigma_b2 of its hidden layers):\n\n"
      "- the edge of chaos: `init: {{name: critical, sigma_b2}}`, whose sigma_w2 the theory "
      "computes for the activation: {}. sigma_b = 0.1 for ELU and 0.2 for tanh are the points of "
      "Hayou et al.'s official training script (soufiane001/impact_of_init_and_activation, "
      "simulation_script.py); SiLU is not trained there and takes tanh's. As that script does "
      "(`x_train = np.sqrt(q) * X_train`), the inputs are multiplied by sqrt(q*) "
      "(`data.input_scale`); here they are normalised first (second moment 1 per pixel), so "
      "their second moment is q*, where the script scales pixels in [0, 1].\n"
      "- the standard init, inputs as they are: `kaiming_normal` (ELU, SiLU) and `xavier_normal` "
      "(tanh) at the activation's recommended gain, zero biases; in a hidden layer of equal fans "
      "both give sigma_w2 = gain^2 ({}; tanh's from the gain 5/3, not Glorot's gain 1). The "
      "table and figure name them by those numbers.\n"
      "- ReLU's edge of chaos is He's init (sigma_w2 = 2, sigma_b2 = 0; the script feeds it "
      "q = 1, the inputs as they are), so one arm stands for both.\n\n"
      "The seeds of one depth and arm train as one pack. A run that diverged counts as accuracy "
      "0 (the runs column says how many); a run trained when its final test accuracy reaches "
      "{:g} (twice chance).\n\n![edge of chaos](edge_of_chaos.svg)\n\n{}\n",
      p3.width, int_list(p3.depths), p3.momentum, p3.lr,
      p3.train_images > 0 ? std::to_string(p3.train_images) : std::string("all"), p3.epochs,
      p3.seeds, p3.seeds == 1 ? "" : "s", points, standard_points, kPropagationTrainedAccuracy,
      t3.str());
  md += fmt::format(
      "The edge-of-chaos points of the critical line at each activation's sigma_b2 (the init "
      "takes the first whose q* attracts, else the first):\n\n{}\n"
      "Where q* does not attract, q^l leaves it with depth (part 1's table shows how far over "
      "its depth), so those networks sit at the edge of chaos only in their first layers.\n\n",
      t3p.str());
  md += verdict_paragraph(claim_of(claims, "signal_propagation.silu_deeper")) + "\n\n" +
        verdict_paragraph(claim_of(claims, "signal_propagation.edge_beats_standard")) + "\n";
  return md;
}

}  // namespace

std::filesystem::path write_signal_propagation(const StudyOptions& options,
                                               const std::filesystem::path& out,
                                               const SignalPropagationMeasurements& m,
                                               const std::vector<ClaimResult>& claims) {
  std::string md = "# Signal propagation and the edge of chaos\n\n";
  md += fmt::format(
      "Generated by `actbench study signal_propagation{}`. Mean-field theory (Poole et al. 2016; "
      "Schoenholz et al. 2017; Hayou, Doucet and Rousseau 2019) computed by `actbench theory` for "
      "every catalogue activation, against measurement. Each verdict below is decided from the "
      "interval of its measured quantity by the study's decide layer "
      "(`src/study/signal_propagation_decide.cpp`) and is also in `verdicts.json`: \"agrees\" "
      "when the interval lies inside the rule's band, \"does not agree\" when outside, "
      "\"inconclusive\" when it straddles a threshold or the runs cannot decide.\n\n",
      options.full ? " --full" : "");
  md += write_at_init(options, out, m.at_init, claim_of(claims, "signal_propagation.maps_predict"));
  md += write_trainability(out, m.trainability, claim_of(claims, "signal_propagation.six_xi_c"));
  md += write_edge_of_chaos(out, m.edge_of_chaos, claims);
  write_text(out / "README.md", md);
  return out / "README.md";
}

}  // namespace actbench::study
