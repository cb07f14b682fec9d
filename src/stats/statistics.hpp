// Statistics for result tables, as pure functions over numbers (no LibTorch): what a reviewer asks
// of a comparison across seeds. Per group: mean, sample std, Student-t interval of the mean,
// median, min/max. Against a baseline: Welch's t-test and interval, Holm-adjusted p-values, Hedges'
// g, and the probability of improvement P(X > Y) with a seeded bootstrap interval. Across settings:
// the interquartile mean with a stratified bootstrap interval (as rliable does) and performance
// profiles. Student t quantiles and CDFs come from Boost.Math. The tests compare every function
// with values computed independently with SciPy (tests/stats/make_fixtures.py).
#pragma once

#include <cstdint>
#include <vector>

namespace actbench::stats {

// A two-sided interval; NaN ends when it is undefined (e.g. one value only).
struct Interval {
  double low = 0.0, high = 0.0;
};

struct Summary {
  int64_t n = 0;
  double mean = 0.0;
  double std = 0.0;  // sample standard deviation (n - 1); 0 for n = 1
  Interval ci;       // Student-t interval of the mean at the requested level; NaN for n < 2
  double median = 0.0, min = 0.0, max = 0.0;
};
// `values` must be non-empty.
Summary summarize(const std::vector<double>& values, double confidence = 0.95);

// Quantile with linear interpolation between order statistics (NumPy's default, Hyndman-Fan 7).
double quantile(std::vector<double> values, double q);

// The Student t quantile (inverse CDF) for `degrees_of_freedom` > 0.
double student_t_quantile(double degrees_of_freedom, double probability);

struct WelchTest {
  double difference = 0.0;  // mean(x) - mean(y)
  Interval ci;              // of the difference, Welch-Satterthwaite degrees of freedom
  double t = 0.0, degrees_of_freedom = 0.0;
  double p = 0.0;  // two-sided; NaN where undefined (n < 2 in a group, or both variances zero)
};
WelchTest welch_test(const std::vector<double>& x, const std::vector<double>& y,
                     double confidence = 0.95);

// Hedges' g: Cohen's d with the pooled sample std, times the exact small-sample correction
// Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)), m = nx + ny - 2. NaN where the pooled std is zero.
double hedges_g(const std::vector<double>& x, const std::vector<double>& y);

// Mann-Whitney U of x: pairs with x > y, ties counting one half (SciPy's statistic).
double mann_whitney_u(const std::vector<double>& x, const std::vector<double>& y);

// P(X > Y) = U / (nx ny), with a percentile bootstrap interval: x and y resampled independently
// with replacement, `resamples` times, from a generator seeded with `seed`.
struct ProbabilityOfImprovement {
  double estimate = 0.0;
  Interval ci;
};
ProbabilityOfImprovement probability_of_improvement(const std::vector<double>& x,
                                                    const std::vector<double>& y, int resamples,
                                                    uint64_t seed, double confidence = 0.95);

// Holm's step-down adjustment of a family of p-values, returned in the input order (NaN entries
// stay NaN and do not count towards the family's size).
std::vector<double> holm_adjust(const std::vector<double>& p);

// Interquartile mean: the mean of the values left after cutting floor(n / 4) from each end
// (scipy.stats.trim_mean(x, 0.25), which rliable uses).
double interquartile_mean(std::vector<double> values);

// The IQM of the pooled runs of several settings, with a stratified percentile bootstrap interval:
// each resample draws, within every setting, as many runs as it has, with replacement.
struct Aggregate {
  double iqm = 0.0;
  Interval ci;
};
Aggregate stratified_bootstrap_iqm(const std::vector<std::vector<double>>& runs_per_setting,
                                   int resamples, uint64_t seed, double confidence = 0.95);

// Intervals for the quantities a study's claim measures (study/claims.hpp decides from them).

// Wilson score interval of a share `successes` / `trials`; [0, 1] when there are no trials.
Interval wilson_interval(int64_t successes, int64_t trials, double confidence = 0.95);

// Student-t interval of the mean of `values`; NaN ends for fewer than two values.
Interval mean_interval(const std::vector<double>& values, double confidence = 0.95);

// Percentile bootstrap interval of the median of `values` (resampled with replacement from a
// generator seeded with `seed`); robust where one outlier drives the mean.
Interval median_bootstrap_interval(const std::vector<double>& values, int resamples, uint64_t seed,
                                   double confidence = 0.95);

// The ratio of two shares (k1 / n1) / (k2 / n2) with Katz's log interval; a zero count gets the
// usual 0.5 correction in the interval only. NaN when either share is undefined.
struct Ratio {
  double estimate = 0.0;
  Interval ci;
};
Ratio risk_ratio(int64_t k1, int64_t n1, int64_t k2, int64_t n2, double confidence = 0.95);

// The difference of two shares k1/n1 - k2/n2 with Newcombe's hybrid score interval (method 10),
// built from the two Wilson intervals.
struct Difference {
  double estimate = 0.0;
  Interval ci;
};
Difference share_difference(int64_t k1, int64_t n1, int64_t k2, int64_t n2,
                            double confidence = 0.95);

// The share of `values` strictly above each threshold (a performance profile).
std::vector<double> performance_profile(const std::vector<double>& values,
                                        const std::vector<double>& thresholds);

}  // namespace actbench::stats
