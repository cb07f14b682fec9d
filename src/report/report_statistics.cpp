// Fills a report's statistics (see report_statistics.hpp and add_statistics in sweep_report.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "core/numbers.hpp"
#include "core/seeding.hpp"
#include "core/strings.hpp"
#include "report/sweep_report.hpp"

namespace actbench::report {

namespace {

using core::kNaN;

// The index of the group that has the baseline value and shares every other key value with
// `group`.
std::optional<size_t> baseline_of(const Report& report, size_t key, size_t group,
                                  const std::string& value) {
  // A single group with the value is everyone's baseline (the other keys may vary with the
  // baseline key, as the zoo's init does with its activation).
  std::vector<size_t> with_value;
  for (size_t g = 0; g < report.groups.size(); ++g)
    if (report.groups[g].key_values[key] == value) with_value.push_back(g);
  if (with_value.size() == 1) return with_value.front();
  for (size_t g = 0; g < report.groups.size(); ++g) {
    const auto& candidate = report.groups[g].key_values;
    bool match = candidate[key] == value;
    for (size_t k = 0; match && k < candidate.size(); ++k)
      if (k != key && candidate[k] != report.groups[group].key_values[k]) match = false;
    if (match) return g;
  }
  return std::nullopt;
}

// The group value the baseline names. A parametrised activation's groups are named with their
// parameters ("gelu(approximate=none)"); its bare name ("gelu") names that group when no other
// group's value is the same name with other parameters.
std::string full_baseline_value(const Report& report, size_t key,
                                const StatisticsOptions& options) {
  const std::string& value = options.baseline_value;
  std::vector<std::string> named;
  for (const auto& group : report.groups) {
    const std::string& candidate = group.key_values[key];
    if (candidate == value) return value;
    if (candidate.rfind(value + "(", 0) == 0 && candidate.back() == ')' &&
        std::find(named.begin(), named.end(), candidate) == named.end())
      named.push_back(candidate);
  }
  if (named.size() > 1)
    throw ConfigError(
        options.baseline_where,
        fmt::format("--baseline {}={} names {} groups", options.baseline_key, value, named.size()),
        "name one of them in full (quoted for the shell): " + core::join(named, ", "));
  return named.empty() ? value : named.front();
}

}  // namespace

void add_statistics(Report& report, const StatisticsOptions& options) {
  ReportStatistics& out = report.statistics;
  out = ReportStatistics{};
  out.options = options;
  out.groups.resize(report.groups.size());
  for (size_t g = 0; g < report.groups.size(); ++g)
    if (!report.groups[g].values.empty())
      out.groups[g].summary = stats::summarize(report.groups[g].values, options.confidence);

  // The best group and the groups not significantly worse (Welch, Holm across those tests), in
  // the metric's direction: the lowest MSE is the best.
  const bool higher_is_better = report.metric.higher_is_better;
  auto better = [&](double a, double b) { return higher_is_better ? a > b : a < b; };
  std::optional<size_t> best;
  for (size_t g = 0; g < report.groups.size(); ++g)
    if (out.groups[g].summary &&
        (!best || better(out.groups[g].summary->mean, out.groups[*best].summary->mean)))
      best = g;
  if (best) {
    std::vector<double> p(report.groups.size(), kNaN);
    for (size_t g = 0; g < report.groups.size(); ++g)
      if (g != *best && out.groups[g].summary)
        p[g] = stats::welch_test(report.groups[*best].values, report.groups[g].values,
                                 options.confidence)
                   .p;
    const auto adjusted = stats::holm_adjust(p);
    for (size_t g = 0; g < report.groups.size(); ++g) {
      auto& s = out.groups[g];
      s.p_versus_best = adjusted[g];
      if (g == *best)
        s.versus_best = "best";
      else if (s.summary && !std::isnan(adjusted[g]))
        s.versus_best =
            adjusted[g] >= options.alpha ? "n.s." : (higher_is_better ? "lower" : "higher");
    }
  }

  if (options.baseline_key.empty()) return;
  size_t key = report.keys.size();
  for (size_t k = 0; k < report.keys.size(); ++k)
    if (report.keys[k] == options.baseline_key) key = k;
  if (key == report.keys.size())
    throw ConfigError(
        options.baseline_where,
        fmt::format("--baseline key '{}' is not a group-by key", options.baseline_key),
        fmt::format("group by it (--group-by {}) or use one of: {}", options.baseline_key,
                    core::join(report.keys, ", ")));
  out.options.baseline_value = full_baseline_value(report, key, options);
  bool found = false;
  std::vector<double> p(report.groups.size(), kNaN);
  for (size_t g = 0; g < report.groups.size(); ++g) {
    const auto baseline = baseline_of(report, key, g, out.options.baseline_value);
    if (!baseline) continue;
    found = true;
    if (*baseline == g || !out.groups[g].summary || !out.groups[*baseline].summary) continue;
    const auto& x = report.groups[g].values;
    const auto& y = report.groups[*baseline].values;
    Comparison c;
    c.baseline = *baseline;
    c.welch = stats::welch_test(x, y, options.confidence);
    c.hedges_g = stats::hedges_g(x, y);
    if (higher_is_better) {
      c.improvement = stats::probability_of_improvement(
          x, y, options.resamples, core::bootstrap_seed(options.seed, g), options.confidence);
    } else {
      // A lower value beats a higher one: P(X < Y) = P(-X > -Y).
      std::vector<double> negated_x, negated_y;
      for (double v : x) negated_x.push_back(-v);
      for (double v : y) negated_y.push_back(-v);
      c.improvement = stats::probability_of_improvement(negated_x, negated_y, options.resamples,
                                                        core::bootstrap_seed(options.seed, g),
                                                        options.confidence);
    }
    p[g] = c.welch.p;
    out.groups[g].versus_baseline = c;
  }
  if (!found) {
    std::vector<std::string> values;
    for (const auto& group : report.groups)
      if (std::find(values.begin(), values.end(), group.key_values[key]) == values.end())
        values.push_back(group.key_values[key]);
    throw ConfigError(
        options.baseline_where,
        fmt::format("no group has {}={}", options.baseline_key, options.baseline_value),
        "the values in this report: " + core::join(values, ", "));
  }
  const auto adjusted = stats::holm_adjust(p);
  for (size_t g = 0; g < report.groups.size(); ++g) {
    if (!std::isnan(p[g])) ++out.comparisons;
    if (out.groups[g].versus_baseline) out.groups[g].versus_baseline->p_holm = adjusted[g];
  }
}

}  // namespace actbench::report
