// The dying-ReLU study's decide layer: claims as data, their measured quantities computed from the
// measurement structs with the interval each one's noise gives (Wilson over initialisations or
// runs, Katz for a ratio of shares, t over seeds, a bootstrap over runs for units that come in
// runs), and each verdict's sentence generated from the numbers. Training claims use only runs
// that trained (trained() in dying_relu.hpp) and say which they left out. Nothing here trains or
// reads files, so the tests feed it made-up numbers for every outcome.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "stats/cluster_bootstrap.hpp"
#include "stats/statistics.hpp"
#include "study/dying_relu.hpp"
#include "study/study_support.hpp"

namespace actbench::study {
namespace {

// ---- Born dead.

const Claim kFormulaClaim{
    "dying_relu.born_dead_formula",
    "Lu et al. 2019",
    "with symmetric weights and zero biases, a ReLU net of width w is dead at a fixed input by "
    "depth L with probability 1 - (1 - 2^-w)^L",
    "share of (width, depth) cells where the estimate lies beyond |z| > 3.29 (99.9%) of the "
    "formula; about 0.1% expected by chance if the formula is exact",
    {Rule::Direction::kAtMost, 0.05, 0.2},
    "the born-dead probability of a symmetric zero-bias init at one input (theory section)",
    Reading::kPrimary,
    ""};

const Claim kRaiClaim{
    "dying_relu.rai",
    "Lu et al. 2019",
    "randomized asymmetric initialisation (RAI) makes a deep narrow ReLU net born dead less "
    "often than a symmetric init",
    "P(network constant on the probe set) with RAI (published recipe) over the same with the "
    "symmetric zero-bias init, width 3, depth 30",
    {Rule::Direction::kAtMost, 0.75, 0.95},
    "abstract and sec. 5 (the proposed initialisation)",
    Reading::kPrimary,
    ""};

// ---- Training.

const Claim kDiesClaim{
    "dying_relu.relu_dies",
    "CS231n",
    "at large learning rates ReLU units die during training (\"as much as 40% of your network "
    "can be dead\"), with momentum and with Adam",
    "MNIST MLP: the smaller of (SGD + momentum, Adam) of ReLU's largest final structurally dead "
    "fraction (worst layer, mean over the seeds that trained) over learning rates",
    {Rule::Direction::kAtLeast, 0.2, 0.05},
    "notes \"Neural Networks Part 1\", ReLU's cons",
    Reading::kPrimary,
    ""};

const Claim kOthersClaim{
    "dying_relu.others_do_not_die",
    "CS231n; Maas et al. 2013; Clevert et al. 2016",
    "leaky ReLU, PReLU, ELU, GELU and SiLU do not die: they have no zero-gradient region, so a "
    "unit keeps a gradient",
    "share of the trained runs of those activations in which some layer ends with at least 20% "
    "of its units dead: f' = 0 on every probe sample, by definition (structural) or rounded to "
    "0 in float32 (numerical); structural death alone is 0 by definition for them",
    {Rule::Direction::kAtMost, 0.05, 0.2},
    "CS231n's leaky ReLU paragraph; Maas et al. sec. 3; Clevert et al. sec. 3",
    Reading::kPrimary,
    ""};

const Claim kRevivalClaim{
    "dying_relu.no_revival",
    "CS231n",
    "a dead ReLU unit never comes back: no gradient flows through it",
    "share of ReLU units structurally dead at some probe record that are alive at the end "
    "(trained runs, from the dead-unit masks)",
    {Rule::Direction::kAtMost, 0.05, 0.25},
    "notes \"Neural Networks Part 1\", ReLU's cons",
    Reading::kPrimary,
    ""};

const Claim kCostClaim{
    "dying_relu.cost",
    "CS231n",
    "dead units are lost capacity: a network that lost many units learns less",
    "share of the dying settings (ReLU ends at least 20% structurally dead) in which leaky "
    "ReLU's mean test accuracy is above ReLU's (a sign count, robust to one total-death "
    "setting)",
    {Rule::Direction::kAtLeast, 0.75, 0.5},
    "notes \"Neural Networks Part 1\", ReLU's cons",
    Reading::kPrimary,
    ""};

// The level at which a layer counts as dying, for ReLU and the others alike.
constexpr double kDyingLayer = 0.2;

struct Group {
  std::vector<const DyingRun*> runs;
  std::vector<double> final_structural, accuracy;  // finished runs
  std::vector<const DyingRun*> trained_runs;
  int64_t diverged = 0;
};

// (setting, optimiser, activation, lr) -> its runs
using GroupKey = std::tuple<std::string, std::string, std::string, double>;

std::map<GroupKey, Group> group_runs(const TrainingMeasurements& m) {
  std::map<GroupKey, Group> groups;
  for (const auto& run : m.runs) {
    Group& g = groups[{run.setting, run.optimiser, run.activation, run.lr}];
    g.runs.push_back(&run);
    if (run.status == "diverged") ++g.diverged;
    if (trained(run)) g.trained_runs.push_back(&run);
    if (!run.completed()) continue;
    g.final_structural.push_back(run.final_structural);
    if (!std::isnan(run.test_accuracy)) g.accuracy.push_back(run.test_accuracy);
  }
  return groups;
}

// ReLU's deadliest learning rate for one setting and optimiser, over the runs that trained.
struct Deadliest {
  double lr = kNoValue, dead = kNoValue, accuracy = kNoValue;
  Interval ci{kNoValue, kNoValue};
  int64_t seeds = 0;  // trained runs behind `dead`
  std::string layer;
  int64_t half_dead_step = -1;              // median over the trained runs
  double first_all_diverged_lr = kNoValue;  // smallest lr at which every run diverged
  // Finished runs left out because they did not train, as "lr 0.3 seed 2: test accuracy 0.1009,
  // 97.3% of fc1 dead".
  std::vector<std::string> untrained;
};

Deadliest deadliest(const std::map<GroupKey, Group>& groups, const std::string& setting,
                    const std::string& optimiser, const std::string& activation) {
  Deadliest d;
  for (const auto& [key, g] : groups) {
    const auto& [s, o, a, lr] = key;
    if (s != setting || o != optimiser || a != activation) continue;
    if (g.diverged == static_cast<int64_t>(g.runs.size()) && !(lr >= d.first_all_diverged_lr))
      d.first_all_diverged_lr = lr;
    for (const DyingRun* run : g.runs)
      if (run->completed() && !trained(*run))
        d.untrained.push_back(fmt::format("lr {:g} seed {}: test accuracy {:.4f}, {} of {} dead",
                                          lr, run->seed, run->test_accuracy,
                                          percent(run->final_structural), run->worst_layer));
    if (g.trained_runs.empty()) continue;
    std::vector<double> dead, accuracy;
    std::map<std::string, int> layers;
    std::vector<int64_t> steps;
    for (const DyingRun* run : g.trained_runs) {
      dead.push_back(run->final_structural);
      accuracy.push_back(run->test_accuracy);
      ++layers[run->worst_layer];
      if (run->half_dead_step >= 0) steps.push_back(run->half_dead_step);
    }
    const double mean = mean_of(dead);
    // The deadliest learning rate with an interval wins over one without (a single seed).
    const bool has_ci = dead.size() >= 2, best_has_ci = d.seeds >= 2;
    if (!std::isnan(d.dead) && (best_has_ci && !has_ci)) continue;
    if (!std::isnan(d.dead) && has_ci == best_has_ci && mean <= d.dead) continue;
    d.dead = mean;
    d.lr = lr;
    d.seeds = static_cast<int64_t>(dead.size());
    d.ci = stats::mean_interval(dead);
    d.accuracy = mean_of(accuracy);
    d.layer = std::max_element(layers.begin(), layers.end(), [](auto& x, auto& y) {
                return x.second < y.second;
              })->first;
    std::sort(steps.begin(), steps.end());
    d.half_dead_step = steps.empty() ? -1 : steps[steps.size() / 2];
  }
  return d;
}

std::string describe_deadliest(const std::string& optimiser, const Deadliest& d) {
  if (std::isnan(d.dead)) return fmt::format("{}: no ReLU run that trained", optimiser);
  std::string text =
      fmt::format("{}: {} of {} dead at lr {:g}", optimiser, percent(d.dead), d.layer, d.lr);
  text += d.seeds >= 2 ? fmt::format(" [{}, {}] over {} seeds", percent(std::max(0.0, d.ci.low)),
                                     percent(std::min(1.0, d.ci.high)), d.seeds)
                       : std::string(" (one seed, no interval)");
  if (d.half_dead_step >= 0 && d.dead > 0)
    text += fmt::format(", half of it by step {}", d.half_dead_step);
  if (!std::isnan(d.first_all_diverged_lr))
    text += fmt::format("; every run diverges at lr {:g}", d.first_all_diverged_lr);
  if (!d.untrained.empty())
    text += fmt::format("; left out, did not train: {}", fmt::join(d.untrained, "; "));
  return text;
}

std::vector<std::string> settings_of(const TrainingMeasurements& m) {
  std::vector<std::string> out;
  for (const auto& run : m.runs)
    if (std::find(out.begin(), out.end(), run.setting) == out.end()) out.push_back(run.setting);
  return out;
}

std::vector<std::string> optimisers_of(const TrainingMeasurements& m, const std::string& setting) {
  std::vector<std::string> out;
  for (const auto& run : m.runs)
    if (run.setting == setting && std::find(out.begin(), out.end(), run.optimiser) == out.end())
      out.push_back(run.optimiser);
  return out;
}

bool is_relu(const DyingRun& run) { return run.activation == "relu"; }

ClaimResult decide_dies(const TrainingMeasurements& m, const std::map<GroupKey, Group>& groups) {
  const std::string primary = "MNIST MLP";
  std::vector<std::string> parts;
  std::vector<Deadliest> arms;
  for (const std::string optimiser : {"SGD + momentum 0.9", "Adam"}) {
    arms.push_back(deadliest(groups, primary, optimiser, "relu"));
    parts.push_back(describe_deadliest(optimiser, arms.back()));
  }
  // The smaller of two quantities: its interval runs from the smaller low end to the smaller high
  // end, each arm's t interval over its seeds (dead fractions live in [0, 1]).
  Measurement measurement;
  std::string missing;
  for (size_t i = 0; i < arms.size(); ++i)
    if (arms[i].seeds < 2)
      missing += fmt::format("{}{}", missing.empty() ? "" : "; ", i == 0 ? "momentum" : "Adam");
  const double value = std::min(arms[0].dead, arms[1].dead);
  if (!missing.empty()) {
    measurement = Measurement::undecidable(
        value, fmt::format("fewer than two runs trained (test accuracy >= {:g}) at any learning "
                           "rate with {}",
                           kTrainedAccuracy, missing));
  } else {
    measurement = Measurement::within(
        value, std::max(0.0, std::min(arms[0].ci.low, arms[1].ci.low)),
        std::min(1.0, std::min(arms[0].ci.high, arms[1].ci.high)),
        "t 95% over the seeds that trained, the smaller of the two optimisers' ends");
  }
  ClaimResult r = decide(kDiesClaim, measurement);
  const Deadliest sgd = deadliest(groups, primary, "SGD", "relu");
  r.measured = fmt::format("{}, runs that trained: {}; {}", primary, parts[0], parts[1]);
  r.sentence = fmt::format(
      "Counting only runs that trained (test accuracy at least {:g}), on the {} ReLU's worst "
      "layer ends {}; {}; and {}. ",
      kTrainedAccuracy, primary, parts[0], parts[1], describe_deadliest("with plain SGD", sgd));
  for (const auto& setting : settings_of(m)) {
    if (setting == primary) continue;
    std::vector<std::string> other;
    for (const auto& optimiser : optimisers_of(m, setting))
      other.push_back(describe_deadliest(optimiser, deadliest(groups, setting, optimiser, "relu")));
    r.sentence += fmt::format("{}: {}. ", setting, fmt::join(other, "; "));
  }
  switch (r.verdict) {
    case Verdict::kAgrees:
      r.sentence += fmt::format(
          "With both momentum and Adam at least {} of a layer dies, interval included, at a "
          "learning rate the optimiser still trains at.",
          percent(kDiesClaim.rule.agrees_at));
      break;
    case Verdict::kPartly:
      r.sentence += fmt::format(
          "ReLU units die, but with one of momentum and Adam less than {} of a layer does.",
          percent(kDiesClaim.rule.agrees_at));
      break;
    case Verdict::kDoesNotAgree:
      r.sentence += fmt::format(
          "Fewer than {} of any layer's units die with at least one of momentum and Adam at any "
          "learning rate that trains: not reproduced in this setting.",
          percent(kDiesClaim.rule.partly_at));
      break;
    case Verdict::kInconclusive:
      r.sentence += "These runs cannot decide the claim: " + r.reason + ".";
      break;
  }
  return r;
}

ClaimResult decide_others(const TrainingMeasurements& m) {
  double structural = 0.0, numerical_peak = 0.0;
  std::string numerical_where;
  std::set<std::string> with_half_line, without;
  int64_t runs = 0, trained_runs = 0, dying = 0;
  std::vector<std::string> dying_where, untrained_dying;
  for (const auto& run : m.runs) {
    if (is_relu(run)) continue;
    ++runs;
    (run.has_flat_half_line ? with_half_line : without).insert(run.activation);
    structural = std::max(structural, run.peak_structural);
    if (run.peak_numerical > numerical_peak) {
      numerical_peak = run.peak_numerical;
      numerical_where = fmt::format(
          "{} ({}, {} at lr {:g}, {}{})", run.activation, run.setting, run.optimiser, run.lr,
          run.status,
          run.completed() ? fmt::format(", test accuracy {:.4f}", run.test_accuracy) : "");
    }
    if (!trained(run)) {
      if (run.completed() && run.final_dead >= kDyingLayer)
        untrained_dying.push_back(fmt::format("{} {} {} lr {:g}: {} of {} dead", run.activation,
                                              run.setting, run.optimiser, run.lr,
                                              percent(run.final_dead), run.worst_layer));
      continue;
    }
    ++trained_runs;
    if (run.final_dead >= kDyingLayer) {
      ++dying;
      dying_where.push_back(fmt::format("{} {} {} lr {:g}: {} of {}", run.activation, run.setting,
                                        run.optimiser, run.lr, percent(run.final_dead),
                                        run.worst_layer));
    }
  }
  Measurement measurement;
  const double share = trained_runs > 0 ? static_cast<double>(dying) / trained_runs : kNoValue;
  if (trained_runs == 0) {
    measurement = Measurement::undecidable(
        share, fmt::format("no run of those activations trained (test accuracy >= {:g})",
                           kTrainedAccuracy));
  } else {
    const Interval ci = stats::wilson_interval(dying, trained_runs);
    measurement = Measurement::within(share, ci.low, ci.high,
                                      fmt::format("Wilson 95% over {} trained runs", trained_runs));
  }
  ClaimResult r = decide(kOthersClaim, measurement);
  r.measured = fmt::format(
      "{} of {} trained runs end with a layer at least {} dead (f' = 0 on every probe sample); "
      "structurally dead at most {} in any of {} runs; numerically dead at most {} at any record",
      dying, trained_runs, percent(kDyingLayer), percent(structural), runs,
      percent(numerical_peak));
  r.sentence = fmt::format(
      "Structural death, f' = 0 by definition, cannot happen to these activations: the catalogue "
      "finds a half-line where f' = 0 for {} and none for {}, and the largest structurally dead "
      "fraction of any layer at any record of {} runs is {}. The informative number is death of "
      "any kind: in {} of the {} runs that trained (test accuracy at least {:g}) some layer ends "
      "with at least {} of its units at f' = 0 on every probe sample{}. ",
      with_half_line.empty() ? std::string("none of them")
                             : fmt::format("{}", fmt::join(with_half_line, ", ")),
      without.empty() ? std::string("none") : fmt::format("{}", fmt::join(without, ", ")), runs,
      percent(structural), dying, trained_runs, kTrainedAccuracy, percent(kDyingLayer),
      dying_where.empty() ? "" : fmt::format(" ({})", fmt::join(dying_where, "; ")));
  if (numerical_peak > 0)
    r.sentence += fmt::format(
        "At any record of any run, up to {} of a layer's units had f' rounded to exactly 0 on "
        "every probe sample, in {}. ",
        percent(numerical_peak), numerical_where);
  if (!untrained_dying.empty())
    r.sentence += fmt::format("Runs that did not train, left out of the share: {}. ",
                              fmt::join(untrained_dying, "; "));
  return r;
}

ClaimResult decide_revival(const TrainingMeasurements& m) {
  std::vector<stats::ClusterCount> per_run;
  int64_t ever = 0, revived = 0, runs = 0, left_out = 0, without_masks = 0;
  for (const auto& run : m.runs) {
    if (!is_relu(run) || !run.completed()) continue;
    if (!trained(run)) {
      ++left_out;
      continue;
    }
    if (!run.masks_read) {
      ++without_masks;
      continue;
    }
    ++runs;
    ever += run.ever_dead;
    revived += run.revived;
    if (run.ever_dead > 0) per_run.push_back({run.revived, run.ever_dead});
  }
  // Units of one run die and revive together: the interval resamples runs, not units.
  const stats::PooledShare pooled = stats::pooled_share_cluster_bootstrap(per_run, 2000, 19);
  Measurement measurement =
      runs == 0 && without_masks > 0
          ? Measurement::undecidable(
                kNoValue, fmt::format("the dead-unit masks of the {} ReLU runs that trained are "
                                      "not on disk (their run directories were not kept)",
                                      without_masks))
      : ever == 0 ? Measurement::undecidable(
                        kNoValue, "no ReLU unit of a run that trained was dead before the end")
      : per_run.size() < 2
          ? Measurement::undecidable(pooled.estimate,
                                     "dead units in only one run: no interval over runs")
          : Measurement::within(pooled.estimate, pooled.ci.low, pooled.ci.high,
                                fmt::format("bootstrap 95% over the {} runs with dead units "
                                            "(2,000 resamples of runs)",
                                            per_run.size()));
  ClaimResult r = decide(kRevivalClaim, measurement);
  r.measured = fmt::format(
      "{} ReLU units dead at some record in {} runs that trained; {} ({}) alive at the end", ever,
      runs, revived, percent(pooled.estimate));
  if (runs == 0 && without_masks > 0) {
    r.sentence = "Revival could not be counted: " + r.reason + ".";
  } else if (ever == 0) {
    r.sentence =
        "No ReLU unit of a run that trained was structurally dead at any record before the end, "
        "so permanence could not be measured.";
  } else {
    r.sentence = fmt::format(
        "Of the {} ReLU units (over all layers of {} runs that trained with their dead-unit masks "
        "on disk; {} finished runs that did not train and {} without masks left out) that were "
        "structurally dead at some probe record before the last, "
        "{} ({}) were alive at the end{}",
        ever, runs, left_out, without_masks, revived, percent(pooled.estimate),
        r.verdict == Verdict::kAgrees ? ": dead units stay dead."
        : r.verdict == Verdict::kInconclusive
            ? "."
            : ": a unit dead on the probe set can come back, because the layers below it keep "
              "learning and move its pre-activations.");
  }
  return r;
}

ClaimResult decide_cost(const std::map<GroupKey, Group>& groups) {
  std::vector<double> gaps;
  std::vector<std::string> where;
  int64_t wins = 0, leaky_untrained = 0;
  for (const auto& [key, g] : groups) {
    const auto& [setting, optimiser, activation, lr] = key;
    if (activation != "relu" || g.final_structural.empty()) continue;
    if (mean_of(g.final_structural) < kDyingLayer) continue;
    const auto leaky = groups.find({setting, optimiser, "leaky_relu", lr});
    if (leaky == groups.end() || g.accuracy.empty()) continue;
    // The comparison needs the arm without dead units to have trained; ReLU's arm may sit at
    // chance, which is the cost the claim is about.
    if (leaky->second.trained_runs.empty()) {
      ++leaky_untrained;
      continue;
    }
    std::vector<double> leaky_accuracy;
    for (const DyingRun* run : leaky->second.trained_runs)
      leaky_accuracy.push_back(run->test_accuracy);
    const double gap = mean_of(leaky_accuracy) - mean_of(g.accuracy);
    gaps.push_back(gap);
    wins += gap > 0 ? 1 : 0;
    where.push_back(fmt::format("{} {} lr {:g}: {} dead, {:+.4f} ({} ReLU seeds)", setting,
                                optimiser, lr, percent(mean_of(g.final_structural)), gap,
                                g.accuracy.size()));
  }
  const int64_t n = static_cast<int64_t>(gaps.size());
  Measurement measurement;
  if (n == 0) {
    measurement = Measurement::undecidable(
        kNoValue, leaky_untrained > 0
                      ? "leaky ReLU did not train in any setting where ReLU ends 20% dead"
                      : "no setting where ReLU ends 20% dead");
  } else {
    const Interval ci = stats::wilson_interval(wins, n);
    measurement = Measurement::within(static_cast<double>(wins) / n, ci.low, ci.high,
                                      fmt::format("Wilson 95% over {} settings", n));
  }
  ClaimResult r = decide(kCostClaim, measurement);
  if (n == 0) {
    r.measured = "no dying setting with a leaky ReLU arm that trained";
    r.sentence = "The cost of dead units could not be measured: " + r.reason + ".";
    return r;
  }
  std::vector<double> sorted = gaps;
  std::sort(sorted.begin(), sorted.end());
  const double median = stats::quantile(sorted, 0.5);
  const Interval median_ci = stats::median_bootstrap_interval(gaps, 2000, 23);
  size_t outlier = 0;
  for (size_t i = 1; i < gaps.size(); ++i)
    if (std::abs(gaps[i] - median) > std::abs(gaps[outlier] - median)) outlier = i;
  r.measured = fmt::format(
      "leaky ReLU above ReLU in {} of {} dying settings; median gap {:+.4f} [{:+.4f}, {:+.4f}], "
      "mean {:+.4f}",
      wins, n, median, median_ci.low, median_ci.high, mean_of(gaps));
  r.sentence = fmt::format(
      "Where ReLU ends at least {} dead, leaky ReLU's test accuracy is above ReLU's in {} of {} "
      "settings ({}). The median gap is {:+.4f} (bootstrap 95% [{:+.4f}, {:+.4f}]); the mean, "
      "{:+.4f}, is pulled by one setting, {}, the farthest from the median.{} ",
      percent(kDyingLayer), wins, n, fmt::join(where, "; "), median, median_ci.low, median_ci.high,
      mean_of(gaps), where[outlier],
      leaky_untrained > 0
          ? fmt::format(" {} dying settings where leaky ReLU did not train either are left out.",
                        leaky_untrained)
          : "");
  r.sentence += r.verdict == Verdict::kAgrees ? "Dead units cost accuracy in most settings."
                : r.verdict == Verdict::kDoesNotAgree
                    ? "In most settings the dead units cost ReLU no accuracy: the surviving "
                      "units compensate."
                    : "";
  return r;
}

}  // namespace

std::vector<ClaimResult> decide_born_dead(const BornDeadMeasurements& m) {
  std::vector<ClaimResult> out;
  {
    int64_t outside_95 = 0, outside_999 = 0, cells = 0;
    double worst_z = 0.0;
    for (size_t v = 0; v < m.inits.size(); ++v) {
      if (!m.inits[v].symmetric_zero_bias) continue;
      for (size_t wi = 0; wi < m.widths.size(); ++wi) {
        const BornDeadCell& c = m.cells[v][wi];
        for (int64_t d = 1; d <= static_cast<int64_t>(c.dead_at_input.size()); ++d) {
          const int64_t k = c.dead_at_input[d - 1];
          const double p = born_dead_formula(m.widths[wi], d);
          const double z =
              (static_cast<double>(k) / c.trials - p) / std::sqrt(p * (1 - p) / c.trials);
          const Interval ci = wilson_interval(k, c.trials, 1.96);
          ++cells;
          if (p < ci.low || p > ci.high) ++outside_95;
          if (std::abs(z) > 3.29) ++outside_999;
          worst_z = std::max(worst_z, std::abs(z));
        }
      }
    }
    const Interval ci = stats::wilson_interval(outside_999, cells);
    ClaimResult r = decide(
        kFormulaClaim,
        cells == 0 ? Measurement::undecidable(kNoValue, "no symmetric zero-bias cell measured")
                   : Measurement::within(static_cast<double>(outside_999) / cells, ci.low, ci.high,
                                         fmt::format("Wilson 95% over {} cells; the depths of a "
                                                     "width share initialisations",
                                                     cells)));
    r.measured = fmt::format(
        "{} cells ({} inits each): formula outside the 95% Wilson interval in {} ({:.1f} expected "
        "by chance), beyond 99.9% in {}; largest |z| {:.2f}",
        cells, m.trials, outside_95, 0.05 * cells, outside_999, worst_z);
    r.sentence = fmt::format(
        "Over all {} cells the formula lies outside the 95% Wilson interval in {} cells (about "
        "{:.1f} expected by chance if it is exact) and beyond |z| > 3.29 in {}; the largest |z| "
        "is {:.2f}. {}",
        cells, outside_95, 0.05 * cells, outside_999, worst_z,
        r.verdict == Verdict::kAgrees
            ? "The estimates match the closed form within sampling error."
            : "Some cells lie beyond sampling error (see born_dead.csv).");
    out.push_back(r);
  }
  {
    std::optional<size_t> sym, rai, w3;
    for (size_t v = 0; v < m.inits.size(); ++v) {
      if (m.inits[v].symmetric_zero_bias && !sym) sym = v;
      if (m.inits[v].rai && !rai) rai = v;
    }
    for (size_t wi = 0; wi < m.widths.size(); ++wi)
      if (m.widths[wi] == 3) w3 = wi;
    if (!sym || !rai || !w3) {
      ClaimResult r = decide(kRaiClaim, Measurement::undecidable(
                                            kNoValue, "width 3 with both inits was not measured"));
      r.measured = "not measured";
      r.sentence = "Width 3 was not measured with both the symmetric init and RAI.";
      out.push_back(r);
      return out;
    }
    const BornDeadCell& s = m.cells[*sym][*w3];
    const BornDeadCell& r_cell = m.cells[*rai][*w3];
    const int64_t depth = std::min<int64_t>(30, static_cast<int64_t>(s.constant_on_set.size()));
    const int64_t k_sym = s.constant_on_set[depth - 1], k_rai = r_cell.constant_on_set[depth - 1];
    const double p_sym = static_cast<double>(k_sym) / s.trials;
    const double p_rai = static_cast<double>(k_rai) / r_cell.trials;
    const stats::Ratio ratio = stats::risk_ratio(k_rai, r_cell.trials, k_sym, s.trials);
    ClaimResult r =
        decide(kRaiClaim,
               k_sym == 0 ? Measurement::undecidable(kNoValue, "no symmetric init was born dead")
                          : Measurement::within(ratio.estimate, ratio.ci.low, ratio.ci.high,
                                                "Katz 95% for a ratio of shares"));
    r.measured = fmt::format("width 3, depth {}: constant in {} (symmetric) vs {} (RAI) of inits",
                             depth, percent(p_sym), percent(p_rai));
    r.sentence = fmt::format(
        "At width 3 and depth {} the network is constant on the probe set in {} of {} symmetric "
        "zero-bias initialisations and {} of {} RAI ones, a ratio of {:.2f}: {}",
        depth, k_sym, s.trials, k_rai, r_cell.trials, r.value,
        r.verdict == Verdict::kAgrees   ? "RAI is born dead much less often."
        : r.verdict == Verdict::kPartly ? "RAI helps, but less than the paper suggests."
        : r.verdict == Verdict::kDoesNotAgree
            ? "RAI is not born dead less often here."
            : "the counts cannot decide between the rule's regions.");
    out.push_back(r);
  }
  return out;
}

std::vector<ClaimResult> decide_training(const TrainingMeasurements& m) {
  const auto groups = group_runs(m);
  return {decide_dies(m, groups), decide_others(m), decide_revival(m), decide_cost(groups)};
}

}  // namespace actbench::study
