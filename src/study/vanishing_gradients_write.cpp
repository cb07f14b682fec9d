// The vanishing-gradient study's write layer: tables, plots and the README from the measurements
// and the decided claims only (see vanishing_gradients_decide.cpp for every verdict and sentence).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "plot/svg_plot.hpp"
#include "study/study_support.hpp"
#include "study/vanishing_gradients.hpp"

namespace actbench::study {
namespace {

std::string ratio_text(double r) { return fmt::format("{:.3g}", r); }

std::string paper_cell(const std::string& activation, bool normalised) {
  const double e = glorot_table1_error(activation, normalised);
  return std::isnan(e) ? "not in Table 1" : fmt::format("{:.2f}", e);
}

plot::Chart layer_chart(
    const std::map<VanishingMeasurements::Key, VanishingMeasurements::Curves>& curves,
    const std::string& activation, const std::string& init, const std::string& title,
    const std::string& y_label) {
  plot::Chart chart;
  chart.title = title;
  chart.x.label = "training step";
  chart.y.label = y_label;
  const auto found = curves.find({activation, init});
  if (found == curves.end()) return chart;
  for (const auto& [layer, steps] : found->second) {
    plot::Series s;
    s.label = layer;
    for (const auto& [step, values] : steps) {
      s.x.push_back(static_cast<double>(step));
      s.y.push_back(mean_of(values));
    }
    chart.series.push_back(s);
  }
  return chart;
}

}  // namespace

std::filesystem::path write_vanishing(const StudyOptions& options, const VanishingMeasurements& m,
                                      const std::vector<ClaimResult>& claims) {
  const auto out = output_dir(options, "vanishing_gradients");
  const std::string standard = m.inits.at(0).label, xavier = m.inits.at(1).label;

  MarkdownTable grads({"activation", "init", "‖dL/dz‖ layer 1 → 5", "bottom/top",
                       "‖dL/dW‖ layer 1 → 5", "bottom/top"});
  MarkdownTable spread(
      {"activation", "init", "activation std layer 1 → 5", "saturated share layer 1 → 5"});
  std::vector<plot::Chart> init_panels;
  std::vector<std::string> drawn, panel_names;  // for the caption: what the figure shows
  std::vector<plot::Series> seed_series;
  const std::vector<std::string> palette = {"#1f77b4", "#d62728", "#2ca02c",
                                            "#ff7f0e", "#9467bd", "#8c564b"};
  for (const auto& init : m.inits) {
    plot::Chart chart;
    chart.title = "‖dL/dz‖ by layer at init: " + init.label;
    chart.x.label = "hidden layer (1 = bottom)";
    chart.x.integer = true;  // layers are counted: no tick at 1.5
    panel_names.push_back(init.label);
    chart.y.label = "back-propagated gradient norm";
    chart.y.log = true;
    for (const auto& activation : m.activations) {
      const auto found = m.at_init.find({activation, init.label});
      if (found == m.at_init.end()) continue;
      const GradientsAtInit& g = found->second;
      grads.add({activation, init.label, join_numbers(g.backprop, 4, " → "),
                 ratio_text(g.backprop.front() / g.backprop.back()),
                 join_numbers(g.weight_grad, 4, " → "),
                 ratio_text(g.weight_grad.front() / g.weight_grad.back())});
      spread.add({activation, init.label, join_numbers(g.post_std, 3, " → "),
                  join_numbers(g.saturated, 3, " → ")});
      plot::Series s;
      s.label = activation;
      if (std::find(drawn.begin(), drawn.end(), activation) == drawn.end())
        drawn.push_back(activation);
      s.colour = palette[static_cast<size_t>(std::find(drawn.begin(), drawn.end(), activation) -
                                             drawn.begin()) %
                         palette.size()];
      for (size_t l = 0; l < g.backprop.size(); ++l) {
        s.x.push_back(static_cast<double>(l + 1));
        s.y.push_back(g.backprop[l]);
      }
      s.group = activation;
      // Each seed's norms as dots: the spread the claims' intervals over seeds come from.
      plot::Series seeds;
      seeds.group = activation;
      seeds.colour = s.colour;
      seeds.points = true;
      seeds.width = 4.0;
      for (const auto& layers : g.backprop_by_seed)
        for (size_t l = 0; l < layers.size(); ++l) {
          seeds.x.push_back(static_cast<double>(l + 1));
          seeds.y.push_back(layers[l]);
        }
      chart.series.push_back(s);
      if (!seeds.x.empty()) seed_series.push_back(seeds);
    }
    for (auto& dots : seed_series) chart.series.push_back(std::move(dots));
    seed_series.clear();
    init_panels.push_back(chart);
  }
  plot::write_svg(out / "gradients_at_init.svg", plot::render_svg(init_panels, 2));
  write_text(out / "gradients_at_init.csv", grads.csv());

  MarkdownTable errors({"activation", "init", "runs (diverged)", "test error % (ours)",
                        "test error % (paper, Table 1 MNIST)", "‖dL/dz‖ bottom/top at the end"});
  for (const auto& activation : m.activations)
    for (const auto& init : m.inits) {
      const auto t = m.training.find({activation, init.label});
      const VanishingMeasurements::Training g =
          t == m.training.end() ? VanishingMeasurements::Training{} : t->second;
      double ratio = std::nan("");
      const auto found = m.backprop.find({activation, init.label});
      if (found != m.backprop.end() && found->second.count("fc1") && found->second.count("fc5")) {
        const auto& bottom = found->second.at("fc1");
        const auto& top = found->second.at("fc5");
        if (!bottom.empty() && !top.empty())
          ratio = mean_of(bottom.rbegin()->second) / mean_of(top.rbegin()->second);
      }
      errors.add({activation, init.label, fmt::format("{} ({})", g.runs, g.diverged),
                  fixed(mean_of(g.errors), 2), paper_cell(activation, init.label != standard),
                  ratio_text(ratio)});
    }
  write_text(out / "test_errors.csv", errors.csv());
  plot::write_svg(
      out / "activations_during_training.svg",
      plot::render_svg(
          {layer_chart(m.post_mean, "sigmoid", standard, "sigmoid, standard init: mean activation",
                       "mean activation"),
           layer_chart(m.post_mean, "sigmoid", xavier, "sigmoid, Xavier init: mean activation",
                       "mean activation"),
           layer_chart(m.saturated, "tanh", standard, "tanh, standard init: saturated share",
                       "share with |f'| < 0.05 max"),
           layer_chart(m.saturated, "tanh", xavier, "tanh, Xavier init: saturated share",
                       "share with |f'| < 0.05 max")},
          2));
  plot::write_svg(
      out / "gradients_during_training.svg",
      plot::render_svg({layer_chart(m.backprop, "tanh", standard,
                                    "tanh, standard init: ‖dL/dz‖ per layer", "‖dL/dz‖"),
                        layer_chart(m.backprop, "tanh", xavier,
                                    "tanh, Xavier init: ‖dL/dz‖ per layer", "‖dL/dz‖")},
                       2));

  std::string md;
  md += "# Vanishing gradients: standard against normalised (Xavier) initialisation\n\n";
  md += fmt::format(
      "Generated by `actbench study vanishing_gradients{}`; rerun it to regenerate this file, the "
      "CSV files, the plots and `verdicts.json` (each claim, its measured quantity and its rule). "
      "Every number, verdict and verdict sentence is computed from what that command measured. "
      "Paper: Glorot and Bengio (2010), \"Understanding the difficulty of training deep "
      "feedforward neural networks\".\n\n",
      m.full ? " --full" : "");
  MarkdownTable summary({"claim", "measured", "interval", "verdict"});
  for (const auto& c : claims)
    summary.add({c.claim.statement, c.measured, interval_text(c.interval),
                 c.reason.empty() ? verdict_text(c.verdict)
                                  : fmt::format("{} ({})", verdict_text(c.verdict), c.reason)});
  md += summary.str() + "\n";
  md += fmt::format(
      "**Setup.** MNIST, five hidden layers of **{} units** at initialisation (the paper: 1000), "
      "zero biases. *Standard* init: U(-1/sqrt(n), 1/sqrt(n)) (`init: standard`); "
      "*normalised*: U(-sqrt(6/(n_in+n_out)), +) with gain 1 as in the paper "
      "(`init: {{name: xavier_uniform, gain: 1}}`). Gradients are of the mean cross-entropy; "
      "‖dL/dz‖ is the back-propagated gradient at a layer's pre-activations, ‖dL/dW‖ the "
      "weight gradient; layer 1 is the bottom (next to the input), 5 the top.\n\n",
      m.width);
  md += fmt::format(
      "## 1. At initialisation\n\nOn the first {} MNIST test images, mean over {} seeds; each "
      "claim's interval is Student's t over the seeds (the quantity is computed exactly for each "
      "seed's network).\n\n",
      m.test_images, m.seeds);
  md += grads.str() + "\n" + spread.str();
  // The caption is built from what the figure draws, so it cannot drift from it.
  size_t layers = 0;
  for (const auto& [key, g] : m.at_init) layers = std::max(layers, g.backprop.size());
  const std::string caption = fmt::format(
      "Back-propagated gradient norm ‖dL/dz‖ per hidden layer at initialisation (log scale): one "
      "panel per init ({}), one line per activation ({}); {} hidden layers of {} units, mean over "
      "{} seeds (lines), each seed a dot",
      fmt::join(panel_names, ", "), fmt::join(drawn, ", "), layers, m.width, m.seeds);
  md += "\n![" + caption + "](gradients_at_init.svg)\n\n*" + caption + ".*\n\n";
  for (size_t i = 0; i < 3 && i < claims.size(); ++i) md += verdict_paragraph(claims[i]);
  md += "## 2. During training\n\n";
  md += fmt::format(
      "`experiments/vanishing_gradients.yaml`{}: {} hidden units a layer, {} epochs, {} seed{}, "
      "SGD with momentum {:g}, lr {:g}, batch {} (the paper: minibatches of 10, tuned rates, much "
      "longer training), probes every {} steps on the first {} training images (the trainer's "
      "probe set; saturated: |f'| below {:g} of its maximum). A run trained when its test error "
      "is below {:g}% (chance: 90%); a claim read from runs that did not train is "
      "inconclusive. Sweep database: `training_sweep/results.db`.\n\n",
      m.full ? " --full" : "", m.training_width, m.epochs, m.training_seeds,
      m.training_seeds == 1 ? "" : "s", m.momentum, m.lr, m.batch_size, m.probe_every,
      m.probe_samples, m.saturation_threshold, kTrainedErrorPercent);
  md += errors.str() + "\n";
  for (size_t i = 3; i < claims.size(); ++i) md += verdict_paragraph(claims[i]);
  md += "![activations during training](activations_during_training.svg)\n\n";
  md += "![gradients during training](gradients_during_training.svg)\n";
  write_verdicts(out / "verdicts.json", "vanishing_gradients", m.full ? "full" : "quick", claims);
  write_text(out / "README.md", md);
  return out / "README.md";
}

}  // namespace actbench::study
