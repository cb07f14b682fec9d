// The vanishing-gradient study's decide layer: Glorot and Bengio's claims as data, each measured
// quantity computed from VanishingMeasurements, and each verdict's sentence generated from the
// numbers. Nothing here trains or reads files.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "stats/statistics.hpp"
#include "study/study_support.hpp"
#include "study/vanishing_gradients.hpp"

namespace actbench::study {
namespace {

const char* const kSource = "Glorot and Bengio 2010";

const Claim kShrinkClaim{
    "vanishing_gradients.standard_shrinks",
    kSource,
    "with the standard init the back-propagated gradient ‖dL/dz‖ shrinks from the top layer to "
    "the bottom (Figures 6-7, tanh)",
    "tanh at init, standard init: ‖dL/dz‖ of the bottom layer over the top layer's",
    {Rule::Direction::kAtMost, 0.5, 0.99},
    "Figures 6-7"};

const Claim kFlatClaim{
    "vanishing_gradients.xavier_flat",
    kSource,
    "with the normalised (Xavier) init ‖dL/dz‖ keeps about the same size across layers "
    "(Figure 7, tanh)",
    "tanh at init, Xavier init: how many-fold ‖dL/dz‖ changes from the top layer to the bottom",
    {Rule::Direction::kAtMost, 2.0, 4.0},
    "Figure 7"};

const Claim kWeightClaim{
    "vanishing_gradients.weight_gradients_flat",
    kSource,
    "the weight gradients ‖dL/dW‖ stay about the same across layers with either init (Figure 8)",
    "tanh at init: the larger (over the two inits) of max / min ‖dL/dW‖ over hidden layers 2-5",
    {Rule::Direction::kAtMost, 1.5, 3.0},
    "Figure 8"};

const Claim kTableClaim{
    "vanishing_gradients.table1_direction",
    kSource,
    "the normalised init moves the MNIST test error of tanh (1.76% to 1.64%) and softsign "
    "(1.64% to 1.72%) the way Table 1 reports",
    "share of tanh and softsign whose test error moves in Table 1's direction",
    {Rule::Direction::kAtLeast, 1.0, 0.5},
    "Table 1, MNIST column"};

const Claim kSigmoidClaim{
    "vanishing_gradients.sigmoid_top_saturates",
    kSource,
    "with sigmoid and the standard init the top hidden layer's activations are pushed towards 0 "
    "early in training (Figure 2)",
    "sigmoid, standard init: lowest mean activation of the top hidden layer during training",
    {Rule::Direction::kAtMost, 0.1, 0.3},
    "Figure 2"};

const Claim kTanhClaim{
    "vanishing_gradients.xavier_less_saturation",
    kSource,
    "with tanh the layers saturate during training, the bottom one first, and the normalised "
    "init avoids it (Figures 3-4)",
    "tanh: the bottom layer's peak saturated share with the Xavier init over the same with the "
    "standard init (ratio of the seeds' geometric means)",
    {Rule::Direction::kAtMost, 0.5, 0.9},
    "Figures 3-4"};

double ratio_bottom_top(const std::vector<double>& values) {
  if (values.size() < 2) return std::nan("");
  return values.front() / values.back();
}

// A quantity computed exactly at initialisation for each seed: its mean with the t 95% interval
// over the seeds (the seeds' networks are the only noise).
Measurement over_seeds(const std::vector<double>& per_seed) {
  const double mean = mean_of(per_seed);
  const stats::Interval t = stats::mean_interval(per_seed);
  return Measurement::within(mean, t.low, t.high,
                             fmt::format("t 95% over {} seeds at init", per_seed.size()));
}

std::vector<double> per_seed(const std::vector<std::vector<double>>& by_seed,
                             double (*of)(const std::vector<double>&)) {
  std::vector<double> out;
  for (const auto& layers : by_seed) out.push_back(of(layers));
  return out;
}

double fold_of(const std::vector<double>& layers) {
  const double r = ratio_bottom_top(layers);
  return std::isnan(r) ? r : std::max(r, 1.0 / r);
}

// max / min over hidden layers 2 .. top: layer 1's input is the image, not a hidden layer.
double spread_of(const std::vector<double>& layers) {
  if (layers.size() < 3) return std::nan("");
  const auto [lo, hi] = std::minmax_element(layers.begin() + 1, layers.end());
  return *hi / *lo;
}

// Why a training arm cannot decide anything: it has no finished run, or its runs did not train.
std::string arm_untrained(const VanishingMeasurements& m, const std::string& activation,
                          const std::string& init) {
  const auto found = m.training.find({activation, init});
  if (found == m.training.end() || found->second.errors.empty())
    return fmt::format("{} with the {} init has no finished run", activation, init);
  const double error = mean_of(found->second.errors);
  if (error >= kTrainedErrorPercent)
    return fmt::format(
        "{} with the {} init did not train: test error {:.1f}% (trained: below {:g}%; chance "
        "90%)",
        activation, init, error, kTrainedErrorPercent);
  return "";
}

}  // namespace

std::vector<ClaimResult> decide_vanishing(const VanishingMeasurements& m) {
  std::vector<ClaimResult> out;
  const std::string standard = m.inits.at(0).label, xavier = m.inits.at(1).label;
  auto at_init = [&](const std::string& activation, const std::string& init) {
    const auto found = m.at_init.find({activation, init});
    return found == m.at_init.end() ? GradientsAtInit{} : found->second;
  };
  const GradientsAtInit tanh_std = at_init("tanh", standard), tanh_xav = at_init("tanh", xavier);
  const double r_std = ratio_bottom_top(tanh_std.backprop);
  const double r_xav = ratio_bottom_top(tanh_xav.backprop);
  {
    const Measurement measured = over_seeds(per_seed(tanh_std.backprop_by_seed, ratio_bottom_top));
    ClaimResult r = decide(kShrinkClaim, measured);
    r.measured = fmt::format("tanh, 5 x {}: bottom/top ‖dL/dz‖ {:.3g}", m.width, measured.value);
    r.sentence = fmt::format(
        "With the standard init the bottom layer's ‖dL/dz‖ is {:.3g} times the top layer's "
        "(mean over seeds; the ratio of the seed-averaged norms is {:.3g}): {}",
        measured.value, r_std,
        r.verdict == Verdict::kAgrees
            ? "the gradient shrinks towards the bottom, as the paper says."
        : r.verdict == Verdict::kPartly ? "it shrinks towards the bottom, but by less than half."
        : r.verdict == Verdict::kDoesNotAgree ? "it does not shrink towards the bottom here."
                                              : "the seeds do not settle how much it shrinks.");
    out.push_back(r);
  }
  {
    const Measurement measured = over_seeds(per_seed(tanh_xav.backprop_by_seed, fold_of));
    ClaimResult r = decide(kFlatClaim, measured);
    r.measured = fmt::format("Xavier: bottom/top {:.3g} ({:.2f}-fold), standard {:.3g}", r_xav,
                             measured.value, r_std);
    r.sentence = fmt::format(
        "With the Xavier init the bottom layer's ‖dL/dz‖ is {:.3g} times the top layer's, a "
        "{:.2f}-fold change (mean over seeds) against {:.1f}-fold with the standard init. {}",
        r_xav, measured.value, 1.0 / r_std,
        r.verdict == Verdict::kAgrees
            ? "It stays within a factor 2 across layers, as the paper's Figure 7 shows."
            : "It is flatter than with the standard init but not flat as in the paper's Figure 7: "
              "each layer down multiplies the gradient's variance by about n Var(W) E[f'(z)^2], "
              "and Xavier makes n Var(W) = 1 while E[tanh'(z)^2] < 1.");
    out.push_back(r);
  }
  {
    const std::vector<double> s_std = per_seed(tanh_std.weight_grad_by_seed, spread_of);
    const std::vector<double> s_xav = per_seed(tanh_xav.weight_grad_by_seed, spread_of);
    std::vector<double> worst;
    for (size_t i = 0; i < s_std.size() && i < s_xav.size(); ++i)
      worst.push_back(std::max(s_std[i], s_xav[i]));
    const Measurement measured = over_seeds(worst);
    ClaimResult r = decide(kWeightClaim, measured);
    r.measured = fmt::format(
        "‖dL/dW‖ max/min over layers 2-5: {:.2f} (standard), {:.2f} (Xavier), mean over seeds",
        mean_of(s_std), mean_of(s_xav));
    r.sentence = fmt::format(
        "Over hidden layers 2-5 the largest ‖dL/dW‖ is {:.2f} times the smallest with the "
        "standard init and {:.2f} times with Xavier (means over seeds); layer 1's is {:.2f} and "
        "{:.2f} times the top layer's (its input, the image, has more energy than a hidden "
        "layer's). {}",
        mean_of(s_std), mean_of(s_xav), ratio_bottom_top(tanh_std.weight_grad),
        ratio_bottom_top(tanh_xav.weight_grad),
        r.verdict == Verdict::kAgrees ? "The weight gradients are nearly constant across layers."
        : r.verdict == Verdict::kInconclusive
            ? "The seeds do not settle how far they vary."
            : "The weight gradients vary across layers more than the paper's Figure 8 shows.");
    out.push_back(r);
  }
  {
    // Per activation, Welch's interval of (Xavier - standard) test error: it decides the
    // direction when it excludes 0. The share's interval runs from the activations whose
    // direction is certainly Table 1's to those where it may be.
    int sure = 0, possible = 0, compared = 0, agreeing = 0;
    std::vector<std::string> parts, why;
    for (const char* activation : {"tanh", "softsign"}) {
      for (const std::string& init : {standard, xavier}) {
        const std::string reason = arm_untrained(m, activation, init);
        if (!reason.empty()) why.push_back(reason);
      }
      const auto s = m.training.find({activation, standard});
      const auto x = m.training.find({activation, xavier});
      if (s == m.training.end() || x == m.training.end()) continue;
      const double ours_std = mean_of(s->second.errors), ours_xav = mean_of(x->second.errors);
      if (std::isnan(ours_std) || std::isnan(ours_xav)) continue;
      const double paper_std = glorot_table1_error(activation, false);
      const double paper_xav = glorot_table1_error(activation, true);
      const double paper_sign = paper_xav < paper_std ? -1.0 : 1.0;
      const stats::WelchTest welch = stats::welch_test(x->second.errors, s->second.errors);
      const bool has_interval = std::isfinite(welch.ci.low) && std::isfinite(welch.ci.high);
      const double lo = paper_sign * (paper_sign < 0 ? welch.ci.high : welch.ci.low);
      const double hi = paper_sign * (paper_sign < 0 ? welch.ci.low : welch.ci.high);
      // lo..hi: the change in Table 1's direction (positive: the same way).
      const bool surely_same = has_interval && lo > 0;
      const bool surely_opposite = has_interval && hi < 0;
      ++compared;
      sure += surely_same ? 1 : 0;
      possible += surely_opposite ? 0 : 1;
      const bool same = (ours_xav < ours_std) == (paper_xav < paper_std);
      agreeing += same ? 1 : 0;
      parts.push_back(fmt::format(
          "{} {:.2f}% → {:.2f}% (paper {:.2f}% → {:.2f}%, {}; Welch 95% of the change {})",
          activation, ours_std, ours_xav, paper_std, paper_xav,
          same ? "the same direction" : "the opposite direction",
          has_interval ? fmt::format("[{:+.2f}, {:+.2f}]", welch.ci.low, welch.ci.high)
                       : std::string("none: one seed")));
    }
    Measurement measured;
    const double point = compared == 0 ? std::nan("") : static_cast<double>(agreeing) / compared;
    if (compared == 0) {
      measured = Measurement::undecidable(point, "no finished runs");
    } else if (!why.empty()) {
      measured = Measurement::undecidable(point, fmt::format("{}", fmt::join(why, "; ")));
    } else {
      measured = Measurement::within(
          point, static_cast<double>(sure) / compared, static_cast<double>(possible) / compared,
          "activations whose Welch 95% interval of the change lies on Table 1's side, to those "
          "where it may");
    }
    ClaimResult r = decide(kTableClaim, measured);
    r.measured = fmt::format("standard → Xavier test error: {}", fmt::join(parts, "; "));
    r.sentence = fmt::format(
        "Test error with the standard init → with Xavier: {}. Our errors come from far shorter "
        "training than the paper's, so they are higher; the direction is the comparable part.",
        parts.empty() ? std::string("no finished runs")
                      : fmt::format("{}", fmt::join(parts, "; ")));
    out.push_back(r);
  }
  {
    double first = std::nan(""), lowest = std::nan("");
    int64_t lowest_step = 0, last_step = 0;
    std::string top;
    const auto found = m.post_mean.find({"sigmoid", standard});
    if (found != m.post_mean.end() && !found->second.empty()) {
      top = found->second.rbegin()->first;  // layers sort as fc1 .. fc5
      const auto& steps = found->second.rbegin()->second;
      first = mean_of(steps.begin()->second);
      lowest = first;
      lowest_step = steps.begin()->first;
      last_step = steps.rbegin()->first;
      for (const auto& [step, values] : steps)
        if (mean_of(values) < lowest) {
          lowest = mean_of(values);
          lowest_step = step;
        }
    }
    const auto sig = m.training.find({"sigmoid", standard});
    const double error = sig == m.training.end() ? std::nan("") : mean_of(sig->second.errors);
    // Each run's top-layer mean at the step where the seeds' mean is lowest.
    std::vector<double> at_lowest;
    const auto runs = m.post_mean_runs.find({"sigmoid", standard});
    if (runs != m.post_mean_runs.end())
      for (const auto& [run, layers] : runs->second) {
        const auto layer = layers.find(top);
        if (layer == layers.end()) continue;
        const auto value = layer->second.find(lowest_step);
        if (value != layer->second.end() && std::isfinite(value->second))
          at_lowest.push_back(value->second);
      }
    Measurement measured;
    const std::string not_trained = arm_untrained(m, "sigmoid", standard);
    if (std::isnan(lowest)) {
      measured = Measurement::undecidable(lowest, "the top layer's activations were not recorded");
    } else if (!not_trained.empty()) {
      measured = Measurement::undecidable(lowest, not_trained);
    } else if (lowest_step == last_step && lowest < first) {
      measured = Measurement::undecidable(
          lowest, fmt::format("the mean is still falling at the last record (step {})", last_step));
    } else {
      const stats::Interval t = stats::mean_interval(at_lowest);
      measured = Measurement::within(lowest, t.low, t.high,
                                     fmt::format("t 95% over {} seeds", at_lowest.size()));
    }
    ClaimResult r = decide(kSigmoidClaim, measured);
    r.measured = fmt::format("top layer's mean activation {:.3f} at init, lowest {:.3f} (step {})",
                             first, lowest, lowest_step);
    r.sentence = fmt::format(
        "Sigmoid with the standard init ends at {:.1f}% test error; its top layer ({}) has mean "
        "activation {:.3f} at initialisation and at lowest {:.3f} (step {} of {}): {}",
        error, top, first, lowest, lowest_step, last_step,
        r.verdict == Verdict::kAgrees ? "pushed towards 0, as in the paper's Figure 2."
        : r.verdict == Verdict::kInconclusive
            ? "this run cannot say whether training pushes it to 0 (" + r.reason + ")."
            : "it drifts, but is not pushed to 0 within this training budget.");
    out.push_back(r);
  }
  {
    // Each run's peak saturated share of the bottom layer; the arms compared on the log scale
    // (Welch's interval of the mean log peak, back-transformed: a ratio of geometric means).
    auto bottom_peaks = [&](const std::string& init) {
      std::vector<double> peaks;
      const auto found = m.saturated_runs.find({"tanh", init});
      if (found == m.saturated_runs.end()) return peaks;
      for (const auto& [run, layers] : found->second) {
        if (layers.empty()) continue;
        double peak = 0.0;
        for (const auto& [step, value] : layers.begin()->second)
          if (std::isfinite(value)) peak = std::max(peak, value);
        peaks.push_back(peak);
      }
      return peaks;
    };
    auto bottom_peak = [&](const std::string& init) {
      const auto found = m.saturated.find({"tanh", init});
      if (found == m.saturated.end() || found->second.empty()) return std::nan("");
      double peak = 0;
      for (const auto& [step, values] : found->second.begin()->second)
        peak = std::max(peak, mean_of(values));
      return peak;
    };
    int saturating = 0;
    const auto found = m.saturated.find({"tanh", standard});
    if (found != m.saturated.end()) {
      for (const auto& [layer, steps] : found->second) {
        double peak = 0;
        for (const auto& [step, values] : steps) peak = std::max(peak, mean_of(values));
        saturating += peak > 0.05 ? 1 : 0;
      }
    }
    const double p_std = bottom_peak(standard), p_xav = bottom_peak(xavier);
    const double ratio = p_std > 0 ? p_xav / p_std : std::nan("");
    std::vector<double> log_std, log_xav;
    for (double p : bottom_peaks(standard))
      if (p > 0) log_std.push_back(std::log(p));
    for (double p : bottom_peaks(xavier))
      if (p > 0) log_xav.push_back(std::log(p));
    std::vector<std::string> why;
    for (const std::string& init : {standard, xavier}) {
      const std::string reason = arm_untrained(m, "tanh", init);
      if (!reason.empty()) why.push_back(reason);
    }
    Measurement measured;
    if (!why.empty()) {
      measured = Measurement::undecidable(ratio, fmt::format("{}", fmt::join(why, "; ")));
    } else {
      const stats::WelchTest welch = stats::welch_test(log_xav, log_std);
      measured = Measurement::within(
          std::exp(mean_of(log_xav) - mean_of(log_std)), std::exp(welch.ci.low),
          std::exp(welch.ci.high),
          fmt::format("Welch 95% on log peaks over {} and {} seeds, back-transformed",
                      log_xav.size(), log_std.size()));
    }
    ClaimResult r = decide(kTanhClaim, measured);
    r.measured = fmt::format(
        "bottom layer's peak saturated share {} (standard) vs {} (Xavier); {} "
        "of 5 layers above 5% with the standard init",
        fixed(p_std, 3), fixed(p_xav, 3), saturating);
    r.sentence = fmt::format(
        "With tanh and the standard init {} of the 5 layers saturate beyond 5% at some point "
        "(saturated: |f'(z)| below 5% of its maximum); the bottom layer peaks at {:.1f}% with the "
        "standard init and {:.1f}% with Xavier: {}",
        saturating, 100 * p_std, 100 * p_xav,
        r.verdict == Verdict::kAgrees         ? "the normalised init avoids most of it."
        : r.verdict == Verdict::kPartly       ? "the normalised init reduces it a little."
        : r.verdict == Verdict::kDoesNotAgree ? "the normalised init does not prevent it here."
                                              : "the seeds do not settle whether the normalised "
                                                "init reduces it.");
    out.push_back(r);
  }
  return out;
}

}  // namespace actbench::study
