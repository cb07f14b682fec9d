// The activation search's claims as data and their verdicts from the final round (see
// activation_search.hpp): both are differences of mean test accuracy with Welch 95% intervals,
// inconclusive when the baseline did not train or a member has fewer than two completed seeds.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "stats/statistics.hpp"
#include "study/activation_search.hpp"

namespace actbench::study {

namespace activation_search_decide_internal {

constexpr const char* kSearchSource = "Ramachandran, Zoph and Le 2017";
// The paper searched with an RNN controller and child networks on CIFAR-10, then evaluated on
// ImageNet and translation; this study enumerates a space on a small proxy.
constexpr const char* kSearchConfiguration =
    "the paper searched with a reinforcement-learning controller, child ResNets on CIFAR-10 and a "
    "trainable beta; this study enumerates (or samples) the same kind of space with beta fixed, "
    "on a small MLP proxy";

double search_mean(const std::vector<double>& v) {
  if (v.empty()) return std::nan("");
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

// The member with the best mean among those `eligible` accepts; size() when none has a seed.
template <typename Eligible>
size_t best_member(const FinalSetting& s, Eligible eligible) {
  size_t best = s.members.size();
  double best_mean = -1.0;
  for (size_t i = 0; i < s.members.size(); ++i) {
    if (!eligible(s.members[i]) || s.members[i].accuracies.empty()) continue;
    const double m = search_mean(s.members[i].accuracies);
    if (m > best_mean) best_mean = m, best = i;
  }
  return best;
}

const FinalMember* member_named(const FinalSetting& s, const std::string& name) {
  for (const auto& m : s.members)
    if (m.name == name) return &m;
  return nullptr;
}

// Why a setting cannot decide: relu missing or untrained.
std::string cannot_decide(const FinalSetting& s) {
  const FinalMember* relu = member_named(s, "relu");
  if (relu == nullptr) return s.title + " has no relu baseline to tell whether the runs trained";
  if (relu->accuracies.size() < 2)
    return fmt::format("{}: relu has {} completed seeds, fewer than the two an interval needs",
                       s.title, relu->accuracies.size());
  const double mean = search_mean(relu->accuracies);
  if (mean < kSearchTrainedFactor * s.chance)
    return fmt::format("{} did not train: relu's mean test accuracy {:.3f} is below {:g} x chance",
                       s.title, mean, kSearchTrainedFactor);
  return "";
}

}  // namespace activation_search_decide_internal
using namespace activation_search_decide_internal;

std::vector<ClaimResult> decide_search(const SearchFinal& f) {
  static const Claim kSwish{
      "activation_search.swish_like_rank_among_best",
      kSearchSource,
      "Swish-like functions, x * sigmoid(beta x), rank among the best functions the search finds",
      fmt::format("mean test accuracy on the proxy of the final round's best member minus that of "
                  "its best Swish-like member (within {:g} of some x * sigmoid(beta x), beta in "
                  "[{:g}, {:g}], on |x| <= {:g}; silu is one), Welch 95% interval",
                  kSwishLikeTolerance, search::kSwishBetaMin, search::kSwishBetaMax,
                  search::kSwishRange),
      {Rule::Direction::kAtMost, 0.005, 0.02},
      "sec. 4 and table 1 (the top functions found), sec. 5 (Swish)",
      Reading::kPrimary,
      kSearchConfiguration};
  static const Claim kTransfer{
      "activation_search.best_transfer",
      kSearchSource,
      "the best functions found on the search's small task transfer to other settings",
      "mean test accuracy in the second setting of the finalist best on the proxy minus relu's, "
      "Welch 95% interval",
      {Rule::Direction::kAtLeast, 0.0, -0.01},
      "sec. 4 (the top functions evaluated on larger models and tasks)",
      Reading::kPrimary,
      kSearchConfiguration};

  std::vector<ClaimResult> results;

  // ---- Swish-like among the best, on the proxy.
  {
    const FinalSetting& s = f.proxy;
    const size_t best = best_member(s, [](const FinalMember&) { return true; });
    const size_t swish = best_member(s, [](const FinalMember& m) { return m.swish_like; });
    std::string why = cannot_decide(s);
    Measurement measurement;
    std::string best_name = best < s.members.size() ? s.members[best].name : "none";
    std::string swish_name = swish < s.members.size() ? s.members[swish].name : "none";
    if (why.empty() && (best == s.members.size() || swish == s.members.size()))
      why = "no Swish-like member of the final round has a completed seed";
    if (why.empty() && best == swish) {
      measurement = Measurement::exact(0.0, "the best member is itself Swish-like");
    } else if (why.empty()) {
      const auto& x = s.members[best].accuracies;
      const auto& y = s.members[swish].accuracies;
      const stats::WelchTest w = stats::welch_test(x, y);
      if (x.size() < 2 || y.size() < 2 || !std::isfinite(w.ci.low))
        why = "fewer than two completed seeds, or no variance: the difference has no interval";
      else
        measurement =
            Measurement::within(w.difference, w.ci.low, w.ci.high,
                                fmt::format("Welch 95%, {} and {} seeds", x.size(), y.size()));
    }
    if (!why.empty()) measurement = Measurement::undecidable(std::nan(""), why);
    ClaimResult r = decide(kSwish, measurement);
    const double best_mean =
        best < s.members.size() ? search_mean(s.members[best].accuracies) : std::nan("");
    const double swish_mean =
        swish < s.members.size() ? search_mean(s.members[swish].accuracies) : std::nan("");
    r.measured = fmt::format("best {} {:.4f}, best Swish-like {} {:.4f}", best_name, best_mean,
                             swish_name, swish_mean);
    r.sentence = fmt::format(
        "On {}, the final round's best member is {} (mean test accuracy {:.4f}) and its best "
        "Swish-like member {} ({:.4f}){}",
        s.title, best_name, best_mean, swish_name, swish_mean,
        r.verdict == Verdict::kInconclusive
            ? fmt::format(": the runs cannot decide ({}).", r.reason)
        : best == swish ? ": the best function is Swish-like."
                        : fmt::format(", {:.4f} behind (95% interval [{:.4f}, {:.4f}]).", r.value,
                                      r.interval.low, r.interval.high));
    results.push_back(r);
  }

  // ---- The proxy's best finalist in the second setting, against relu.
  {
    std::string why;
    Measurement measurement;
    const size_t top = best_member(f.proxy, [](const FinalMember& m) { return !m.baseline; });
    const std::string top_name = top < f.proxy.members.size() ? f.proxy.members[top].name : "";
    const FinalMember* there = f.has_second ? member_named(f.second, top_name) : nullptr;
    const FinalMember* relu = f.has_second ? member_named(f.second, "relu") : nullptr;
    if (!f.has_second)
      why = "the search has no second setting";
    else if (top_name.empty())
      why = "no finalist has a completed seed on the proxy";
    else
      why = cannot_decide(f.second);
    if (why.empty() && (there == nullptr || there->accuracies.size() < 2))
      why = fmt::format("{} has fewer than two completed seeds in {}", top_name, f.second.title);
    if (why.empty()) {
      const stats::WelchTest w = stats::welch_test(there->accuracies, relu->accuracies);
      if (!std::isfinite(w.ci.low))
        why = "no variance in either arm: the difference has no interval";
      else
        measurement =
            Measurement::within(w.difference, w.ci.low, w.ci.high,
                                fmt::format("Welch 95%, {} and {} seeds", there->accuracies.size(),
                                            relu->accuracies.size()));
    }
    if (!why.empty()) measurement = Measurement::undecidable(std::nan(""), why);
    ClaimResult r = decide(kTransfer, measurement);
    const double top_mean = there ? search_mean(there->accuracies) : std::nan("");
    const double relu_mean = relu ? search_mean(relu->accuracies) : std::nan("");
    r.measured = fmt::format("{} {:.4f} vs relu {:.4f} in {}", top_name.empty() ? "none" : top_name,
                             top_mean, relu_mean, f.has_second ? f.second.title : "-");
    r.sentence =
        r.verdict == Verdict::kInconclusive
            ? fmt::format("Whether the proxy's best finalist {} transfers cannot be decided: {}.",
                          top_name.empty() ? "(none)" : top_name, r.reason)
            : fmt::format(
                  "The proxy's best finalist, {}, reaches {:.4f} in {} against relu's {:.4f}: a "
                  "difference of {:+.4f} (95% interval [{:+.4f}, {:+.4f}]).",
                  top_name, top_mean, f.second.title, relu_mean, r.value, r.interval.low,
                  r.interval.high);
    results.push_back(r);
  }
  return results;
}

}  // namespace actbench::study
