// Spread ratios, separations from a baseline and distance intervals (see spread_intervals.hpp).
#include "stats/spread_intervals.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

namespace actbench::stats {

namespace {

constexpr double kSpreadNaN = std::numeric_limits<double>::quiet_NaN();

// The arms' means, arms without values left out.
std::vector<double> spread_arm_means(const std::vector<std::vector<double>>& arms) {
  std::vector<double> means;
  for (const auto& arm : arms) {
    if (arm.empty()) continue;
    double sum = 0.0;
    for (double v : arm) sum += v;
    means.push_back(sum / static_cast<double>(arm.size()));
  }
  return means;
}

// Each arm's seeds redrawn with replacement, then the arms' means.
std::vector<double> spread_resampled_means(const std::vector<std::vector<double>>& arms,
                                           std::mt19937_64& rng) {
  std::vector<double> means;
  for (const auto& arm : arms) {
    if (arm.empty()) continue;
    double sum = 0.0;
    for (size_t i = 0; i < arm.size(); ++i) sum += arm[static_cast<size_t>(rng() % arm.size())];
    means.push_back(sum / static_cast<double>(arm.size()));
  }
  return means;
}

// NumPy's linear percentiles of the finite estimates (a resample whose denominator IQR is zero
// has no ratio); NaN ends when fewer than half of the resamples gave one.
Interval spread_percentiles(std::vector<double> estimates, size_t resamples, double confidence) {
  estimates.erase(std::remove_if(estimates.begin(), estimates.end(),
                                 [](double v) { return !std::isfinite(v); }),
                  estimates.end());
  if (estimates.empty() || estimates.size() * 2 < resamples) return {kSpreadNaN, kSpreadNaN};
  const double tail = (1.0 - confidence) / 2.0;
  return {quantile(estimates, tail), quantile(estimates, 1.0 - tail)};
}

}  // namespace

double interquartile_range(const std::vector<double>& values) {
  if (values.empty()) return kSpreadNaN;
  return quantile(values, 0.75) - quantile(values, 0.25);
}

Spread interquartile_range_of_means(const std::vector<std::vector<double>>& arms, int resamples,
                                    uint64_t seed, double confidence) {
  if (resamples < 1) throw std::invalid_argument("interquartile_range_of_means: resamples < 1");
  Spread out;
  out.estimate = interquartile_range(spread_arm_means(arms));
  if (!std::isfinite(out.estimate)) {
    out.ci = {kSpreadNaN, kSpreadNaN};
    return out;
  }
  std::mt19937_64 rng(seed);
  std::vector<double> estimates;
  estimates.reserve(static_cast<size_t>(resamples));
  for (int b = 0; b < resamples; ++b)
    estimates.push_back(interquartile_range(spread_resampled_means(arms, rng)));
  out.ci = spread_percentiles(std::move(estimates), static_cast<size_t>(resamples), confidence);
  return out;
}

SpreadRatio spread_ratio(const std::vector<std::vector<double>>& numerator,
                         const std::vector<std::vector<double>>& denominator, int resamples,
                         uint64_t seed, double confidence) {
  if (resamples < 1) throw std::invalid_argument("spread_ratio: resamples < 1");
  if (!(confidence > 0.0 && confidence < 1.0))
    throw std::invalid_argument("spread_ratio: confidence must lie in (0, 1)");
  SpreadRatio out;
  out.numerator_iqr = interquartile_range(spread_arm_means(numerator));
  out.denominator_iqr = interquartile_range(spread_arm_means(denominator));
  const bool defined = std::isfinite(out.numerator_iqr) && std::isfinite(out.denominator_iqr) &&
                       out.denominator_iqr > 0.0;
  out.estimate = defined ? out.numerator_iqr / out.denominator_iqr : kSpreadNaN;
  if (!std::isfinite(out.numerator_iqr) || !std::isfinite(out.denominator_iqr)) {
    out.ci = out.numerator_ci = out.denominator_ci = {kSpreadNaN, kSpreadNaN};
    return out;
  }
  std::mt19937_64 rng(seed);
  std::vector<double> ratios, tops, bottoms;
  const auto count = static_cast<size_t>(resamples);
  ratios.reserve(count);
  tops.reserve(count);
  bottoms.reserve(count);
  for (int b = 0; b < resamples; ++b) {
    const double top = interquartile_range(spread_resampled_means(numerator, rng));
    const double bottom = interquartile_range(spread_resampled_means(denominator, rng));
    tops.push_back(top);
    bottoms.push_back(bottom);
    ratios.push_back(bottom > 0.0 ? top / bottom : kSpreadNaN);
  }
  out.ci = spread_percentiles(std::move(ratios), count, confidence);
  out.numerator_ci = spread_percentiles(std::move(tops), count, confidence);
  out.denominator_ci = spread_percentiles(std::move(bottoms), count, confidence);
  return out;
}

Separation separated_from(const std::vector<Interval>& intervals, size_t baseline) {
  Separation out;
  if (baseline >= intervals.size()) return out;
  const Interval& base = intervals[baseline];
  if (std::isnan(base.low) || std::isnan(base.high)) return out;
  for (size_t i = 0; i < intervals.size(); ++i) {
    if (i == baseline || std::isnan(intervals[i].low) || std::isnan(intervals[i].high)) continue;
    if (intervals[i].low > base.high) out.above.push_back(i);
    if (intervals[i].high < base.low) out.below.push_back(i);
  }
  return out;
}

SignificanceCount count_significant(const std::vector<double>& differences,
                                    const std::vector<double>& adjusted_p, double alpha) {
  if (differences.size() != adjusted_p.size())
    throw std::invalid_argument("count_significant: one p-value per difference");
  SignificanceCount out;
  for (size_t i = 0; i < differences.size(); ++i) {
    if (!std::isfinite(adjusted_p[i])) continue;
    ++out.compared;
    if (adjusted_p[i] < alpha) (differences[i] > 0 ? out.above : out.below) += 1;
  }
  return out;
}

Interval distance_interval(const Interval& interval, double centre) {
  if (std::isnan(interval.low) || std::isnan(interval.high)) return {kSpreadNaN, kSpreadNaN};
  const double a = std::abs(interval.low - centre), b = std::abs(interval.high - centre);
  if (interval.low <= centre && centre <= interval.high) return {0.0, std::max(a, b)};
  return {std::min(a, b), std::max(a, b)};
}

}  // namespace actbench::stats
