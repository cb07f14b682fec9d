// The vanishing-gradient study's decide layer: Glorot and Bengio's claims as data, each measured
// quantity computed from VanishingMeasurements, and each verdict's sentence generated from the
// numbers. Nothing here trains or reads files.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

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
    {Rule::Direction::kAtMost, 0.5, 0.99}};

const Claim kFlatClaim{
    "vanishing_gradients.xavier_flat",
    kSource,
    "with the normalised (Xavier) init ‖dL/dz‖ keeps about the same size across layers "
    "(Figure 7, tanh)",
    "tanh at init, Xavier init: how many-fold ‖dL/dz‖ changes from the top layer to the bottom",
    {Rule::Direction::kAtMost, 2.0, 4.0}};

const Claim kWeightClaim{
    "vanishing_gradients.weight_gradients_flat",
    kSource,
    "the weight gradients ‖dL/dW‖ stay about the same across layers with either init (Figure 8)",
    "tanh at init: the larger (over the two inits) of max / min ‖dL/dW‖ over hidden layers 2-5",
    {Rule::Direction::kAtMost, 1.5, 3.0}};

const Claim kTableClaim{
    "vanishing_gradients.table1_direction",
    kSource,
    "the normalised init moves the MNIST test error of tanh (1.76% to 1.64%) and softsign "
    "(1.64% to 1.72%) the way Table 1 reports",
    "share of tanh and softsign whose test error moves in Table 1's direction",
    {Rule::Direction::kAtLeast, 1.0, 0.5}};

const Claim kSigmoidClaim{
    "vanishing_gradients.sigmoid_top_saturates",
    kSource,
    "with sigmoid and the standard init the top hidden layer's activations are pushed towards 0 "
    "early in training (Figure 2)",
    "sigmoid, standard init: lowest mean activation of the top hidden layer during training",
    {Rule::Direction::kAtMost, 0.1, 0.3}};

const Claim kTanhClaim{
    "vanishing_gradients.xavier_less_saturation",
    kSource,
    "with tanh the layers saturate during training, the bottom one first, and the normalised "
    "init avoids it (Figures 3-4)",
    "tanh: the bottom layer's peak saturated share with the Xavier init over the same with the "
    "standard init",
    {Rule::Direction::kAtMost, 0.5, 0.9}};

double ratio_bottom_top(const std::vector<double>& values) {
  if (values.size() < 2) return std::nan("");
  return values.front() / values.back();
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
    ClaimResult r = decide(kShrinkClaim, r_std);
    r.measured = fmt::format("tanh, 5 x {}: bottom/top ‖dL/dz‖ {:.3g}", m.width, r_std);
    r.sentence = fmt::format(
        "With the standard init the bottom layer's ‖dL/dz‖ is {:.3g} times the top layer's: {}",
        r_std,
        r.verdict == Verdict::kAgrees
            ? "the gradient shrinks towards the bottom, as the paper says."
        : r.verdict == Verdict::kPartly ? "it shrinks towards the bottom, but by less than half."
                                        : "it does not shrink towards the bottom here.");
    out.push_back(r);
  }
  {
    const double fold = std::isnan(r_xav) ? r_xav : std::max(r_xav, 1.0 / r_xav);
    ClaimResult r = decide(kFlatClaim, fold);
    r.measured =
        fmt::format("Xavier: bottom/top {:.3g} ({:.2f}-fold), standard {:.3g}", r_xav, fold, r_std);
    r.sentence = fmt::format(
        "With the Xavier init the bottom layer's ‖dL/dz‖ is {:.3g} times the top layer's, a "
        "{:.2f}-fold change against {:.1f}-fold with the standard init. {}",
        r_xav, fold, 1.0 / r_std,
        r.verdict == Verdict::kAgrees
            ? "It stays within a factor 2 across layers, as the paper's Figure 7 shows."
            : "It is flatter than with the standard init but not flat as in the paper's Figure 7: "
              "each layer down multiplies the gradient's variance by about n Var(W) E[f'(z)^2], "
              "and Xavier makes n Var(W) = 1 while E[tanh'(z)^2] < 1.");
    out.push_back(r);
  }
  {
    auto spread = [](const std::vector<double>& w) {
      if (w.size() < 3) return std::nan("");
      const auto [lo, hi] = std::minmax_element(w.begin() + 1, w.end());
      return *hi / *lo;
    };
    const double s_std = spread(tanh_std.weight_grad), s_xav = spread(tanh_xav.weight_grad);
    const double worst = std::max(s_std, s_xav);
    ClaimResult r = decide(kWeightClaim, worst);
    r.measured = fmt::format("‖dL/dW‖ max/min over layers 2-5: {:.2f} (standard), {:.2f} (Xavier)",
                             s_std, s_xav);
    r.sentence = fmt::format(
        "Over hidden layers 2-5 the largest ‖dL/dW‖ is {:.2f} times the smallest with the "
        "standard init and {:.2f} times with Xavier; layer 1's is {:.2f} and {:.2f} times the top "
        "layer's (its input, the image, has more energy than a hidden layer's). {}",
        s_std, s_xav, ratio_bottom_top(tanh_std.weight_grad),
        ratio_bottom_top(tanh_xav.weight_grad),
        r.verdict == Verdict::kAgrees ? "The weight gradients are nearly constant across layers."
                                      : "The weight gradients vary across layers more than the "
                                        "paper's Figure 8 shows.");
    out.push_back(r);
  }
  {
    int agreeing = 0, compared = 0;
    std::vector<std::string> parts;
    for (const char* activation : {"tanh", "softsign"}) {
      const auto s = m.training.find({activation, standard});
      const auto x = m.training.find({activation, xavier});
      if (s == m.training.end() || x == m.training.end()) continue;
      const double ours_std = mean_of(s->second.errors), ours_xav = mean_of(x->second.errors);
      if (std::isnan(ours_std) || std::isnan(ours_xav)) continue;
      const double paper_std = glorot_table1_error(activation, false);
      const double paper_xav = glorot_table1_error(activation, true);
      const bool same = (ours_xav < ours_std) == (paper_xav < paper_std);
      ++compared;
      agreeing += same ? 1 : 0;
      parts.push_back(fmt::format("{} {:.2f}% → {:.2f}% (paper {:.2f}% → {:.2f}%, {})", activation,
                                  ours_std, ours_xav, paper_std, paper_xav,
                                  same ? "the same direction" : "the opposite direction"));
    }
    ClaimResult r = decide(kTableClaim,
                           compared == 0 ? std::nan("") : static_cast<double>(agreeing) / compared);
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
    int64_t lowest_step = 0;
    std::string top;
    const auto found = m.post_mean.find({"sigmoid", standard});
    if (found != m.post_mean.end() && !found->second.empty()) {
      top = found->second.rbegin()->first;  // layers sort as fc1 .. fc5
      const auto& steps = found->second.rbegin()->second;
      first = mean_of(steps.begin()->second);
      lowest = first;
      for (const auto& [step, values] : steps)
        if (mean_of(values) < lowest) {
          lowest = mean_of(values);
          lowest_step = step;
        }
    }
    const auto sig = m.training.find({"sigmoid", standard});
    const double error = sig == m.training.end() ? std::nan("") : mean_of(sig->second.errors);
    ClaimResult r = decide(kSigmoidClaim, lowest);
    r.measured = fmt::format("top layer's mean activation {:.3f} at init, lowest {:.3f} (step {})",
                             first, lowest, lowest_step);
    r.sentence = fmt::format(
        "Sigmoid with the standard init ends at {:.1f}% test error; its top layer ({}) has mean "
        "activation {:.3f} at initialisation and at lowest {:.3f} (step {}): {}",
        error, top, first, lowest, lowest_step,
        r.verdict == Verdict::kAgrees
            ? "pushed towards 0, as in the paper's Figure 2."
            : "it drifts, but is not pushed to 0 within this training budget.");
    out.push_back(r);
  }
  {
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
    ClaimResult r = decide(kTanhClaim, p_std > 0 ? p_xav / p_std : std::nan(""));
    r.measured = fmt::format(
        "bottom layer's peak saturated share {} (standard) vs {} (Xavier); {} "
        "of 5 layers above 5% with the standard init",
        fixed(p_std, 3), fixed(p_xav, 3), saturating);
    r.sentence = fmt::format(
        "With tanh and the standard init {} of the 5 layers saturate beyond 5% at some point "
        "(saturated: |f'(z)| below 5% of its maximum); the bottom layer peaks at {:.1f}% with the "
        "standard init and {:.1f}% with Xavier: {}",
        saturating, 100 * p_std, 100 * p_xav,
        r.verdict == Verdict::kAgrees   ? "the normalised init avoids most of it."
        : r.verdict == Verdict::kPartly ? "the normalised init reduces it a little."
                                        : "the normalised init does not prevent it here.");
    out.push_back(r);
  }
  return out;
}

}  // namespace actbench::study
