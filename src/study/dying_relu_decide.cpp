// The dying-ReLU study's decide layer: claims as data, their measured quantities computed from the
// measurement structs, and each verdict's sentence generated from the numbers (nothing here
// trains or reads files, so the tests feed it made-up numbers for every outcome).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

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
    "formula",
    {Rule::Direction::kAtMost, 0.0, 0.02}};

const Claim kRaiClaim{
    "dying_relu.rai",
    "Lu et al. 2019",
    "randomized asymmetric initialisation (RAI) makes a deep narrow ReLU net born dead less "
    "often than a symmetric init",
    "P(network constant on the probe set) with RAI over the same with the symmetric zero-bias "
    "init, width 3, depth 30",
    {Rule::Direction::kAtMost, 0.75, 0.95}};

// ---- Training.

const Claim kDiesClaim{
    "dying_relu.relu_dies",
    "CS231n; Lu et al. 2019",
    "at large learning rates ReLU units die during training (\"as much as 40% of your network "
    "can be dead\"), with momentum and with Adam",
    "MNIST MLP: the smaller of (SGD + momentum, Adam) of ReLU's largest final structurally dead "
    "fraction (worst layer, mean over seeds, finished runs) over learning rates",
    {Rule::Direction::kAtLeast, 0.2, 0.05}};

const Claim kOthersClaim{
    "dying_relu.others_do_not_die",
    "CS231n; Maas et al. 2013; Clevert et al. 2016",
    "leaky ReLU, PReLU, ELU, GELU and SiLU have no zero-gradient region, so their units cannot "
    "die structurally",
    "largest structurally dead fraction of any layer at any probe record of any run of those "
    "activations",
    {Rule::Direction::kAtMost, 0.0, 0.01}};

const Claim kRevivalClaim{
    "dying_relu.no_revival",
    "CS231n",
    "a dead ReLU unit never comes back: no gradient flows through it",
    "share of ReLU units structurally dead at some probe record that are alive at the end "
    "(finished runs, from the dead-unit masks)",
    {Rule::Direction::kAtMost, 0.05, 0.25}};

const Claim kCostClaim{
    "dying_relu.cost",
    "CS231n",
    "dead units are lost capacity: a network that lost many units learns less",
    "test accuracy of leaky ReLU minus ReLU's, averaged over the settings where ReLU ends at "
    "least 20% structurally dead",
    {Rule::Direction::kAtLeast, 0.005, 0.001}};

struct Group {
  std::vector<const DyingRun*> runs;
  std::vector<double> final_structural, accuracy;
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
    if (!run.completed()) continue;
    g.final_structural.push_back(run.final_structural);
    if (!std::isnan(run.test_accuracy)) g.accuracy.push_back(run.test_accuracy);
  }
  return groups;
}

// ReLU's deadliest learning rate for one setting and optimiser.
struct Deadliest {
  double lr = kNoValue, dead = kNoValue, accuracy = kNoValue;
  std::string layer;
  int64_t half_dead_step = -1;              // median over the group's runs
  double first_all_diverged_lr = kNoValue;  // smallest lr at which every run diverged
};

Deadliest deadliest(const std::map<GroupKey, Group>& groups, const std::string& setting,
                    const std::string& optimiser, const std::string& activation) {
  Deadliest d;
  for (const auto& [key, g] : groups) {
    const auto& [s, o, a, lr] = key;
    if (s != setting || o != optimiser || a != activation) continue;
    if (g.diverged == static_cast<int64_t>(g.runs.size()) && !(lr >= d.first_all_diverged_lr))
      d.first_all_diverged_lr = lr;
    if (g.final_structural.empty()) continue;
    const double dead = mean_of(g.final_structural);
    if (std::isnan(d.dead) || dead > d.dead) {
      d.dead = dead;
      d.lr = lr;
      d.accuracy = mean_of(g.accuracy);
      std::map<std::string, int> layers;
      std::vector<int64_t> steps;
      for (const DyingRun* run : g.runs) {
        if (!run->completed()) continue;
        ++layers[run->worst_layer];
        if (run->half_dead_step >= 0) steps.push_back(run->half_dead_step);
      }
      d.layer = std::max_element(layers.begin(), layers.end(), [](auto& x, auto& y) {
                  return x.second < y.second;
                })->first;
      std::sort(steps.begin(), steps.end());
      d.half_dead_step = steps.empty() ? -1 : steps[steps.size() / 2];
    }
  }
  return d;
}

std::string describe_deadliest(const std::string& optimiser, const Deadliest& d) {
  if (std::isnan(d.dead)) return fmt::format("{}: no finished ReLU run", optimiser);
  std::string text =
      fmt::format("{}: {} of {} dead at lr {:g}", optimiser, percent(d.dead), d.layer, d.lr);
  if (d.half_dead_step >= 0 && d.dead > 0)
    text += fmt::format(" (half of it by step {})", d.half_dead_step);
  if (!std::isnan(d.first_all_diverged_lr))
    text += fmt::format("; every run diverges at lr {:g}", d.first_all_diverged_lr);
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
  double value = kNoValue;
  std::vector<std::string> parts;
  for (const std::string optimiser : {"SGD + momentum 0.9", "Adam"}) {
    const Deadliest d = deadliest(groups, primary, optimiser, "relu");
    parts.push_back(describe_deadliest(optimiser, d));
    value = std::isnan(value) ? d.dead : std::min(value, d.dead);
  }
  ClaimResult r = decide(kDiesClaim, value);
  const Deadliest sgd = deadliest(groups, primary, "SGD", "relu");
  r.measured = fmt::format("{}, 1 epoch: {}; {}", primary, parts[0], parts[1]);
  r.sentence = fmt::format("On the {}, ReLU's worst layer ends {}; {}; and {}. ", primary, parts[0],
                           parts[1], describe_deadliest("with plain SGD", sgd));
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
          "With both momentum and Adam at least {} of a layer dies at some learning rate the "
          "optimiser still trains at.",
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
  }
  return r;
}

ClaimResult decide_others(const TrainingMeasurements& m) {
  double structural = 0.0, numerical = 0.0;
  std::string numerical_where;
  std::set<std::string> with_half_line, without;
  int64_t runs = 0;
  for (const auto& run : m.runs) {
    if (is_relu(run)) continue;
    ++runs;
    (run.has_flat_half_line ? with_half_line : without).insert(run.activation);
    structural = std::max(structural, run.peak_structural);
    if (run.peak_numerical > numerical) {
      numerical = run.peak_numerical;
      numerical_where = fmt::format("{} ({}, {} at lr {:g}, {})", run.activation, run.setting,
                                    run.optimiser, run.lr, run.status);
    }
  }
  ClaimResult r = decide(kOthersClaim, runs == 0 ? kNoValue : structural);
  r.measured = fmt::format(
      "{} runs: structurally dead at most {}; numerically dead (f' rounded "
      "to 0) at most {}",
      runs, percent(structural), percent(numerical));
  r.sentence = fmt::format(
      "Over {} runs of the other activations, the largest structurally dead fraction of any "
      "layer at any record is {}. The catalogue finds a half-line where f' = 0 by definition for "
      "{} and none for {}. ",
      runs, percent(structural),
      with_half_line.empty() ? std::string("none of them")
                             : fmt::format("{}", fmt::join(with_half_line, ", ")),
      without.empty() ? std::string("none") : fmt::format("{}", fmt::join(without, ", ")));
  if (numerical > 0) {
    r.sentence += fmt::format(
        "Numerical death is another matter: up to {} of a layer's units had f' rounded to exactly "
        "0 on every probe sample, in {}; these are counted apart, not as dead ReLU-style units. ",
        percent(numerical), numerical_where);
  } else {
    r.sentence += "No unit of theirs had f' rounded to 0 on every probe sample either. ";
  }
  if (r.verdict != Verdict::kAgrees)
    r.sentence += "Some structurally dead units were found where the claim says none can be.";
  return r;
}

ClaimResult decide_revival(const TrainingMeasurements& m) {
  int64_t ever = 0, revived = 0, runs = 0;
  for (const auto& run : m.runs) {
    if (!is_relu(run) || !run.completed()) continue;
    ++runs;
    ever += run.ever_dead;
    revived += run.revived;
  }
  const double value = ever == 0 ? kNoValue : static_cast<double>(revived) / ever;
  ClaimResult r = decide(kRevivalClaim, value);
  r.measured = fmt::format(
      "{} ReLU units dead at some record in {} finished runs; {} ({}) alive "
      "at the end",
      ever, runs, revived, percent(value));
  if (ever == 0) {
    r.sentence =
        "No ReLU unit was structurally dead at any record before the end, so permanence "
        "could not be measured.";
  } else {
    r.sentence = fmt::format(
        "Of the {} ReLU units (over all layers of {} finished runs) that were structurally dead "
        "at some probe record before the last, {} ({}) were alive at the end: {}",
        ever, runs, revived, percent(value),
        r.verdict == Verdict::kAgrees
            ? "dead units stay dead."
            : "a unit dead on the probe set can come back, because the layers below it keep "
              "learning and move its pre-activations.");
  }
  return r;
}

ClaimResult decide_cost(const std::map<GroupKey, Group>& groups) {
  std::vector<double> gaps;
  std::vector<std::string> where;
  for (const auto& [key, g] : groups) {
    const auto& [setting, optimiser, activation, lr] = key;
    if (activation != "relu" || g.final_structural.empty()) continue;
    if (mean_of(g.final_structural) < 0.2) continue;
    const auto leaky = groups.find({setting, optimiser, "leaky_relu", lr});
    if (leaky == groups.end() || leaky->second.accuracy.empty() || g.accuracy.empty()) continue;
    const double gap = mean_of(leaky->second.accuracy) - mean_of(g.accuracy);
    gaps.push_back(gap);
    where.push_back(fmt::format("{} {} lr {:g}: {} dead, {:+.4f}", setting, optimiser, lr,
                                percent(mean_of(g.final_structural)), gap));
  }
  ClaimResult r = decide(kCostClaim, mean_of(gaps));
  if (gaps.empty()) {
    r.measured = "no setting where ReLU ends 20% dead";
    r.sentence =
        "ReLU lost less than 20% of any layer in every finished setting, so the cost of "
        "dead units could not be measured.";
    return r;
  }
  r.measured = fmt::format(
      "leaky ReLU minus ReLU test accuracy {:+.4f} on average over {} dying "
      "settings",
      mean_of(gaps), gaps.size());
  r.sentence = fmt::format(
      "Where ReLU ends at least 20% dead, leaky ReLU's test accuracy is {:+.4f} above ReLU's on "
      "average ({}); {}",
      mean_of(gaps), fmt::join(where, "; "),
      r.verdict == Verdict::kDoesNotAgree
          ? "the dead units cost ReLU no accuracy here: the surviving units compensate."
          : "the dead units cost accuracy.");
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
    ClaimResult r =
        decide(kFormulaClaim, cells == 0 ? kNoValue : static_cast<double>(outside_999) / cells);
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
    size_t sym = 0, rai = 0, w3 = 0;
    for (size_t v = 0; v < m.inits.size(); ++v) {
      if (m.inits[v].symmetric_zero_bias) sym = v;
      if (m.inits[v].rai) rai = v;
    }
    for (size_t wi = 0; wi < m.widths.size(); ++wi)
      if (m.widths[wi] == 3) w3 = wi;
    const BornDeadCell& s = m.cells[sym][w3];
    const BornDeadCell& r_cell = m.cells[rai][w3];
    const int64_t depth = std::min<int64_t>(30, static_cast<int64_t>(s.constant_on_set.size()));
    const double p_sym = static_cast<double>(s.constant_on_set[depth - 1]) / s.trials;
    const double p_rai = static_cast<double>(r_cell.constant_on_set[depth - 1]) / r_cell.trials;
    ClaimResult r = decide(kRaiClaim, p_sym > 0 ? p_rai / p_sym : kNoValue);
    r.measured = fmt::format("width 3, depth {}: constant in {} (symmetric) vs {} (RAI) of inits",
                             depth, percent(p_sym), percent(p_rai));
    r.sentence = fmt::format(
        "At width 3 and depth {} the network is constant on the probe set in {} of symmetric "
        "zero-bias initialisations and {} of RAI ones, a ratio of {:.2f}: {}",
        depth, percent(p_sym), percent(p_rai), r.value,
        r.verdict == Verdict::kAgrees   ? "RAI is born dead much less often."
        : r.verdict == Verdict::kPartly ? "RAI helps, but less than the paper suggests."
                                        : "RAI is not born dead less often here.");
    out.push_back(r);
  }
  return out;
}

std::vector<ClaimResult> decide_training(const TrainingMeasurements& m) {
  const auto groups = group_runs(m);
  return {decide_dies(m, groups), decide_others(m), decide_revival(m), decide_cost(groups)};
}

}  // namespace actbench::study
