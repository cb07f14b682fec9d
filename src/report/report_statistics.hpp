// The statistics a sweep report's tables show (numbers from src/stats/): per group the Student-t
// interval of the mean of the report's metric (test accuracy, test MSE, ...) over seeds, its
// comparison with a baseline group (Welch interval and test, Holm-adjusted p-values, Hedges' g,
// P(X > Y) with a bootstrap interval) and which groups are not significantly worse than the best.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "stats/statistics.hpp"

namespace actbench::report {

struct StatisticsOptions {
  // --baseline KEY=VALUE: each group is compared with the group that has VALUE for KEY (when
  // several have, with the one that also shares the other group-by keys' values). Empty: no
  // baseline columns.
  std::string baseline_key, baseline_value;
  SourceLocation baseline_where = SourceLocation::cli_arg(0);  // for errors: where it was given
  int resamples = 10000;                                       // bootstrap resamples for P(X > Y)
  uint64_t seed = 0;                                           // of the bootstrap's generator
  double confidence = 0.95;
  double alpha = 0.05;  // the significance level for "not significantly different from the best"
};

struct Comparison {
  size_t baseline = 0;  // index of the baseline group in Report::groups
  stats::WelchTest welch;
  double p_holm = 0.0;  // Holm-adjusted across every group's comparison with its baseline
  double hedges_g = 0.0;
  // P(a seed of the group beats one of the baseline): X > Y, or X < Y where lower is better.
  stats::ProbabilityOfImprovement improvement;
};

struct GroupStatistics {
  std::optional<stats::Summary> summary;      // of the metric; none without a value
  std::optional<Comparison> versus_baseline;  // none for a baseline group, or without --baseline
  // "best" (best mean: highest, or lowest for a metric where lower is better), "n.s." (not
  // significantly different from it), "lower" or "higher" (significantly worse, in the metric's
  // direction) or "-" (the test is undefined: fewer than 2 seeds, or no variance).
  std::string versus_best = "-";
  double p_versus_best = 0.0;  // Holm-adjusted, NaN when undefined
};

struct ReportStatistics {
  StatisticsOptions options;
  std::vector<GroupStatistics> groups;  // parallel to Report::groups
  size_t comparisons = 0;               // the size of the Holm family
};

}  // namespace actbench::report
