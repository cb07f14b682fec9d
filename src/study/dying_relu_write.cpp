// The dying-ReLU study's write layer: tables (Markdown and CSV), SVG plots and the README, from the
// measurements and the decided claims only. Every figure in the README is printed from a number
// here; every verdict and its sentence comes from dying_relu_decide.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/numbers.hpp"
#include "plot/svg_plot.hpp"
#include "study/dying_relu.hpp"
#include "study/study_support.hpp"

namespace actbench::study {
namespace {

using core::kNaN;

// ---- Born dead.

std::string write_born_dead(const std::filesystem::path& out, const BornDeadMeasurements& m,
                            const std::vector<ClaimResult>& claims) {
  MarkdownTable full({"init", "width", "depth", "trials", "dead_at_input", "p_dead", "ci95_low",
                      "ci95_high", "formula", "constant_on_set", "p_constant"});
  for (size_t v = 0; v < m.inits.size(); ++v)
    for (size_t wi = 0; wi < m.widths.size(); ++wi)
      for (int64_t d = 1; d <= m.max_depth; ++d) {
        const auto& c = m.cells[v][wi];
        const int64_t k = c.dead_at_input[d - 1];
        const Interval ci = wilson_interval(k, c.trials, 1.96);
        full.add(
            {m.inits[v].label, std::to_string(m.widths[wi]), std::to_string(d),
             std::to_string(c.trials), std::to_string(k),
             fixed(static_cast<double>(k) / c.trials, 4), fixed(ci.low, 4), fixed(ci.high, 4),
             m.inits[v].symmetric_zero_bias ? fixed(born_dead_formula(m.widths[wi], d), 4) : "",
             std::to_string(c.constant_on_set[d - 1]),
             fixed(static_cast<double>(c.constant_on_set[d - 1]) / c.trials, 4)});
      }
  write_text(out / "born_dead.csv", full.csv());

  size_t sym = 0;
  for (size_t v = 0; v < m.inits.size(); ++v)
    if (m.inits[v].symmetric_zero_bias) sym = v;
  MarkdownTable formula_table({"width", "depth L", "dead at the input (estimate)",
                               "95% CI (Wilson)", "1 - (1 - 2^-w)^L", "z", "in CI"});
  const std::set<int64_t> shown_depths{1, 2, 3, 5, 10, 15, 20, 30};
  for (size_t wi = 0; wi < m.widths.size(); ++wi) {
    const auto& c = m.cells[sym][wi];
    for (int64_t d = 1; d <= m.max_depth; ++d) {
      if (shown_depths.count(d) == 0) continue;
      const int64_t k = c.dead_at_input[d - 1];
      const double p_hat = static_cast<double>(k) / c.trials;
      const double p = born_dead_formula(m.widths[wi], d);
      const double z = (p_hat - p) / std::sqrt(p * (1 - p) / c.trials);
      const Interval ci = wilson_interval(k, c.trials, 1.96);
      const bool inside = p >= ci.low && p <= ci.high;
      formula_table.add({std::to_string(m.widths[wi]), std::to_string(d), fixed(p_hat, 4),
                         fmt::format("[{}, {}]", fixed(ci.low, 4), fixed(ci.high, 4)), fixed(p, 4),
                         fmt::format("{:+.2f}", z), inside ? "yes" : "**no**"});
    }
  }
  MarkdownTable inits_table({"init", "width", "dead at input, L=10", "dead at input, L=30",
                             "constant on probe set, L=10", "constant on probe set, L=30"});
  for (size_t v = 0; v < m.inits.size(); ++v)
    for (size_t wi = 0; wi < m.widths.size(); ++wi) {
      const auto& c = m.cells[v][wi];
      auto share = [&](int64_t count) { return fixed(static_cast<double>(count) / c.trials, 3); };
      inits_table.add({m.inits[v].label, std::to_string(m.widths[wi]), share(c.dead_at_input[9]),
                       share(c.dead_at_input[m.max_depth - 1]), share(c.constant_on_set[9]),
                       share(c.constant_on_set[m.max_depth - 1])});
    }
  {
    plot::Chart chart;
    chart.title = "Born dead at one input: estimate (solid) vs 1-(1-2^-w)^L (dashed)";
    chart.x.label = "depth L";
    chart.y.label = "P(dead)";
    chart.y.min = 0.0;
    chart.y.max = 1.0;
    const auto& palette = plot::default_palette();
    for (size_t i = 0; i < m.widths.size(); ++i) {
      plot::Series estimate, formula;
      estimate.label = fmt::format("w = {}", m.widths[i]);
      estimate.colour = formula.colour = palette[i % palette.size()];
      formula.style = plot::LineStyle::Dashed;
      const auto& c = m.cells[sym][i];
      for (int64_t d = 1; d <= m.max_depth; ++d) {
        estimate.x.push_back(d);
        estimate.y.push_back(static_cast<double>(c.dead_at_input[d - 1]) / c.trials);
        formula.x.push_back(d);
        formula.y.push_back(born_dead_formula(m.widths[i], d));
      }
      chart.series.push_back(estimate);
      chart.series.push_back(formula);
    }
    plot::write_svg(out / "born_dead_formula.svg", plot::render_svg(chart));
  }
  {
    std::vector<plot::Chart> panels;
    for (size_t wi = 0; wi < m.widths.size(); ++wi) {
      if (m.widths[wi] != 3 && m.widths[wi] != 5) continue;
      plot::Chart chart;
      chart.title = fmt::format("Width {}: network constant on the probe set", m.widths[wi]);
      chart.x.label = "depth L";
      chart.y.label = "P(constant)";
      chart.y.min = 0.0;
      chart.y.max = 1.0;
      for (size_t v = 0; v < m.inits.size(); ++v) {
        plot::Series s;
        s.label = m.inits[v].label;
        const auto& c = m.cells[v][wi];
        for (int64_t d = 1; d <= m.max_depth; ++d) {
          s.x.push_back(d);
          s.y.push_back(static_cast<double>(c.constant_on_set[d - 1]) / c.trials);
        }
        chart.series.push_back(s);
      }
      panels.push_back(chart);
    }
    plot::write_svg(out / "born_dead_inits.svg", plot::render_svg(panels, 2));
  }

  std::string md = "## 1. Born dead (Lu, Shin, Su and Karniadakis 2019)\n\n";
  md += fmt::format(
      "**Setup.** MLPs with 2 inputs, widths {{{}}}, depths 1-{}, one output, built and "
      "re-initialised by actbench's `NetworkImpl` and initialiser registry; {} initialisations "
      "per (init, width). The fixed input is (0.6, -0.4); the probe set is {} points uniform in "
      "[-1, 1]^2. *Dead at the input*: some hidden layer up to L outputs only zeros there. "
      "*Constant on the probe set*: layer L's output is identical for every probe point, so the "
      "network computes a constant. A depth-L network is the first L layers of a depth-{} one "
      "(layers are drawn independently), so the depths of one row share initialisations.\n\n",
      fmt::join(m.widths, ", "), m.max_depth, m.trials, m.probe_points, m.max_depth);
  md += "### (a) The closed form against the estimate (He normal weights, zero biases)\n\n";
  md += formula_table.str() + "\n";
  md += verdict_paragraph(claims.at(0));
  md += "![born dead against the formula](born_dead_formula.svg)\n\n";
  md += "### (b) The whole probe set, and other initialisations\n\n";
  md += inits_table.str() + "\n";
  md += "![constant networks by init](born_dead_inits.svg)\n\n";
  md += verdict_paragraph(claims.at(1));
  return md;
}

// ---- Training.

struct Cell {
  int64_t runs = 0, diverged = 0, ever_dead = 0, revived = 0;
  std::vector<double> accuracy, final_dead, final_structural, half_steps;
  double peak_structural = 0, peak_numerical = 0;
};

std::string write_training(const std::filesystem::path& out, const TrainingMeasurements& m,
                           const std::vector<ClaimResult>& claims) {
  MarkdownTable runs_csv({"setting", "optimiser", "lr", "activation", "seed", "status",
                          "test_accuracy", "worst_layer", "final_dead", "final_structural",
                          "peak_dead", "peak_structural", "peak_numerical", "half_dead_step",
                          "ever_dead", "revived"});
  // (setting, optimiser, lr, activation) in the order the runs came.
  std::vector<std::tuple<std::string, std::string, double, std::string>> order;
  std::map<std::tuple<std::string, std::string, double, std::string>, Cell> cells;
  for (const auto& r : m.runs) {
    runs_csv.add({r.setting, r.optimiser, fmt::format("{:g}", r.lr), r.activation,
                  std::to_string(r.seed), r.status, fixed(r.test_accuracy, 4), r.worst_layer,
                  fixed(r.final_dead, 4), fixed(r.final_structural, 4), fixed(r.peak_dead, 4),
                  fixed(r.peak_structural, 4), fixed(r.peak_numerical, 4),
                  std::to_string(r.half_dead_step), std::to_string(r.ever_dead),
                  std::to_string(r.revived)});
    const auto key = std::make_tuple(r.setting, r.optimiser, r.lr, r.activation);
    if (cells.count(key) == 0) order.push_back(key);
    Cell& c = cells[key];
    ++c.runs;
    if (r.status == "diverged") ++c.diverged;
    c.peak_structural = std::max(c.peak_structural, r.peak_structural);
    c.peak_numerical = std::max(c.peak_numerical, r.peak_numerical);
    if (!r.completed()) continue;
    c.accuracy.push_back(r.test_accuracy);
    c.final_dead.push_back(r.final_dead);
    c.final_structural.push_back(r.final_structural);
    if (r.half_dead_step >= 0) c.half_steps.push_back(static_cast<double>(r.half_dead_step));
    c.ever_dead += r.ever_dead;
    c.revived += r.revived;
  }
  write_text(out / "training_runs.csv", runs_csv.csv());

  MarkdownTable relu_table({"setting", "optimiser", "lr", "runs (diverged)", "test accuracy",
                            "structurally dead at the end (worst layer)", "peak during training",
                            "half of it dead by step", "dead units that came back"});
  MarkdownTable others_table({"setting", "optimiser", "lr", "activation", "runs (diverged)",
                              "test accuracy", "dead at the end (worst layer)",
                              "structurally dead, peak", "numerically dead, peak"});
  for (const auto& key : order) {
    const auto& [setting, optimiser, lr, activation] = key;
    const Cell& c = cells.at(key);
    const std::string runs = fmt::format("{} ({})", c.runs, c.diverged);
    if (activation == "relu") {
      relu_table.add({setting, optimiser, fmt::format("{:g}", lr), runs,
                      fixed(mean_of(c.accuracy), 4), percent(mean_of(c.final_structural)),
                      percent(c.peak_structural),
                      c.half_steps.empty() ? "-" : fmt::format("{:.0f}", mean_of(c.half_steps)),
                      c.ever_dead == 0 ? "-" : fmt::format("{} of {}", c.revived, c.ever_dead)});
    } else {
      others_table.add({setting, optimiser, fmt::format("{:g}", lr), activation, runs,
                        fixed(mean_of(c.accuracy), 4), percent(mean_of(c.final_dead)),
                        percent(c.peak_structural), percent(c.peak_numerical)});
    }
  }

  // Plot 1: ReLU's worst layer over training, MNIST MLP, one panel per optimiser.
  {
    std::vector<std::string> optimisers;
    for (const auto& r : m.runs)
      if (r.setting == "MNIST MLP" &&
          std::find(optimisers.begin(), optimisers.end(), r.optimiser) == optimisers.end())
        optimisers.push_back(r.optimiser);
    std::vector<plot::Chart> panels;
    for (const auto& optimiser : optimisers) {
      plot::Chart chart;
      chart.title = fmt::format("ReLU, MNIST MLP, {}", optimiser);
      chart.x.label = "step";
      chart.y.label = "structurally dead (worst layer)";
      chart.y.min = 0.0;
      chart.y.max = 1.0;
      std::map<double, std::map<int64_t, std::vector<double>>> by_lr;
      std::map<double, bool> diverged;
      for (const auto& r : m.runs) {
        if (r.setting != "MNIST MLP" || r.optimiser != optimiser || r.activation != "relu")
          continue;
        if (r.status == "diverged") diverged[r.lr] = true;
        for (size_t i = 0; i < r.steps.size(); ++i)
          by_lr[r.lr][r.steps[i]].push_back(r.worst_structural[i]);
      }
      for (const auto& [lr, steps] : by_lr) {
        plot::Series s;
        s.label = fmt::format("lr {:g}{}", lr, diverged[lr] ? " (diverged)" : "");
        for (const auto& [step, values] : steps) {
          s.x.push_back(static_cast<double>(step));
          s.y.push_back(mean_of(values));
        }
        chart.series.push_back(s);
      }
      panels.push_back(chart);
    }
    plot::write_svg(out / "dying_training.svg", plot::render_svg(panels, 3));
  }
  // Plot 2: what dying costs, every finished run: test accuracy against the final dead fraction.
  {
    plot::Chart chart;
    chart.title = "Test accuracy against the final dead fraction (worst layer), finished runs";
    chart.x.label = "dead fraction at the end (worst layer; structural for ReLU)";
    chart.x.min = 0.0;
    chart.x.max = 1.0;
    chart.y.label = "test accuracy";
    std::vector<std::string> activations;
    for (const auto& r : m.runs)
      if (std::find(activations.begin(), activations.end(), r.activation) == activations.end())
        activations.push_back(r.activation);
    for (const auto& activation : activations) {
      plot::Series s;
      s.label = activation;
      s.style = plot::LineStyle::Dotted;  // lone points between NaN breaks: round dots
      s.width = 6.0;
      for (const auto& r : m.runs) {
        if (r.activation != activation || !r.completed() || std::isnan(r.test_accuracy)) continue;
        s.x.push_back(r.final_dead);
        s.y.push_back(r.test_accuracy);
        s.x.push_back(kNaN);
        s.y.push_back(kNaN);
      }
      chart.series.push_back(s);
    }
    chart.width = 720;
    chart.height = 480;
    plot::write_svg(out / "dying_cost.svg", plot::render_svg(chart));
  }

  std::string md = "## 3. Dying during training\n\n";
  md += fmt::format(
      "**Setup** ({} mode). `experiments/dying_relu_training.yaml` (MNIST MLP 784-256-256-10, "
      "Xavier init, batch 128, constant learning rate, all 60,000 training images), "
      "`dying_relu_training_fashion.yaml` (the same on Fashion-MNIST) and "
      "`dying_relu_training_cnn.yaml` (the MNIST CNN, a subset in quick mode); the sweep files "
      "give each one's epochs, seeds and learning rates. Optimisers: plain SGD, SGD with "
      "momentum 0.9 and Adam, each from a healthy through a dying to a diverging learning rate. "
      "Only a NaN or infinite loss counts as diverged. A unit is *dead* at a record when f'(z) = "
      "0 on all of the first 1024 training images; *structurally* dead when all its "
      "pre-activations also lie on the half-line where f' is 0 by definition, as the activation "
      "catalogue computes it from the module (`actbench activations --format json`, "
      "`zero_derivative_half_lines`); the rest is *numerical* death, f' rounded to 0 in "
      "float32. Records at initialisation, every 50 steps (20 for the CNN) and after each epoch. "
      "Each run's `dead_units.pt` holds which units were dead at each record (format in "
      "`src/store/dead_unit_masks.hpp`; `torch.load` reads it); the units that came back are "
      "counted from it. Every run: `training_runs.csv`. A run *trained* when it finished with "
      "test accuracy at least {:g} (five times chance): the claims below count only such runs "
      "and name the finished runs they leave out.\n\n",
      m.setup, kTrainedAccuracy);
  md += "### ReLU\n\n" + relu_table.str() + "\n";
  md += "![ReLU's dead fraction during training](dying_training.svg)\n\n";
  md += verdict_paragraph(claims.at(0));
  md += verdict_paragraph(claims.at(2));
  md += "### The other activations\n\n" + others_table.str() + "\n";
  md += verdict_paragraph(claims.at(1));
  md += "### What dying costs\n\n![accuracy against dead fraction](dying_cost.svg)\n\n";
  md += verdict_paragraph(claims.at(3));
  return md;
}

}  // namespace

std::filesystem::path write_dying_relu(const StudyOptions& options,
                                       const BornDeadMeasurements& born_dead,
                                       const CollapseMeasurements& collapse,
                                       const TrainingMeasurements& training,
                                       const std::vector<ClaimResult>& born_dead_claims,
                                       const std::vector<ClaimResult>& collapse_claims,
                                       const std::vector<ClaimResult>& training_claims) {
  const auto out = output_dir(options, "dying_relu");
  std::string md = "# Dying ReLU: born dead at initialisation, and dying during training\n\n";
  md += fmt::format(
      "Generated by `actbench study dying_relu{}` ({} mode). Every number, verdict and verdict "
      "sentence below is computed by that command from what it measured (claims, quantities and "
      "rules: `verdicts.json`); rerun it to regenerate this file, the CSV files and the "
      "plots.\n\n",
      options.full ? " --full" : "", options.full ? "full" : "quick");
  MarkdownTable summary({"claim", "source", "measured", "interval", "verdict"});
  std::vector<ClaimResult> all = born_dead_claims;
  all.insert(all.end(), collapse_claims.begin(), collapse_claims.end());
  all.insert(all.end(), training_claims.begin(), training_claims.end());
  for (const auto& c : all)
    summary.add({c.claim.statement, c.claim.source, c.measured, interval_text(c.interval),
                 c.reason.empty() ? verdict_text(c.verdict)
                                  : fmt::format("{} ({})", verdict_text(c.verdict), c.reason)});
  md += summary.str() + "\n";
  md += write_born_dead(out, born_dead, born_dead_claims);
  md += write_collapse(out, collapse, collapse_claims);
  md += write_training(out, training, training_claims);
  write_verdicts(out / "verdicts.json", "dying_relu", options.full ? "full" : "quick", all);
  write_text(out / "README.md", md);
  return out / "README.md";
}

}  // namespace actbench::study
