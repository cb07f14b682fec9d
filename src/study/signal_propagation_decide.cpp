// The signal-propagation study's decide layer: the claims of Poole et al. 2016, Schoenholz et al.
// 2017 and Hayou, Doucet and Rousseau 2019 as data, verdicts from SignalPropagationSummary's
// numbers and sentences generated from them (no figure here is typed by hand).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/numbers.hpp"
#include "study/signal_propagation.hpp"
#include "study/study_support.hpp"

namespace actbench::study {

namespace {

using core::kNaN;
// Schoenholz et al. 2017 (fig. 5 and section 5): networks train up to a depth of about 6 xi_c.
constexpr double kPublishedConstant = 6.0;

const EdgeOfChaosRow* deepest_row(const SignalPropagationSummary& s, const std::string& activation,
                                  const std::string& init) {
  for (const EdgeOfChaosRow& r : s.edge_of_chaos)
    if (r.activation == activation && r.init == init && r.depth == s.deepest) return &r;
  return nullptr;
}

double final_accuracy(const SignalPropagationSummary& s, const std::string& activation,
                      const std::string& init) {
  for (const EdgeOfChaosRow& r : s.edge_of_chaos)
    if (r.activation == activation && r.init == init && r.depth == s.deepest &&
        !r.final_accuracy.empty())
      return mean_of(r.final_accuracy);
  return kNaN;
}

}  // namespace

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

std::vector<ClaimResult> decide_signal_propagation(const SignalPropagationSummary& s) {
  static const Claim kMaps{
      "signal_propagation.maps_predict",
      "Poole et al. 2016",
      "the length map q' = sigma_w2 E[f(sqrt(q) z)^2] + sigma_b2 and the correlation map predict "
      "q^l and c^l of wide random networks layer by layer",
      "share of (activation, init point) rows whose every layer has q within the q tolerance "
      "(relative) and c within the c tolerance (absolute) of the maps",
      {Rule::Direction::kAtLeast, 1.0, 0.75}};
  static const Claim kSeparates{
      "signal_propagation.xi_c_separates",
      "Schoenholz et al. 2017",
      "a network trains if and only if its depth is below a constant times the correlation depth "
      "scale xi_c",
      "share of (sigma_w2, depth) cells that the best rule depth < c xi_c classifies right, at the "
      "longest training",
      {Rule::Direction::kAtLeast, 0.9, 0.75}};
  static const Claim kConstant{
      "signal_propagation.six_xi_c",
      "Schoenholz et al. 2017",
      "the constant is about 6: networks deeper than about 6 xi_c do not train",
      "|ln(c / 6)| for the best separating c at the longest training (0.41: c within a factor 1.5 "
      "of 6)",
      {Rule::Direction::kAtMost, std::log(1.5), std::log(3.0)}};
  static const Claim kSilu{
      "signal_propagation.silu_deeper",
      "Hayou et al. 2019",
      "at the edge of chaos, SiLU (Swish) trains deep networks better than ReLU, whose edge of "
      "chaos is He's init",
      "final test accuracy of SiLU at its edge of chaos minus ReLU with He, at the deepest depth",
      {Rule::Direction::kAtLeast, 0.02, 0.0}};
  static const Claim kEdge{
      "signal_propagation.edge_beats_standard",
      "Hayou et al. 2019",
      "for smooth activations, initialising at the edge of chaos trains deep networks at least as "
      "well as the standard init",
      "mean over ELU, tanh and SiLU of the final test accuracy at the edge of chaos minus with the "
      "standard init (He or Xavier), at the deepest depth",
      {Rule::Direction::kAtLeast, 0.01, -0.01}};

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
    ClaimResult r = decide(kMaps, total ? static_cast<double>(within) / total : kNaN);
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
  const Separation* longest = s.separations.empty() ? nullptr : &s.separations.back();
  std::string by_length;
  for (size_t i = 0; i < s.separations.size() && i < s.steps.size(); ++i)
    by_length +=
        fmt::format("{}c = {:g} after {} steps", i ? ", " : "", s.separations[i].c, s.steps[i]);
  {
    const double share = longest && longest->cells > 0
                             ? 1.0 - static_cast<double>(longest->misclassified) / longest->cells
                             : kNaN;
    ClaimResult r = decide(kSeparates, share);
    r.measured = longest ? fmt::format("depth < {:g} xi_c: {} of {} cells right", longest->c,
                                       longest->cells - longest->misclassified, longest->cells)
                         : "not measured";
    r.sentence = longest ? fmt::format(
                               "After {} steps the rule \"trainable iff depth < {:g} xi_c\" "
                               "classifies {} of {} (sigma_w2, depth) cells right ({:.0f}%).",
                               s.steps.back(), longest->c, longest->cells - longest->misclassified,
                               longest->cells, 100 * share)
                         : "Trainability was not measured.";
    out.push_back(r);
  }
  {
    const double value = longest ? std::abs(std::log(longest->c / kPublishedConstant)) : kNaN;
    ClaimResult r = decide(kConstant, value);
    r.measured =
        longest ? fmt::format("c = {:g} (published: about 6)", longest->c) : "not measured";
    r.sentence =
        longest ? fmt::format(
                      "The best separating constant is c = {:g} after {} steps against the "
                      "published 6 ({:+.0f}%); by training length: {}, so c {} with training "
                      "length here.",
                      longest->c, s.steps.back(), 100 * (longest->c / kPublishedConstant - 1),
                      by_length,
                      s.separations.back().c > s.separations.front().c
                          ? "grows"
                          : (s.separations.back().c < s.separations.front().c ? "shrinks"
                                                                              : "does not move"))
                : "Trainability was not measured.";
    out.push_back(r);
  }
  {
    const double silu = final_accuracy(s, "silu", "edge of chaos");
    const double relu = final_accuracy(s, "relu", "He = edge of chaos");
    ClaimResult r = decide(kSilu, silu - relu);
    const EdgeOfChaosRow* silu_row = deepest_row(s, "silu", "edge of chaos");
    r.measured =
        fmt::format("depth {}: SiLU {}{}, ReLU {}", s.deepest, fixed(silu, 3),
                    silu_row != nullptr && silu_row->failed > 0
                        ? fmt::format(" ({} of {} runs diverged)", silu_row->failed, silu_row->runs)
                        : "",
                    fixed(relu, 3));
    r.sentence = fmt::format(
        "At depth {}, SiLU at its edge of chaos reaches {} final test accuracy and ReLU with He "
        "(its edge of chaos) {}: a difference of {}.",
        s.deepest, fixed(silu, 3), fixed(relu, 3),
        std::isnan(silu - relu) ? "n/a (a run is missing)" : fmt::format("{:+.3f}", silu - relu));
    if (silu_row != nullptr && silu_row->failed > 0)
      r.sentence +=
          fmt::format(" {} of SiLU's {} runs there diverged.", silu_row->failed, silu_row->runs);
    if (s.silu_edge_length_slope > 1.0)
      r.sentence += fmt::format(
          " The theory says why the init fails: at SiLU's edge-of-chaos point the length map's "
          "slope is {:.3f} > 1, so q* repels and q grows with depth instead of staying at the "
          "edge of chaos; the claim needs an edge-of-chaos point whose q* attracts.",
          s.silu_edge_length_slope);
    out.push_back(r);
  }
  {
    double sum = 0.0;
    int count = 0;
    std::string parts;
    for (const auto& [activation, standard] : std::vector<std::pair<std::string, std::string>>{
             {"elu", "He"}, {"tanh", "Xavier"}, {"silu", "He"}}) {
      const double edge = final_accuracy(s, activation, "edge of chaos");
      const double other = final_accuracy(s, activation, standard);
      parts += fmt::format("{}{} {} against {} {}", count ? "; " : "", activation, fixed(edge, 3),
                           standard, fixed(other, 3));
      sum += edge - other;  // a NaN (a missing run) makes the mean NaN: never agrees
      ++count;
    }
    const double mean = sum / count;
    ClaimResult r = decide(kEdge, mean);
    const std::string average =
        std::isnan(mean) ? "n/a (a run is missing)" : fmt::format("{:+.3f}", mean);
    r.measured = fmt::format("depth {}: {} on average", s.deepest, average);
    r.sentence = fmt::format(
        "At depth {}, the edge of chaos against the standard init (final test accuracy): {}; on "
        "average {}. A run that diverged counts as accuracy 0.",
        s.deepest, parts, average);
    out.push_back(r);
  }
  return out;
}

}  // namespace actbench::study
