// The statistics of result tables (see statistics.hpp). Boost.Math gives the Student t
// distribution; everything else is arithmetic on sorted copies.
#include "stats/statistics.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>

#include "core/numbers.hpp"

namespace actbench::stats {

namespace {

using core::kNaN;

double mean_of(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

// Sample variance (n - 1); 0 for a single value.
double variance_of(const std::vector<double>& v, double mean) {
  if (v.size() < 2) return 0.0;
  double squares = 0.0;
  for (double x : v) squares += (x - mean) * (x - mean);
  return squares / static_cast<double>(v.size() - 1);
}

void require_values(const std::vector<double>& v, const char* what) {
  if (v.empty()) throw std::invalid_argument(std::string(what) + ": no values");
}

void require_confidence(double confidence) {
  if (!(confidence > 0.0 && confidence < 1.0))
    throw std::invalid_argument("confidence level must lie in (0, 1)");
}

// Percentile interval of bootstrap estimates (NumPy's linear percentiles).
Interval percentile_interval(std::vector<double> estimates, double confidence) {
  const double tail = (1.0 - confidence) / 2.0;
  std::sort(estimates.begin(), estimates.end());
  return {quantile(estimates, tail), quantile(estimates, 1.0 - tail)};
}

// Draws an index in [0, n) with a generator whose output is the same on every platform (the
// standard distributions are not); the modulo bias is below 1e-15 for the sizes used here.
size_t draw(std::mt19937_64& rng, size_t n) { return static_cast<size_t>(rng() % n); }

}  // namespace

double student_t_quantile(double degrees_of_freedom, double probability) {
  boost::math::students_t distribution(degrees_of_freedom);
  return boost::math::quantile(distribution, probability);
}

double quantile(std::vector<double> values, double q) {
  require_values(values, "quantile");
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const auto below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, values.size() - 1);
  return values[below] + (position - static_cast<double>(below)) * (values[above] - values[below]);
}

Summary summarize(const std::vector<double>& values, double confidence) {
  require_values(values, "summarize");
  require_confidence(confidence);
  Summary s;
  s.n = static_cast<int64_t>(values.size());
  s.mean = mean_of(values);
  s.std = std::sqrt(variance_of(values, s.mean));
  if (s.n >= 2) {
    const double half = student_t_quantile(static_cast<double>(s.n - 1), 0.5 + confidence / 2.0) *
                        s.std / std::sqrt(static_cast<double>(s.n));
    s.ci = {s.mean - half, s.mean + half};
  } else {
    s.ci = {kNaN, kNaN};
  }
  s.median = quantile(values, 0.5);
  s.min = *std::min_element(values.begin(), values.end());
  s.max = *std::max_element(values.begin(), values.end());
  return s;
}

WelchTest welch_test(const std::vector<double>& x, const std::vector<double>& y,
                     double confidence) {
  require_values(x, "welch_test");
  require_values(y, "welch_test");
  require_confidence(confidence);
  WelchTest w;
  const double mx = mean_of(x), my = mean_of(y);
  w.difference = mx - my;
  w.ci = {kNaN, kNaN};
  w.t = w.degrees_of_freedom = w.p = kNaN;
  const double nx = static_cast<double>(x.size()), ny = static_cast<double>(y.size());
  if (x.size() < 2 || y.size() < 2) return w;
  const double ax = variance_of(x, mx) / nx, ay = variance_of(y, my) / ny;
  const double se2 = ax + ay;
  if (!(se2 > 0.0)) return w;
  const double se = std::sqrt(se2);
  w.t = w.difference / se;
  w.degrees_of_freedom = se2 * se2 / (ax * ax / (nx - 1.0) + ay * ay / (ny - 1.0));
  boost::math::students_t distribution(w.degrees_of_freedom);
  w.p = std::min(1.0, 2.0 * boost::math::cdf(boost::math::complement(distribution, std::abs(w.t))));
  const double half = boost::math::quantile(distribution, 0.5 + confidence / 2.0) * se;
  w.ci = {w.difference - half, w.difference + half};
  return w;
}

double hedges_g(const std::vector<double>& x, const std::vector<double>& y) {
  require_values(x, "hedges_g");
  require_values(y, "hedges_g");
  const double m = static_cast<double>(x.size() + y.size()) - 2.0;
  if (m < 1.0) return kNaN;
  const double mx = mean_of(x), my = mean_of(y);
  const double pooled = std::sqrt(((static_cast<double>(x.size()) - 1.0) * variance_of(x, mx) +
                                   (static_cast<double>(y.size()) - 1.0) * variance_of(y, my)) /
                                  m);
  if (!(pooled > 0.0)) return kNaN;
  const double correction =
      std::exp(std::lgamma(m / 2.0) - std::lgamma((m - 1.0) / 2.0)) / std::sqrt(m / 2.0);
  return correction * (mx - my) / pooled;
}

double mann_whitney_u(const std::vector<double>& x, const std::vector<double>& y) {
  require_values(x, "mann_whitney_u");
  require_values(y, "mann_whitney_u");
  double u = 0.0;
  for (double a : x)
    for (double b : y) u += a > b ? 1.0 : a == b ? 0.5 : 0.0;
  return u;
}

ProbabilityOfImprovement probability_of_improvement(const std::vector<double>& x,
                                                    const std::vector<double>& y, int resamples,
                                                    uint64_t seed, double confidence) {
  require_confidence(confidence);
  if (resamples < 1) throw std::invalid_argument("resamples must be at least 1");
  const double pairs = static_cast<double>(x.size() * y.size());
  ProbabilityOfImprovement out;
  out.estimate = mann_whitney_u(x, y) / pairs;
  std::mt19937_64 rng(seed);
  std::vector<double> estimates, bx(x.size()), by(y.size());
  estimates.reserve(static_cast<size_t>(resamples));
  for (int r = 0; r < resamples; ++r) {
    for (auto& v : bx) v = x[draw(rng, x.size())];
    for (auto& v : by) v = y[draw(rng, y.size())];
    estimates.push_back(mann_whitney_u(bx, by) / pairs);
  }
  out.ci = percentile_interval(std::move(estimates), confidence);
  return out;
}

std::vector<double> holm_adjust(const std::vector<double>& p) {
  std::vector<size_t> order;
  for (size_t i = 0; i < p.size(); ++i)
    if (!std::isnan(p[i])) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
  std::vector<double> adjusted(p.size(), kNaN);
  const double m = static_cast<double>(order.size());
  double running = 0.0;  // step-down: an adjusted p-value is never below a smaller one's
  for (size_t rank = 0; rank < order.size(); ++rank) {
    running = std::max(running, std::min(1.0, (m - static_cast<double>(rank)) * p[order[rank]]));
    adjusted[order[rank]] = running;
  }
  return adjusted;
}

double interquartile_mean(std::vector<double> values) {
  require_values(values, "interquartile_mean");
  std::sort(values.begin(), values.end());
  const size_t cut = values.size() / 4;
  const auto first = values.begin() + static_cast<std::ptrdiff_t>(cut);
  const auto last = values.end() - static_cast<std::ptrdiff_t>(cut);
  return std::accumulate(first, last, 0.0) / static_cast<double>(last - first);
}

Aggregate stratified_bootstrap_iqm(const std::vector<std::vector<double>>& runs_per_setting,
                                   int resamples, uint64_t seed, double confidence) {
  require_confidence(confidence);
  if (resamples < 1) throw std::invalid_argument("resamples must be at least 1");
  std::vector<double> pooled;
  for (const auto& runs : runs_per_setting) pooled.insert(pooled.end(), runs.begin(), runs.end());
  Aggregate out;
  out.iqm = interquartile_mean(pooled);
  std::mt19937_64 rng(seed);
  std::vector<double> estimates;
  estimates.reserve(static_cast<size_t>(resamples));
  for (int r = 0; r < resamples; ++r) {
    size_t k = 0;
    for (const auto& runs : runs_per_setting)
      for (size_t i = 0; i < runs.size(); ++i) pooled[k++] = runs[draw(rng, runs.size())];
    estimates.push_back(interquartile_mean(pooled));
  }
  out.ci = percentile_interval(std::move(estimates), confidence);
  return out;
}

std::vector<double> performance_profile(const std::vector<double>& values,
                                        const std::vector<double>& thresholds) {
  require_values(values, "performance_profile");
  std::vector<double> shares;
  for (double tau : thresholds) {
    const auto above =
        std::count_if(values.begin(), values.end(), [&](double v) { return v > tau; });
    shares.push_back(static_cast<double>(above) / static_cast<double>(values.size()));
  }
  return shares;
}

namespace {

double normal_quantile_two_sided(double confidence) {
  return boost::math::quantile(boost::math::normal(), 0.5 + confidence / 2);
}

}  // namespace

Interval wilson_interval(int64_t successes, int64_t trials, double confidence) {
  require_confidence(confidence);
  if (trials <= 0) return {0.0, 1.0};
  if (successes < 0 || successes > trials)
    throw std::invalid_argument("wilson_interval: successes outside [0, trials]");
  const double z = normal_quantile_two_sided(confidence);
  const double n = static_cast<double>(trials);
  const double p = static_cast<double>(successes) / n;
  const double z2 = z * z;
  const double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half = z / (1 + z2 / n) * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  // At 0 or n successes the bound is exactly 0 or 1; the formula leaves a rounding residue
  // (1.7e-18) that would print as a nonzero share.
  return {successes == 0 ? 0.0 : std::max(0.0, centre - half),
          successes == trials ? 1.0 : std::min(1.0, centre + half)};
}

Interval mean_interval(const std::vector<double>& values, double confidence) {
  require_values(values, "mean_interval");
  return summarize(values, confidence).ci;
}

Interval median_bootstrap_interval(const std::vector<double>& values, int resamples, uint64_t seed,
                                   double confidence) {
  require_values(values, "median_bootstrap_interval");
  require_confidence(confidence);
  if (resamples < 1) throw std::invalid_argument("median_bootstrap_interval: resamples < 1");
  std::mt19937_64 rng(seed);
  std::vector<double> medians;
  medians.reserve(static_cast<size_t>(resamples));
  std::vector<double> sample(values.size());
  for (int b = 0; b < resamples; ++b) {
    for (double& v : sample) v = values[draw(rng, values.size())];
    medians.push_back(quantile(sample, 0.5));
  }
  return percentile_interval(std::move(medians), confidence);
}

Ratio risk_ratio(int64_t k1, int64_t n1, int64_t k2, int64_t n2, double confidence) {
  require_confidence(confidence);
  Ratio out;
  if (n1 <= 0 || n2 <= 0 || k2 == 0) {
    out.estimate = std::numeric_limits<double>::quiet_NaN();
    out.ci = {out.estimate, out.estimate};
    if (n1 > 0 && n2 > 0 && k1 > 0) out.estimate = std::numeric_limits<double>::infinity();
    return out;
  }
  out.estimate = (static_cast<double>(k1) / n1) / (static_cast<double>(k2) / n2);
  // Katz: log RR is about normal with variance 1/k1 - 1/n1 + 1/k2 - 1/n2.
  const double a = k1 == 0 ? 0.5 : static_cast<double>(k1);
  const double b = static_cast<double>(k2);
  const double centre = std::log((a / n1) / (b / n2));
  const double se = std::sqrt(1 / a - 1.0 / n1 + 1 / b - 1.0 / n2);
  const double z = normal_quantile_two_sided(confidence);
  out.ci = {k1 == 0 ? 0.0 : std::exp(centre - z * se), std::exp(centre + z * se)};
  return out;
}

Difference share_difference(int64_t k1, int64_t n1, int64_t k2, int64_t n2, double confidence) {
  Difference out;
  if (n1 <= 0 || n2 <= 0) {
    out.estimate = std::numeric_limits<double>::quiet_NaN();
    out.ci = {out.estimate, out.estimate};
    return out;
  }
  const double p1 = static_cast<double>(k1) / n1, p2 = static_cast<double>(k2) / n2;
  const Interval w1 = wilson_interval(k1, n1, confidence);
  const Interval w2 = wilson_interval(k2, n2, confidence);
  out.estimate = p1 - p2;
  out.ci = {
      out.estimate - std::sqrt((p1 - w1.low) * (p1 - w1.low) + (w2.high - p2) * (w2.high - p2)),
      out.estimate + std::sqrt((w1.high - p1) * (w1.high - p1) + (p2 - w2.low) * (p2 - w2.low))};
  return out;
}

}  // namespace actbench::stats
