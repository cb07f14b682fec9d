// Fills a report's statistics (see report_statistics.hpp and add_statistics in sweep_report.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "report/sweep_report.hpp"

namespace actbench::report {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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

}  // namespace

void add_statistics(Report& report, const StatisticsOptions& options) {
  ReportStatistics& out = report.statistics;
  out = ReportStatistics{};
  out.options = options;
  out.groups.resize(report.groups.size());
  for (size_t g = 0; g < report.groups.size(); ++g)
    if (!report.groups[g].accuracy_values.empty())
      out.groups[g].accuracy =
          stats::summarize(report.groups[g].accuracy_values, options.confidence);

  // The best group and the groups not significantly worse (Welch, Holm across those tests).
  std::optional<size_t> best;
  for (size_t g = 0; g < report.groups.size(); ++g)
    if (out.groups[g].accuracy &&
        (!best || out.groups[g].accuracy->mean > out.groups[*best].accuracy->mean))
      best = g;
  if (best) {
    std::vector<double> p(report.groups.size(), kNaN);
    for (size_t g = 0; g < report.groups.size(); ++g)
      if (g != *best && out.groups[g].accuracy)
        p[g] = stats::welch_test(report.groups[*best].accuracy_values,
                                 report.groups[g].accuracy_values, options.confidence)
                   .p;
    const auto adjusted = stats::holm_adjust(p);
    for (size_t g = 0; g < report.groups.size(); ++g) {
      auto& s = out.groups[g];
      s.p_versus_best = adjusted[g];
      if (g == *best)
        s.versus_best = "best";
      else if (s.accuracy && !std::isnan(adjusted[g]))
        s.versus_best = adjusted[g] >= options.alpha ? "n.s." : "lower";
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
  bool found = false;
  std::vector<double> p(report.groups.size(), kNaN);
  for (size_t g = 0; g < report.groups.size(); ++g) {
    const auto baseline = baseline_of(report, key, g, options.baseline_value);
    if (!baseline) continue;
    found = true;
    if (*baseline == g || !out.groups[g].accuracy || !out.groups[*baseline].accuracy) continue;
    const auto& x = report.groups[g].accuracy_values;
    const auto& y = report.groups[*baseline].accuracy_values;
    Comparison c;
    c.baseline = *baseline;
    c.welch = stats::welch_test(x, y, options.confidence);
    c.hedges_g = stats::hedges_g(x, y);
    c.improvement = stats::probability_of_improvement(x, y, options.resamples, options.seed + g,
                                                      options.confidence);
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
