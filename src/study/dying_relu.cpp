// Dying ReLU (Lu, Shin, Su and Karniadakis 2019, "Dying ReLU and Initialization: Theory and
// Numerical Examples"). Part 1, born dead: Monte Carlo over fresh initialisations of narrow deep
// ReLU MLPs, built and re-initialised by actbench's own network and initialisers, against the
// closed form 1 - (1 - 2^-w)^L for zero biases; symmetric init against RAI and positive biases.
// Part 2, dying during training: a sweep of the MNIST MLP over learning rates and activations,
// with the probes' per-layer dead fraction after every epoch.
#include "study/dying_relu.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "report/svg_plot.hpp"
#include "store/results_db.hpp"
#include "study/study.hpp"
#include "study/study_support.hpp"

namespace actbench::study {
namespace {

constexpr int64_t kInputs = 2;  // inputs in [-1, 1]^2, as a coordinate network's

struct InitVariant {
  std::string label;
  std::vector<std::string> overrides;
};

const std::vector<InitVariant>& init_variants() {
  static const std::vector<InitVariant> variants{
      {"symmetric (He normal), zero bias", {"model.init=kaiming_normal", "model.bias_init=zeros"}},
      {"symmetric (He normal), N(0, 0.5^2) bias",
       {"model.init=kaiming_normal", "model.bias_init={name: normal, std: 0.5}"}},
      {"He normal, bias 0.01",
       {"model.init=kaiming_normal", "model.bias_init={name: constant, value: 0.01}"}},
      {"He normal, bias 0.1",
       {"model.init=kaiming_normal", "model.bias_init={name: constant, value: 0.1}"}},
      {"RAI (Lu et al.)", {"model.init=rai"}},
  };
  return variants;
}

struct TrainingGroup {
  std::string activation;
  double lr = 0.0;
  int64_t runs = 0, diverged = 0;
  std::vector<double> accuracies;
  // layer -> epoch -> dead fractions over seeds, at the ends of epochs
  std::map<std::string, std::map<int64_t, std::vector<double>>> dead;
  // step -> worst layer's dead fraction over seeds, from the every-N-steps probes
  std::map<int64_t, std::vector<double>> worst_by_step;
  std::vector<double> peak;  // per run: the worst layer's highest dead fraction during training
};

std::filesystem::path run_dying_relu(const StudyOptions& options) {
  const auto out = output_dir(options, "dying_relu");
  const std::vector<int64_t> widths{2, 3, 4, 5, 8};
  const int64_t max_depth = 30;
  const int64_t trials = options.full ? 10000 : 1000;
  const int64_t probe_points = options.full ? 1024 : 256;

  // ---- Part 1: born dead.
  std::map<std::pair<size_t, int64_t>, BornDeadCell> cells;  // (variant, width)
  const auto& variants = init_variants();
  for (size_t v = 0; v < variants.size(); ++v) {
    for (int64_t w : widths) {
      fmt::print(options.log, "born dead: {} width {} ({} initialisations)\n", variants[v].label, w,
                 trials);
      std::fflush(options.log);
      cells[{v, w}] = estimate_born_dead(w, max_depth, variants[v].overrides, trials, probe_points,
                                         1000 * static_cast<uint64_t>(v) + w);
    }
  }

  MarkdownTable full({"init", "width", "depth", "trials", "dead_at_input", "p_dead", "ci95_low",
                      "ci95_high", "formula", "constant_on_set", "p_constant"});
  for (size_t v = 0; v < variants.size(); ++v)
    for (int64_t w : widths)
      for (int64_t d = 1; d <= max_depth; ++d) {
        const auto& c = cells[{v, w}];
        const int64_t k = c.dead_at_input[d - 1];
        const Interval ci = wilson_interval(k, c.trials, 1.96);
        full.add({variants[v].label, std::to_string(w), std::to_string(d), std::to_string(c.trials),
                  std::to_string(k), fixed(static_cast<double>(k) / c.trials, 4), fixed(ci.low, 4),
                  fixed(ci.high, 4), v == 0 ? fixed(born_dead_formula(w, d), 4) : "",
                  std::to_string(c.constant_on_set[d - 1]),
                  fixed(static_cast<double>(c.constant_on_set[d - 1]) / c.trials, 4)});
      }
  write_text(out / "born_dead.csv", full.csv());

  // The closed form against the estimate, every cell of the zero-bias symmetric init.
  int64_t outside_95 = 0, outside_999 = 0, cells_checked = 0;
  double worst_z = 0.0;
  MarkdownTable formula_table({"width", "depth L", "dead at the input (estimate)",
                               "95% CI (Wilson)", "1 - (1 - 2^-w)^L", "z", "in CI"});
  const std::set<int64_t> shown_depths{1, 2, 3, 5, 10, 15, 20, 30};
  for (int64_t w : widths) {
    const auto& c = cells[{0, w}];
    for (int64_t d = 1; d <= max_depth; ++d) {
      const int64_t k = c.dead_at_input[d - 1];
      const double p_hat = static_cast<double>(k) / c.trials;
      const double p = born_dead_formula(w, d);
      const double z = (p_hat - p) / std::sqrt(p * (1 - p) / c.trials);
      const Interval ci = wilson_interval(k, c.trials, 1.96);
      const bool inside = p >= ci.low && p <= ci.high;
      ++cells_checked;
      if (!inside) ++outside_95;
      if (std::abs(z) > 3.29) ++outside_999;
      worst_z = std::max(worst_z, std::abs(z));
      if (shown_depths.count(d) > 0)
        formula_table.add({std::to_string(w), std::to_string(d), fixed(p_hat, 4),
                           fmt::format("[{}, {}]", fixed(ci.low, 4), fixed(ci.high, 4)),
                           fixed(p, 4), fmt::format("{:+.2f}", z), inside ? "yes" : "**no**"});
    }
  }
  const bool formula_agrees = outside_999 == 0;

  MarkdownTable inits_table({"init", "width", "dead at input, L=10", "dead at input, L=30",
                             "constant on probe set, L=10", "constant on probe set, L=30"});
  for (size_t v = 0; v < variants.size(); ++v)
    for (int64_t w : widths) {
      const auto& c = cells[{v, w}];
      auto share = [&](int64_t count) { return fixed(static_cast<double>(count) / c.trials, 3); };
      inits_table.add({variants[v].label, std::to_string(w), share(c.dead_at_input[9]),
                       share(c.dead_at_input[29]), share(c.constant_on_set[9]),
                       share(c.constant_on_set[29])});
    }

  {
    report::Chart chart;
    chart.title = "Born dead at one input: estimate (solid) vs 1-(1-2^-w)^L (dashed)";
    chart.x.label = "depth L";
    chart.y.label = "P(dead)";
    chart.y.min = 0.0;
    chart.y.max = 1.0;
    const auto& palette = report::default_palette();
    for (size_t i = 0; i < widths.size(); ++i) {
      report::Series estimate, formula;
      estimate.label = fmt::format("w = {}", widths[i]);
      estimate.colour = formula.colour = palette[i % palette.size()];
      formula.style = report::LineStyle::Dashed;
      const auto& c = cells[{0, widths[i]}];
      for (int64_t d = 1; d <= max_depth; ++d) {
        estimate.x.push_back(d);
        estimate.y.push_back(static_cast<double>(c.dead_at_input[d - 1]) / c.trials);
        formula.x.push_back(d);
        formula.y.push_back(born_dead_formula(widths[i], d));
      }
      chart.series.push_back(estimate);
      chart.series.push_back(formula);
    }
    report::write_svg(out / "born_dead_formula.svg", report::render_svg(chart));
  }
  {
    std::vector<report::Chart> panels;
    for (int64_t w : {3, 5}) {
      report::Chart chart;
      chart.title = fmt::format("Width {}: network constant on the probe set", w);
      chart.x.label = "depth L";
      chart.y.label = "P(constant)";
      chart.y.min = 0.0;
      chart.y.max = 1.0;
      for (size_t v = 0; v < variants.size(); ++v) {
        report::Series s;
        s.label = variants[v].label;
        const auto& c = cells[{v, w}];
        for (int64_t d = 1; d <= max_depth; ++d) {
          s.x.push_back(d);
          s.y.push_back(static_cast<double>(c.constant_on_set[d - 1]) / c.trials);
        }
        chart.series.push_back(s);
      }
      panels.push_back(chart);
    }
    report::write_svg(out / "born_dead_inits.svg", report::render_svg(panels, 2));
  }

  // ---- Part 2: dying during training.
  std::vector<std::string> sweep_overrides;
  if (options.full) {
    sweep_overrides = {"optim.lr=0.01,0.03,0.1,0.3,0.5,0.7,1.0", "train.epochs=10", "seed=0,1,2"};
  }
  const auto sweep_dir = run_sweep_file(options, "experiments/dying_relu_training.yaml",
                                        sweep_overrides, out / "training_sweep");
  std::map<std::pair<std::string, double>, TrainingGroup> groups;
  std::map<std::string, std::pair<std::string, double>> group_of_run;
  std::vector<std::string> activation_order;
  std::vector<double> lrs;
  for (const auto& run : read_runs(sweep_dir)) {
    const std::string activation = run.params.at("model.activation");
    const double lr = std::stod(run.params.at("optim.lr"));
    if (std::find(activation_order.begin(), activation_order.end(), activation) ==
        activation_order.end())
      activation_order.push_back(activation);
    if (std::find(lrs.begin(), lrs.end(), lr) == lrs.end()) lrs.push_back(lr);
    auto& g = groups[{activation, lr}];
    g.activation = activation;
    g.lr = lr;
    ++g.runs;
    if (run.status == core::RunStatus::kDiverged) ++g.diverged;
    if (run.status == core::RunStatus::kCompleted && run.test_accuracy)
      g.accuracies.push_back(*run.test_accuracy);
    group_of_run[run.run_id] = {activation, lr};
  }
  std::sort(lrs.begin(), lrs.end());
  for (const auto& row : store::ResultsDb(sweep_dir / "results.db").epoch_values("dead_fraction"))
    groups[group_of_run[row.run_id]].dead[row.layer][row.epoch].push_back(row.value);
  {
    // run -> step -> worst layer
    std::map<std::string, std::map<int64_t, double>> worst;
    for (const auto& row : read_metric(sweep_dir, "dead_fraction")) {
      double& w = worst[row.run_id][row.step];
      w = std::max(w, row.value);
    }
    for (const auto& [run_id, steps] : worst) {
      auto& g = groups[group_of_run[run_id]];
      double peak = 0;
      for (const auto& [step, value] : steps) {
        g.worst_by_step[step].push_back(value);
        peak = std::max(peak, value);
      }
      g.peak.push_back(peak);
    }
  }

  MarkdownTable training_table({"activation", "lr", "runs (diverged)", "test accuracy",
                                "fc1 dead by epoch", "fc2 dead by epoch",
                                "peak dead (any layer, step probes)"});
  auto by_epoch = [](const std::map<int64_t, std::vector<double>>& epochs) {
    std::vector<double> means;
    for (const auto& [epoch, values] : epochs) means.push_back(mean_of(values));
    return means;
  };
  double relu_peak = 0, others_peak = 0;
  double relu_dead_low_lr = 0, relu_dead_high_lr = 0, others_max_dead = 0, relu_worst_lr = 0;
  int64_t diverged_runs = 0;
  for (const auto& [key, g] : groups) diverged_runs += g.diverged;
  for (const auto& activation : activation_order)
    for (double lr : lrs) {
      const auto& g = groups[{activation, lr}];
      const auto fc1 = g.dead.count("fc1") ? by_epoch(g.dead.at("fc1")) : std::vector<double>{};
      const auto fc2 = g.dead.count("fc2") ? by_epoch(g.dead.at("fc2")) : std::vector<double>{};
      training_table.add({activation, fmt::format("{:g}", lr),
                          fmt::format("{} ({})", g.runs, g.diverged),
                          fixed(mean_of(g.accuracies), 4), join_numbers(fc1, 3, " → "),
                          join_numbers(fc2, 3, " → "), fixed(mean_of(g.peak), 3)});
      double final_dead = 0;
      if (!fc1.empty()) final_dead = std::max(final_dead, fc1.back());
      if (!fc2.empty()) final_dead = std::max(final_dead, fc2.back());
      if (activation == "relu")
        relu_peak = std::max(relu_peak, mean_of(g.peak));
      else
        others_peak = std::max(others_peak, mean_of(g.peak));
      // A diverged run's last probe is from before it diverged; only finished runs count.
      if (g.accuracies.empty()) continue;
      if (activation == "relu") {
        if (lr == lrs.front()) relu_dead_low_lr = final_dead;
        if (final_dead >= relu_dead_high_lr) {
          relu_dead_high_lr = final_dead;
          relu_worst_lr = lr;
        }
      } else {
        others_max_dead = std::max(others_max_dead, final_dead);
      }
    }
  write_text(out / "training.csv", training_table.csv());
  {
    std::vector<report::Chart> panels;
    report::Chart relu;
    relu.title = "ReLU: worst layer's dead fraction during training";
    relu.x.label = "step";
    relu.y.label = "dead fraction";
    relu.y.min = 0.0;
    for (double lr : lrs) {
      const auto& g = groups[{"relu", lr}];
      report::Series series;
      series.label = fmt::format("lr {:g}{}", lr, g.diverged > 0 ? " (diverged)" : "");
      for (const auto& [step, values] : g.worst_by_step) {
        series.x.push_back(static_cast<double>(step));
        series.y.push_back(mean_of(values));
      }
      relu.series.push_back(series);
    }
    panels.push_back(relu);
    report::Chart by_lr;
    by_lr.title = "Final dead fraction (worst layer) against learning rate";
    by_lr.x.label = "learning rate";
    by_lr.x.log = true;
    by_lr.y.label = "dead fraction";
    by_lr.y.min = 0.0;
    for (const auto& activation : activation_order) {
      report::Series s;
      s.label = activation;
      for (double lr : lrs) {
        const auto& g = groups[{activation, lr}];
        double worst = 0;
        for (const auto& [layer, epochs] : g.dead)
          if (!epochs.empty()) worst = std::max(worst, mean_of(epochs.rbegin()->second));
        s.x.push_back(lr);
        s.y.push_back(worst);
      }
      by_lr.series.push_back(s);
    }
    panels.push_back(by_lr);
    report::write_svg(out / "dying_training.svg", report::render_svg(panels, 2));
  }

  // ---- README.
  std::string md;
  md += "# Dying ReLU: born dead at initialisation, and dying during training\n\n";
  md += fmt::format(
      "Generated by `actbench study dying_relu{}` ({} mode). Everything below is measured by that "
      "command; rerun it to regenerate this file, `born_dead.csv`, `training.csv` and the "
      "plots.\n\n",
      options.full ? " --full" : "", options.full ? "full" : "quick");
  md += "## 1. Born dead (Lu, Shin, Su and Karniadakis 2019)\n\n";
  md +=
      "**The literature's claim.** A ReLU network whose weights and biases are drawn from "
      "symmetric distributions is *born dead* with a probability that tends to 1 as the depth "
      "grows, the faster the narrower it is. At one fixed input with zero biases each layer "
      "switches all its w units off with probability 2^-w independently of the layers before, so "
      "P(dead by depth L) = 1 - (1 - 2^-w)^L. Their randomized asymmetric initialisation (RAI) "
      "lowers the probability substantially.\n\n";
  md += fmt::format(
      "**Setup.** MLPs with 2 inputs, widths {{2, 3, 4, 5, 8}}, depths 1-{}, one output, built "
      "and re-initialised by actbench's `NetworkImpl` and initialiser registry; {} "
      "initialisations per (init, width). The fixed input is (0.6, -0.4); the probe set is {} "
      "points uniform in [-1, 1]^2. *Dead at the input*: some hidden layer up to L outputs only "
      "zeros there (every earlier parameter then gets zero gradient from it). *Constant on the "
      "probe set*: layer L's output is identical for every probe point, so the network computes "
      "a constant. A depth-L network is the first L layers of a depth-{} one (layers are drawn "
      "independently), so the depths of one row share initialisations.\n\n",
      max_depth, trials, probe_points, max_depth);
  md += "### (a) The closed form against the estimate (He normal weights, zero biases)\n\n";
  md += formula_table.str();
  md += fmt::format(
      "\nAll {} cells (every depth 1-{}, in `born_dead.csv`): the formula lies outside the 95% "
      "Wilson interval in **{}** cells (about {:.1f} expected by chance if the formula is exact) "
      "and beyond |z| > 3.29 (99.9%) in **{}**; the largest |z| is {:.2f}.\n\n",
      cells_checked, max_depth, outside_95, 0.05 * cells_checked, outside_999, worst_z);
  md += fmt::format("**Verdict: {}.**\n\n",
                    formula_agrees
                        ? "agrees: the estimates match 1 - (1 - 2^-w)^L within sampling error"
                        : "DISAGREES: some cells are beyond the 99.9% band (see born_dead.csv)");
  md += "![born dead against the formula](born_dead_formula.svg)\n\n";
  md += "### (b) The whole probe set, and other initialisations\n\n";
  md += inits_table.str();
  md += "\n![constant networks by init](born_dead_inits.svg)\n\n";
  const auto& sym = cells[{0, 3}];
  const auto& rai = cells[{variants.size() - 1, 3}];
  const auto& bias001 = cells[{2, 3}];
  md += fmt::format(
      "At width 3 and depth 30, the network is constant on the probe set in {:.1f}% of "
      "symmetric zero-bias initialisations, {:.1f}% with a 0.01 bias and {:.1f}% with RAI. "
      "**Verdict on RAI: {}.**\n\n",
      100.0 * sym.constant_on_set[29] / sym.trials,
      100.0 * bias001.constant_on_set[29] / bias001.trials,
      100.0 * rai.constant_on_set[29] / rai.trials,
      rai.constant_on_set[29] < sym.constant_on_set[29]
          ? "agrees: RAI is born dead less often than the symmetric init"
          : "DISAGREES: RAI is not born dead less often here");
  md += "## 2. Dying during training\n\n";
  md +=
      "**The claim.** A large learning rate pushes ReLU units into the region where they output "
      "zero for every input, and they never recover (\"as much as 40% of your network can be "
      "dead\", CS231n); leaky ReLU, ELU, GELU and SiLU have no zero-gradient region, so they "
      "cannot die in this sense.\n\n";
  md += fmt::format(
      "**Setup.** `experiments/dying_relu_training.yaml`{}: the MNIST MLP 784-256-256-10, Xavier "
      "init, plain SGD (no momentum, constant rate), batch 128, and only a NaN or infinite loss "
      "counts as diverged (`train.divergence_threshold: 0`: a loss in the thousands in the first "
      "steps is what kills ReLU units, and the default threshold would stop those runs). Dead "
      "fraction: units whose "
      "derivative is 0 on all 1024 probe samples, after each epoch (epoch 0: at "
      "initialisation) and every 20 steps; means over seeds. Sweep database: "
      "`training_sweep/results.db`.\n\n",
      options.full ? " with lr 0.01-1.0 (7 values), 10 epochs, 3 seeds" : "");
  md += training_table.str();
  md += "\n![dead fraction during training](dying_training.svg)\n\n";
  const bool reproduced =
      relu_dead_high_lr >= 0.05 && relu_dead_high_lr > relu_dead_low_lr && others_max_dead < 0.01;
  md += fmt::format(
      "Among finished runs, ReLU's worst layer ends {:.1f}% dead at lr {:g} and at most {:.1f}% "
      "(at lr {:g}) at any rate; no other activation exceeds {:.1f}%. {} of the {} runs diverged "
      "(a NaN or infinite loss) and are left out of those figures. The step probes (every 20 "
      "steps) also see the runs that later diverged: ReLU's worst layer peaks at {:.1f}% dead, "
      "the other activations' at {:.1f}%. **Verdict: {}.**\n",
      100 * relu_dead_low_lr, lrs.front(), 100 * relu_dead_high_lr, relu_worst_lr,
      100 * others_max_dead, diverged_runs, group_of_run.size(), 100 * relu_peak, 100 * others_peak,
      reproduced ? "agrees: ReLU units die at large learning rates, the others do not"
                 : "not reproduced in this setting: ReLU loses few units, even at learning rates "
                   "large enough to make training diverge (the others lose none)");
  write_text(out / "README.md", md);
  return out / "README.md";
}

}  // namespace

// One width and init: `trials` initialisations of a depth-`max_depth` network. A depth-L network
// is the first L layers of it (the layers are drawn independently and identically), so each trial
// answers every depth at once; the estimates at different depths share trials.
BornDeadCell estimate_born_dead(int64_t width, int64_t max_depth,
                                const std::vector<std::string>& init_overrides, int64_t trials,
                                int64_t probe_points, uint64_t seed) {
  std::vector<std::string> overrides = init_overrides;
  std::string hidden;
  for (int64_t i = 0; i < max_depth; ++i) hidden += (i ? ", " : "") + std::to_string(width);
  overrides.push_back("model.hidden=[" + hidden + "]");
  overrides.push_back("model.activation=relu");
  torch::manual_seed(seed);
  BuiltNetwork built = build_for_shape(spec_from_overrides(overrides), {1, 1, kInputs, 1});
  torch::NoGradGuard no_grad;
  const at::Tensor fixed_input = torch::tensor({{0.6f, -0.4f}});
  const at::Tensor inputs =
      torch::cat({fixed_input, torch::rand({probe_points, kInputs}) * 2.0 - 1.0});
  at::Tensor dead = torch::zeros({max_depth}, torch::kLong);
  at::Tensor constant = torch::zeros({max_depth}, torch::kLong);
  LayerRecorder recorder;
  for (int64_t t = 0; t < trials; ++t) {
    built.network->reinitialize(built.plan);
    built.network->forward(inputs, &recorder);
    const at::Tensor post = torch::stack(recorder.post);  // [depth, 1 + probe points, width]
    const at::Tensor zero_at_input = (post.select(1, 0) == 0).all(1).to(torch::kLong);
    const at::Tensor probe = post.narrow(1, 1, probe_points);
    const at::Tensor layer_constant =
        ((probe - probe.narrow(1, 0, 1)).abs().amax({1, 2}) == 0).to(torch::kLong);
    dead += std::get<0>(zero_at_input.cummax(0));
    constant += std::get<0>(layer_constant.cummax(0));
  }
  BornDeadCell cell;
  cell.trials = trials;
  for (int64_t d = 0; d < max_depth; ++d) {
    cell.dead_at_input.push_back(dead[d].item<int64_t>());
    cell.constant_on_set.push_back(constant[d].item<int64_t>());
  }
  return cell;
}

double born_dead_formula(int64_t width, int64_t depth) {
  return 1.0 -
         std::pow(1.0 - std::pow(2.0, -static_cast<double>(width)), static_cast<double>(depth));
}

ACTBENCH_REGISTER_STUDY(dying_relu) {
  StudyEntry entry;
  entry.name = "dying_relu";
  entry.description =
      "born-dead probability vs 1-(1-2^-w)^L, RAI and biases; dying during training (Lu et al. "
      "2019)";
  entry.command = "actbench study dying_relu";
  entry.run = run_dying_relu;
  return entry;
}

}  // namespace actbench::study
