// A pooled share k/n whose units come in clusters (the dead units of one training run), with a
// percentile bootstrap over clusters: units of one cluster are not independent, so a Wilson
// interval over units would be too narrow; resampling whole clusters keeps their correlation.
#pragma once

#include <cstdint>
#include <vector>

#include "stats/statistics.hpp"

namespace actbench::stats {

struct ClusterCount {
  int64_t successes = 0, trials = 0;
};

// sum(successes) / sum(trials), and its percentile bootstrap interval from `resamples` resamples
// of the clusters with replacement (a generator seeded with `seed`). NaN when no cluster has a
// trial; the interval is NaN for fewer than two clusters.
struct PooledShare {
  double estimate = 0.0;
  Interval ci;
};
PooledShare pooled_share_cluster_bootstrap(const std::vector<ClusterCount>& clusters, int resamples,
                                           uint64_t seed, double confidence = 0.95);

}  // namespace actbench::stats
