// The selection rule of successive halving (halving.hpp).
#include "search/halving.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace actbench::search {

int64_t kept_count(int64_t n, double keep, int64_t keep_top) {
  if (n <= 0) return 0;
  if (keep_top > 0) return std::min(keep_top, n);
  const auto share = static_cast<int64_t>(std::ceil(keep * static_cast<double>(n) - 1e-9));
  return std::clamp<int64_t>(share, 1, n);
}

double round_score(const std::vector<double>& seed_values, int64_t failed_seeds,
                   double failed_value) {
  const auto n = static_cast<int64_t>(seed_values.size()) + failed_seeds;
  if (n == 0) return std::nan("");
  const double sum = std::accumulate(seed_values.begin(), seed_values.end(), 0.0) +
                     static_cast<double>(failed_seeds) * failed_value;
  return sum / static_cast<double>(n);
}

std::vector<size_t> best_indices(const std::vector<double>& scores, int64_t count) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const bool a_nan = std::isnan(scores[a]), b_nan = std::isnan(scores[b]);
    if (a_nan != b_nan) return b_nan;
    return !a_nan && scores[a] > scores[b];
  });
  order.resize(
      static_cast<size_t>(std::clamp<int64_t>(count, 0, static_cast<int64_t>(order.size()))));
  return order;
}

std::vector<size_t> promote(const std::vector<size_t>& members, const std::vector<double>& scores,
                            const std::vector<bool>& audit_only, double keep, int64_t keep_top) {
  std::vector<size_t> competing;
  std::vector<double> competing_scores;
  for (size_t k = 0; k < members.size(); ++k) {
    if (k < audit_only.size() && audit_only[k]) continue;
    competing.push_back(members[k]);
    competing_scores.push_back(scores[k]);
  }
  std::vector<size_t> kept;
  const int64_t count = kept_count(static_cast<int64_t>(competing.size()), keep, keep_top);
  for (size_t k : best_indices(competing_scores, count)) kept.push_back(competing[k]);
  return kept;
}

int64_t rank_among(double score, const std::vector<double>& scores) {
  int64_t above = 0;
  for (double s : scores) above += s > score ? 1 : 0;
  return 1 + above;
}

}  // namespace actbench::search
