// The activation zoo's claims as data and their verdicts from the measured accuracies (see
// activation_zoo.hpp): the depth claim is decided from the stratified bootstrap interval of the
// ratio of interquartile ranges, and is inconclusive when the shallow setting did not train.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "stats/spread_intervals.hpp"
#include "study/activation_zoo.hpp"

namespace actbench::study {

namespace {

// Activations of a setting whose mean accuracy reaches kZooTrainedFactor x chance, and those that
// kept any completed run.
struct ZooTrained {
  int64_t trained = 0, measured = 0;
};
ZooTrained zoo_trained(const ZooSetting& s) {
  ZooTrained out;
  for (const auto& seeds : s.accuracies) {
    if (seeds.empty()) continue;
    ++out.measured;
    double sum = 0;
    for (double v : seeds) sum += v;
    if (sum / static_cast<double>(seeds.size()) >= kZooTrainedFactor * s.chance) ++out.trained;
  }
  return out;
}

}  // namespace

std::vector<ClaimResult> decide_zoo(const std::map<std::string, ZooSetting>& settings) {
  static const Claim kDepthClaim{
      "activation_zoo.depth_widens",
      "common claim (e.g. Klambauer et al. 2017, deep MLPs)",
      "the choice of activation matters little in a shallow network and much in a deep one",
      "interquartile range of the activations' mean test accuracies on the deep narrow MLP "
      "over the same on the MNIST MLP, stratified bootstrap over seeds",
      {Rule::Direction::kAtLeast, 2.0, 1.2},
      "no table or figure: a claim stated in words",
      Reading::kSecondary,
      "the claim names no configuration; this study picks a 2-layer and a 20-layer MNIST MLP"};
  const ZooSetting empty;
  auto find = [&](const std::string& key) -> const ZooSetting& {
    const auto found = settings.find(key);
    return found == settings.end() ? empty : found->second;
  };
  const ZooSetting& shallow = find("mnist");
  const ZooSetting& deep = find("deep_narrow");
  const stats::SpreadRatio ratio =
      stats::spread_ratio(deep.accuracies, shallow.accuracies, kZooResamples, kZooBootstrapSeed);
  const ZooTrained shallow_trained = zoo_trained(shallow), deep_trained = zoo_trained(deep);
  std::string cannot;
  if (shallow_trained.measured == 0)
    cannot = "the MNIST MLP has no completed run (every run diverged, or none ran)";
  else if (deep_trained.measured == 0)
    cannot = "the deep narrow MLP has no completed run (every run diverged, or none ran)";
  else if (2 * shallow_trained.trained < shallow_trained.measured)
    cannot = fmt::format(
        "the MNIST MLP did not train: {} of {} activations reach {:g} x chance ({:.2f})",
        shallow_trained.trained, shallow_trained.measured, kZooTrainedFactor,
        kZooTrainedFactor * shallow.chance);
  else if (deep_trained.trained == 0)
    cannot = fmt::format("no activation trained in the deep narrow MLP ({:g} x chance: {:.2f})",
                         kZooTrainedFactor, kZooTrainedFactor * deep.chance);
  else if (!std::isfinite(ratio.estimate))
    cannot = "the MNIST MLP's interquartile range is zero: the ratio is undefined";
  const Measurement measurement =
      cannot.empty()
          ? Measurement::within(
                ratio.estimate, ratio.ci.low, ratio.ci.high,
                fmt::format("stratified bootstrap 95% over seeds, {} resamples", kZooResamples))
          : Measurement::undecidable(ratio.estimate, cannot);
  ClaimResult r = decide(kDepthClaim, measurement);
  r.measured = fmt::format(
      "interquartile range of mean accuracy {:.4f} [{:.4f}, {:.4f}] (MNIST MLP) vs {:.4f} "
      "[{:.4f}, {:.4f}] (deep narrow MLP), {:.1f}x",
      ratio.denominator_iqr, ratio.denominator_ci.low, ratio.denominator_ci.high,
      ratio.numerator_iqr, ratio.numerator_ci.low, ratio.numerator_ci.high, ratio.estimate);
  const bool widens = r.interval.low >= kDepthClaim.rule.agrees_at;
  r.sentence = fmt::format(
      "The interquartile range of the activations' mean accuracies is {:.4f} on the MNIST MLP and "
      "{:.4f} on the deep narrow MLP, {:.1f} times as large (95% interval [{:.1f}, {:.1f}] from "
      "resampling each activation's seeds): {} The best - worst column is dominated by the "
      "activations that fail outright in a setting.",
      ratio.denominator_iqr, ratio.numerator_iqr, ratio.estimate, ratio.ci.low, ratio.ci.high,
      r.verdict == Verdict::kInconclusive ? "the runs cannot decide whether depth widens them."
      : r.verdict == Verdict::kAgrees || (r.verdict == Verdict::kPartly && widens)
          ? "depth widens the differences between activations."
      : r.verdict == Verdict::kPartly ? "depth widens the differences, but less than twofold."
                                      : "depth does not widen the differences here.");
  return {r};
}

}  // namespace actbench::study
