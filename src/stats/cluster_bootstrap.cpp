// Percentile bootstrap of a pooled share over clusters (see cluster_bootstrap.hpp).
#include "stats/cluster_bootstrap.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace actbench::stats {

PooledShare pooled_share_cluster_bootstrap(const std::vector<ClusterCount>& clusters, int resamples,
                                           uint64_t seed, double confidence) {
  PooledShare out;
  const double nan = std::nan("");
  int64_t k = 0, n = 0;
  for (const auto& c : clusters) k += c.successes, n += c.trials;
  out.estimate = n > 0 ? static_cast<double>(k) / static_cast<double>(n) : nan;
  out.ci = {nan, nan};
  if (n == 0 || clusters.size() < 2 || resamples < 1) return out;
  std::mt19937_64 generator(seed);
  std::uniform_int_distribution<size_t> pick(0, clusters.size() - 1);
  std::vector<double> shares;
  shares.reserve(static_cast<size_t>(resamples));
  for (int r = 0; r < resamples; ++r) {
    int64_t rk = 0, rn = 0;
    for (size_t i = 0; i < clusters.size(); ++i) {
      const ClusterCount& c = clusters[pick(generator)];
      rk += c.successes, rn += c.trials;
    }
    // A resample of clusters without trials says nothing: it is left out.
    if (rn > 0) shares.push_back(static_cast<double>(rk) / static_cast<double>(rn));
  }
  if (shares.empty()) return out;
  const double tail = (1.0 - confidence) / 2.0;
  out.ci = {quantile(shares, tail), quantile(shares, 1.0 - tail)};
  return out;
}

}  // namespace actbench::stats
