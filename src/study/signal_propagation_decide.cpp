// The signal-propagation study's decide layer: the claims of Poole et al. 2016, Schoenholz et al.
// 2017 and Hayou, Doucet and Rousseau 2019 as data, verdicts from the intervals of
// SignalPropagationSummary's numbers and sentences generated from them (no figure here is typed
// by hand). Published constants are tested as published: the fitted constant is reported beside.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "core/numbers.hpp"
#include "stats/statistics.hpp"
#include "study/signal_propagation.hpp"
#include "study/study_support.hpp"

namespace actbench::study {

namespace {

using core::kNaN;

const EdgeOfChaosRow* deepest_row(const SignalPropagationSummary& s, const std::string& activation,
                                  const std::string& init) {
  for (const EdgeOfChaosRow& r : s.edge_of_chaos)
    if (r.activation == activation && r.init == init && r.depth == s.deepest) return &r;
  return nullptr;
}

// How many of a row's runs trained (final test accuracy at least kPropagationTrainedAccuracy).
int trained_runs(const EdgeOfChaosRow& row) {
  return static_cast<int>(std::count_if(row.final_accuracy.begin(), row.final_accuracy.end(),
                                        [](double a) { return a >= kPropagationTrainedAccuracy; }));
}

std::string row_accuracy(const EdgeOfChaosRow* row) {
  if (row == nullptr || row->final_accuracy.empty()) return "not measured";
  std::string text = fixed(mean_of(row->final_accuracy), 3);
  if (row->failed > 0) text += fmt::format(" ({} of {} runs diverged)", row->failed, row->runs);
  return text;
}

}  // namespace

RuleCount classify_with(const std::vector<TrainabilityCell>& cells, double c) {
  RuleCount count;
  count.cells = static_cast<int>(cells.size());
  for (const TrainabilityCell& cell : cells)
    count.right += ((cell.depth < c * cell.xi_c) == cell.trainable) ? 1 : 0;
  return count;
}

Separation best_separation(const std::vector<TrainabilityCell>& cells) {
  Separation best;
  best.cells = static_cast<int>(cells.size());
  best.misclassified = best.cells + 1;
  for (int i = 1; i <= 400; ++i) {
    const double c = 0.05 * i;
    const int wrong = best.cells - classify_with(cells, c).right;
    if (wrong < best.misclassified) {
      best.misclassified = wrong;
      best.c = best.c_max = c;
    } else if (wrong == best.misclassified) {
      best.c_max = c;
    }
  }
  return best;
}

std::vector<PhaseSeparation> separations_by_phase(const std::vector<TrainabilityCell>& cells,
                                                  double critical_sigma_w2) {
  std::vector<TrainabilityCell> ordered, chaotic;
  for (const TrainabilityCell& cell : cells)
    (cell.sigma_w2 <= critical_sigma_w2 ? ordered : chaotic).push_back(cell);
  std::vector<PhaseSeparation> out;
  for (const auto& [phase, subset] :
       std::vector<std::pair<std::string, std::vector<TrainabilityCell>>>{
           {"all", cells}, {"ordered", ordered}, {"chaotic", chaotic}}) {
    if (subset.empty()) continue;
    out.push_back({phase, best_separation(subset), classify_with(subset, kPublishedXiConstant)});
  }
  return out;
}

std::vector<ClaimResult> decide_signal_propagation(const SignalPropagationSummary& s) {
  static const Claim kMaps{
      "signal_propagation.maps_predict",
      "Poole et al. 2016",
      "the length map q' = sigma_w2 E[f(sqrt(q) z)^2] + sigma_b2 and the correlation map predict "
      "q^l and c^l of wide random networks layer by layer",
      "share of (activation, init point) rows whose every layer has q within the q tolerance "
      "(relative) and c within the c tolerance (absolute) of the maps",
      {Rule::Direction::kAtLeast, 1.0, 0.75},
      "eqs. 3-5 and fig. 1-2"};
  static const Claim kSixXi{
      "signal_propagation.six_xi_c",
      "Schoenholz et al. 2017",
      "networks train if and only if their depth is below about 6 xi_c, the correlation depth "
      "scale times 6",
      "share of (sigma_w2, depth) cells that \"trainable iff depth < 6 xi_c\" classifies right, at "
      "the longest training",
      {Rule::Direction::kAtLeast, 0.9, 0.75},
      "fig. 5-6 and section 5"};
  static const Claim kSilu{
      "signal_propagation.silu_deeper",
      "Hayou et al. 2019",
      "at the edge of chaos, SiLU (Swish) trains deep networks better than ReLU, whose edge of "
      "chaos is He's init",
      "final test accuracy of SiLU at its edge of chaos minus ReLU with He, at the deepest depth "
      "(Welch 95% interval over seeds; agrees when it lies above 0)",
      {Rule::Direction::kAtLeast, 0.0, 0.0},
      "section 4 and fig. 6"};
  static const Claim kEdge{
      "signal_propagation.edge_beats_standard",
      "Hayou et al. 2019",
      "for smooth activations, initialising at the edge of chaos trains deep networks at least as "
      "well as the standard init",
      "final test accuracy at the edge of chaos minus with the standard init at the deepest depth, "
      "averaged over the activations where an arm trained, per seed (t 95% interval over seeds; "
      "agrees when it lies at or above 0)",
      {Rule::Direction::kAtLeast, 0.0, 0.0},
      "section 4, table 2 and fig. 5"};

  std::vector<ClaimResult> out;
  {
    int within = 0;
    std::vector<std::string> outside;
    double worst_q = 0.0, worst_c = 0.0;
    for (const PropagationCurves& r : s.at_init) {
      const bool ok = r.max_q_deviation <= s.q_tolerance && r.max_c_deviation <= s.c_tolerance;
      within += ok ? 1 : 0;
      if (!ok) outside.push_back(r.activation + " (" + r.point + ")");
      worst_q = std::max(worst_q, std::isnan(r.max_q_deviation) ? kNaN : r.max_q_deviation);
      worst_c = std::max(worst_c, std::isnan(r.max_c_deviation) ? kNaN : r.max_c_deviation);
    }
    const int total = static_cast<int>(s.at_init.size());
    const double share = total ? static_cast<double>(within) / total : kNaN;
    ClaimResult r = decide(
        kMaps, total ? Measurement::exact(share,
                                          "a count over the catalogue's fixed list of rows, each "
                                          "row's deviation averaged over its seeds")
                     : Measurement::undecidable(kNaN, "no row was measured"));
    r.measured = fmt::format("{} of {} rows within {:.0f}% (q) and {:g} (c)", within, total,
                             100 * s.q_tolerance, s.c_tolerance);
    std::string listed;
    for (size_t i = 0; i < outside.size(); ++i) listed += (i ? ", " : "") + outside[i];
    r.sentence = fmt::format(
        "{} of {} (activation, init point) rows have every layer's q^l within {:.0f}% and c^l "
        "within {:g} of the maps; the largest deviations over all rows are {:.1f}% in q and {:.3f} "
        "in c.{}",
        within, total, 100 * s.q_tolerance, s.c_tolerance, 100 * worst_q, worst_c,
        outside.empty() ? "" : " Outside: " + listed + ".");
    out.push_back(r);
  }
  {
    const std::vector<TrainabilityCell> empty;
    const auto& cells = s.cells_by_length.empty() ? empty : s.cells_by_length.back();
    const RuleCount six = classify_with(cells, kPublishedXiConstant);
    const int trainable = static_cast<int>(
        std::count_if(cells.begin(), cells.end(), [](const auto& c) { return c.trainable; }));
    const double share = six.cells > 0 ? static_cast<double>(six.right) / six.cells : kNaN;
    const stats::Interval wilson = stats::wilson_interval(six.right, six.cells);
    Measurement measurement =
        cells.empty() ? Measurement::undecidable(kNaN, "trainability was not measured")
        : trainable == 0
            ? Measurement::undecidable(
                  share, "no cell trained: the runs cannot tell where the boundary lies")
            : Measurement::within(share, wilson.low, wilson.high,
                                  fmt::format("Wilson 95% over {} cells", six.cells));
    ClaimResult r = decide(kSixXi, measurement);
    std::string phases;
    for (const PhaseSeparation& p : separations_by_phase(cells, s.critical_sigma_w2)) {
      const auto& f = p.fitted;
      phases += fmt::format(
          "{}{} cells ({}): c = 6 classifies {} of {} right; the fitted c that misclassifies "
          "fewest ({} of {}) is {}",
          phases.empty() ? "" : "; ", p.phase, p.published.cells, p.published.right,
          p.published.cells, f.misclassified, f.cells,
          f.c == f.c_max ? fmt::format("{:g}", f.c)
                         : fmt::format("any c from {:g} to {:g}", f.c, f.c_max));
    }
    r.measured = cells.empty()
                     ? "not measured"
                     : fmt::format("depth < 6 xi_c: {} of {} cells right", six.right, six.cells);
    r.sentence =
        cells.empty()
            ? "Trainability was not measured."
            : fmt::format(
                  "After {} steps the published rule \"trainable iff depth < 6 xi_c\" "
                  "classifies {} of {} (sigma_w2, depth) cells right ({:.1f}%). The "
                  "constant fitted to these same cells is reported beside it, not "
                  "tested (it is chosen in-sample), by phase (ordered: sigma_w2 <= {:.4g}, "
                  "the critical value): {}.",
                  s.steps.empty() ? 0 : s.steps.back(), six.right, six.cells, 100 * share,
                  s.critical_sigma_w2, phases);
    out.push_back(r);
  }
  {
    const EdgeOfChaosRow* silu = deepest_row(s, "silu", "edge of chaos");
    const EdgeOfChaosRow* silu_standard = deepest_row(s, "silu", "standard");
    const EdgeOfChaosRow* relu = deepest_row(s, "relu", "He = edge of chaos");
    const double silu_mean = silu ? mean_of(silu->final_accuracy) : kNaN;
    const double relu_mean = relu ? mean_of(relu->final_accuracy) : kNaN;
    std::vector<std::string> why;
    if (silu == nullptr || relu == nullptr || silu->final_accuracy.empty() ||
        relu->final_accuracy.empty()) {
      why.push_back("a run is missing");
    } else {
      if (trained_runs(*silu) == 0)
        why.push_back(fmt::format(
            "no SiLU run at its edge of chaos trained ({} of {} diverged, the others below {:g} "
            "test accuracy)",
            silu->failed, silu->runs, kPropagationTrainedAccuracy));
      if (silu_standard != nullptr && trained_runs(*silu_standard) == 0 && trained_runs(*silu) == 0)
        why.push_back("SiLU's standard arm did not train either: every SiLU arm failed");
      if (silu_standard != nullptr && silu_standard->sigma_w2 > 0 &&
          std::abs(silu->sigma_w2 / silu_standard->sigma_w2 - 1.0) < 0.02)
        why.push_back(fmt::format(
            "SiLU's two inits are nearly the same point (sigma_w2 {:.3f} and {:.3f}), so the "
            "arms are indistinguishable",
            silu->sigma_w2, silu_standard->sigma_w2));
      if (trained_runs(*relu) == 0) why.push_back("no ReLU run trained");
    }
    const bool undecidable = !why.empty() && (silu == nullptr || relu == nullptr ||
                                              trained_runs(*silu) == 0 || trained_runs(*relu) == 0);
    std::string reason;
    for (size_t i = 0; i < why.size(); ++i) reason += (i ? "; " : "") + why[i];
    const double difference = silu_mean - relu_mean;
    Measurement measurement;
    if (undecidable) {
      measurement = Measurement::undecidable(difference, reason);
    } else {
      const stats::WelchTest welch = stats::welch_test(silu->final_accuracy, relu->final_accuracy);
      measurement = Measurement::within(
          difference, welch.ci.low, welch.ci.high,
          fmt::format("Welch 95% over {} and {} seeds", silu->final_accuracy.size(),
                      relu->final_accuracy.size()));
    }
    ClaimResult r = decide(kSilu, measurement);
    r.measured = fmt::format("depth {}: SiLU {}, ReLU {}", s.deepest, row_accuracy(silu),
                             row_accuracy(relu));
    r.sentence = fmt::format(
        "At depth {}, SiLU at its edge of chaos reaches {} final test accuracy and ReLU with He "
        "(its edge of chaos) {}: a difference of {}.",
        s.deepest, row_accuracy(silu), row_accuracy(relu),
        std::isnan(difference) ? "n/a" : fmt::format("{:+.3f}", difference));
    if (!undecidable && !why.empty()) r.sentence += " Note: " + reason + ".";
    if (s.silu_edge_length_slope > 1.0)
      r.sentence += fmt::format(
          " The theory says why the init fails: at SiLU's edge-of-chaos point the length map's "
          "slope is {:.3f} > 1, so q* repels and q grows with depth instead of staying at the "
          "edge of chaos; the claim needs an edge-of-chaos point whose q* attracts.",
          s.silu_edge_length_slope);
    out.push_back(r);
  }
  {
    // Per seed, the mean over the activations where an arm trained of edge minus standard; the
    // seeds are shared by the arms, so the difference is paired.
    std::map<int64_t, std::vector<double>> by_seed;
    std::string parts, left_out;
    int used = 0;
    bool missing = false;
    for (const std::string activation : {"elu", "tanh", "silu"}) {
      const EdgeOfChaosRow* edge = deepest_row(s, activation, "edge of chaos");
      const EdgeOfChaosRow* standard = deepest_row(s, activation, "standard");
      if (edge == nullptr || standard == nullptr || edge->final_accuracy.empty() ||
          standard->final_accuracy.empty()) {
        missing = true;
        continue;
      }
      parts += fmt::format("{}{} {} against {}", parts.empty() ? "" : "; ", activation,
                           row_accuracy(edge), row_accuracy(standard));
      if (trained_runs(*edge) == 0 && trained_runs(*standard) == 0) {
        left_out += (left_out.empty() ? "" : ", ") + activation;
        continue;
      }
      ++used;
      std::map<int64_t, double> standard_of;
      for (size_t i = 0; i < standard->seeds.size() && i < standard->final_accuracy.size(); ++i)
        standard_of[standard->seeds[i]] = standard->final_accuracy[i];
      for (size_t i = 0; i < edge->seeds.size() && i < edge->final_accuracy.size(); ++i) {
        const auto other = standard_of.find(edge->seeds[i]);
        if (other != standard_of.end())
          by_seed[edge->seeds[i]].push_back(edge->final_accuracy[i] - other->second);
      }
    }
    std::vector<double> per_seed;
    for (const auto& [seed, differences] : by_seed)
      if (static_cast<int>(differences.size()) == used) per_seed.push_back(mean_of(differences));
    const double mean = per_seed.empty() ? kNaN : mean_of(per_seed);
    Measurement measurement;
    if (missing) {
      measurement = Measurement::undecidable(mean, "a run is missing");
    } else if (used == 0) {
      measurement = Measurement::undecidable(
          mean, "every arm of every activation diverged or stayed below " +
                    fmt::format("{:g}", kPropagationTrainedAccuracy) + " test accuracy");
    } else {
      const stats::Interval t = stats::mean_interval(per_seed);
      measurement = Measurement::within(mean, t.low, t.high,
                                        fmt::format("t 95% over {} seeds", per_seed.size()));
    }
    ClaimResult r = decide(kEdge, measurement);
    const std::string average = std::isnan(mean) ? "n/a" : fmt::format("{:+.3f}", mean);
    r.measured = fmt::format("depth {}: {} on average", s.deepest, average);
    r.sentence = fmt::format(
        "At depth {}, the edge of chaos against the standard init (final test accuracy): {}; on "
        "average {}. A run that diverged counts as accuracy 0.{}",
        s.deepest, parts.empty() ? "not measured" : parts, average,
        left_out.empty() ? "" : " Left out, as neither of its arms trained: " + left_out + ".");
    out.push_back(r);
  }
  return out;
}

}  // namespace actbench::study
