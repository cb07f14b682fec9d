// Intervals for the spread of a family of arms (the activation zoo's activations) and for the
// comparisons a study makes against one baseline arm: pure functions over numbers, as
// statistics.hpp, which the activation-zoo and SIREN studies decide from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "stats/statistics.hpp"

namespace actbench::stats {

// Interquartile range (Hyndman-Fan 7 quartiles) of `values`; NaN for none.
double interquartile_range(const std::vector<double>& values);

// The IQR of the arms' means with its stratified percentile bootstrap interval (each arm's seeds
// redrawn with replacement); NaN for no arm.
struct Spread {
  double estimate = 0.0;
  Interval ci;
};
Spread interquartile_range_of_means(const std::vector<std::vector<double>>& arms, int resamples,
                                    uint64_t seed, double confidence = 0.95);

// The ratio IQR(arm means of `numerator`) / IQR(arm means of `denominator`), where each setting
// holds, per arm, the values of its seeds. Its interval is a stratified percentile bootstrap: each
// resample redraws, within every arm of both settings, as many seeds as it has, with replacement,
// and recomputes the arms' means, the two IQRs and their ratio. Arms without values are left
// out. NaN estimate (and ends) when either setting has no arm or the denominator's IQR is zero.
struct SpreadRatio {
  double estimate = 0.0;
  double numerator_iqr = 0.0, denominator_iqr = 0.0;
  Interval ci;
  Interval numerator_ci, denominator_ci;  // the two IQRs' own bootstrap intervals
};
SpreadRatio spread_ratio(const std::vector<std::vector<double>>& numerator,
                         const std::vector<std::vector<double>>& denominator, int resamples,
                         uint64_t seed, double confidence = 0.95);

// Which intervals lie entirely above, and which entirely below, the interval at `baseline`
// (indices into `intervals`; the baseline itself and intervals with a NaN end are in neither).
struct Separation {
  std::vector<std::size_t> above, below;
};
Separation separated_from(const std::vector<Interval>& intervals, std::size_t baseline);

// Of a family of comparisons with a baseline (each a difference and its adjusted p-value, NaN
// where undefined), how many were compared, and how many are significantly above or below it
// at level `alpha`.
struct SignificanceCount {
  int compared = 0, above = 0, below = 0;
};
SignificanceCount count_significant(const std::vector<double>& differences,
                                    const std::vector<double>& adjusted_p, double alpha);

// The interval of |x - centre| for x in `interval`: [0, max distance] when it contains the
// centre, else the distances of its ends in order. NaN ends stay NaN.
Interval distance_interval(const Interval& interval, double centre);

}  // namespace actbench::stats
