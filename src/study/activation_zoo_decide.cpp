// The activation zoo's claims as data and their verdicts from the measured accuracies (see
// activation_zoo.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "study/activation_zoo.hpp"

namespace actbench::study {

double zoo_quantile(std::vector<double> v, double q) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const double position = q * static_cast<double>(v.size() - 1);
  const auto below = static_cast<size_t>(position);
  const size_t above = std::min(below + 1, v.size() - 1);
  return v[below] + (position - static_cast<double>(below)) * (v[above] - v[below]);
}

std::vector<ClaimResult> decide_zoo(const std::map<std::string, std::vector<double>>& means) {
  static const Claim kDepthClaim{
      "activation_zoo.depth_widens",
      "common claim (e.g. Klambauer et al. 2017, deep MLPs)",
      "the choice of activation matters little in a shallow network and much in a deep one",
      "interquartile range of the activations' mean test accuracies on the deep narrow MLP "
      "(20 x 64) over the same on the MNIST MLP (2 x 256)",
      {Rule::Direction::kAtLeast, 2.0, 1.2}};
  auto iqr = [&](const std::string& key) {
    const auto found = means.find(key);
    if (found == means.end()) return std::nan("");
    return zoo_quantile(found->second, 0.75) - zoo_quantile(found->second, 0.25);
  };
  const double shallow = iqr("mnist"), deep = iqr("deep_narrow");
  ClaimResult r = decide(kDepthClaim, shallow > 0 ? deep / shallow : std::nan(""));
  r.measured = fmt::format(
      "interquartile range of mean accuracy {:.4f} (MNIST MLP) vs {:.4f} "
      "(deep narrow MLP), {:.1f}x",
      shallow, deep, r.value);
  r.sentence = fmt::format(
      "The interquartile range of the activations' mean accuracies is {:.4f} on the MNIST MLP and "
      "{:.4f} on the deep narrow MLP, {:.1f} times as large: {} The best - worst column is "
      "dominated by the activations that fail outright in a setting.",
      shallow, deep, r.value,
      r.verdict == Verdict::kAgrees   ? "depth widens the differences between activations."
      : r.verdict == Verdict::kPartly ? "depth widens the differences, but less than twofold."
                                      : "depth does not widen the differences here.");
  return {r};
}

}  // namespace actbench::study
