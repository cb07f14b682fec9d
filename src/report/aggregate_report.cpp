// Aggregates across sweeps (see aggregate_report.hpp).
#include "report/aggregate_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "core/display.hpp"
#include "core/error.hpp"
#include "core/seeding.hpp"
#include "core/strings.hpp"

namespace actbench::report {

namespace {

std::string label_of(const Report& report, const Group& group) {
  return report.keys.empty() ? "all runs"
                             : core::readable_value(core::join(group.key_values, ", "));
}

Figure performance_profile_figure(const AggregateReport& report) {
  double lo = 0.0, hi = 1.0;
  for (const auto& g : report.groups)
    for (const auto& setting : g.normalised)
      for (double v : setting) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
  std::vector<double> thresholds;
  constexpr int kSteps = 200;
  for (int i = 0; i <= kSteps; ++i) thresholds.push_back(lo + (hi - lo) * i / kSteps);
  plot::Chart chart;
  chart.title = "Performance profile over runs x settings";
  chart.x.label = "normalised score threshold tau (0: worst group mean, 1: best, per setting)";
  chart.y.label = "share of runs with score > tau";
  chart.y.lower_bound = 0.0;
  chart.y.upper_bound = 1.0;
  chart.width = 760;
  chart.height = 460;
  // With many groups a legend of every colour is unreadable in a static image: the best
  // kMaxInChartLegend groups (the groups come sorted by IQM) get colours and legend entries, the
  // rest are drawn in grey behind them, as context.
  const bool all_in_legend = report.groups.size() <= kMaxInChartLegend;
  if (!all_in_legend)
    chart.title = fmt::format("Performance profile over runs x settings (best {} by IQM in colour)",
                              kMaxInChartLegend);
  const auto& palette = plot::default_palette();
  for (size_t g = 0; g < report.groups.size(); ++g) {
    std::vector<double> pooled;
    for (const auto& setting : report.groups[g].normalised)
      pooled.insert(pooled.end(), setting.begin(), setting.end());
    if (pooled.empty()) continue;
    plot::Series s{report.groups[g].label,
                   thresholds,
                   stats::performance_profile(pooled, thresholds),
                   palette[g % palette.size()],
                   plot::LineStyle::Solid,
                   2.0};
    s.hover_stride = 10;  // hover targets every 0.05 or so; the curve itself keeps every step
    if (!all_in_legend && g >= kMaxInChartLegend) {
      s.colour = "#c8c8c8";
      s.width = 1.0;
      for (size_t i = 0; i < thresholds.size(); ++i)
        s.point_titles.push_back(
            fmt::format("{}: tau {:.3f}, {:.3f}", report.groups[g].label, thresholds[i], s.y[i]));
      // Out of the legend, but still the group's series: the HTML page's toggles find it by name.
      s.group = report.groups[g].label;
      s.label.clear();
    }
    chart.series.push_back(s);
  }
  // Grey context first, so the coloured curves are drawn over it.
  std::stable_partition(chart.series.begin(), chart.series.end(),
                        [](const plot::Series& s) { return s.label.empty(); });
  return make_figure(
      "performance_profile",
      fmt::format("Performance profiles (as rliable draws them): for each threshold tau, the "
                  "share of a group's runs over all settings whose normalised {} is above tau "
                  "(1: the best group's mean). A curve above another is better at every threshold.",
                  report.metric.label),
      {chart}, 1);
}

}  // namespace

AggregateReport aggregate(const std::vector<Report>& reports, const AggregateOptions& options) {
  if (reports.empty()) throw Error("aggregate: no reports");
  AggregateReport out;
  out.options = options;
  out.group_key = core::join(reports.front().keys, ", ");
  std::map<std::string, size_t> index;
  for (const auto& r : reports) {
    if (r.keys != reports.front().keys)
      throw Error(fmt::format("{} is grouped by {}, {} by {}: aggregate needs one grouping",
                              r.title, core::join(r.keys, ", "), reports.front().title,
                              out.group_key));
    if (r.metric.name != reports.front().metric.name)
      throw Error(
          fmt::format("{} is reported on {}, {} on {}: aggregate needs one metric (--metric)",
                      r.title, r.metric.name, reports.front().title, reports.front().metric.name));
    out.settings.push_back(r.title);
    for (const auto& g : r.groups) {
      const auto [it, inserted] = index.emplace(label_of(r, g), out.groups.size());
      if (inserted) out.groups.push_back(AggregateGroup{label_of(r, g), {}, {}, 0, 0, 0, {}});
    }
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const bool higher_is_better = reports.front().metric.higher_is_better;
  out.metric = reports.front().metric;
  for (auto& g : out.groups) {
    g.normalised.assign(reports.size(), {});
    g.means.assign(reports.size(), nan);
  }
  for (size_t s = 0; s < reports.size(); ++s) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto& g : reports[s].groups) {
      if (g.values.empty()) continue;
      const double mean = stats::summarize(g.values).mean;
      lo = std::min(lo, mean);
      hi = std::max(hi, mean);
    }
    for (const auto& g : reports[s].groups) {
      AggregateGroup& a = out.groups[index.at(label_of(reports[s], g))];
      a.runs += g.runs;
      a.diverged += g.diverged;
      if (g.values.empty()) continue;
      ++a.settings;
      a.means[s] = stats::summarize(g.values).mean;
      // 1 is the best group's mean whichever way the metric points (the lowest MSE).
      for (double v : g.values)
        a.normalised[s].push_back(hi > lo ? (higher_is_better ? v - lo : hi - v) / (hi - lo) : 1.0);
    }
  }
  for (size_t i = 0; i < out.groups.size(); ++i) {
    auto& g = out.groups[i];
    std::vector<std::vector<double>> strata;
    for (const auto& setting : g.normalised)
      if (!setting.empty()) strata.push_back(setting);
    if (strata.empty()) {
      g.iqm = {nan, {nan, nan}};
      continue;
    }
    g.iqm = stats::stratified_bootstrap_iqm(
        strata, options.resamples, core::bootstrap_seed(options.seed, i), options.confidence);
  }
  // Best first; groups without a completed run last.
  std::stable_sort(out.groups.begin(), out.groups.end(), [](const auto& a, const auto& b) {
    const bool a_ok = std::isfinite(a.iqm.iqm), b_ok = std::isfinite(b.iqm.iqm);
    if (a_ok != b_ok) return a_ok;
    return a_ok && a.iqm.iqm > b.iqm.iqm;
  });
  out.figures.push_back(performance_profile_figure(out));
  return out;
}

TextTable aggregate_table(const AggregateReport& report) {
  const int level = static_cast<int>(std::lround(100 * report.options.confidence));
  TextTable table;
  table.header = {report.group_key, "settings",         "runs",
                  "diverged",       "IQM (normalised)", fmt::format("{}% CI", level)};
  const bool accuracy = report.metric.name == "test_accuracy";
  for (const auto& s : report.settings)
    table.header.push_back(s + (accuracy ? " mean acc" : " mean " + report.metric.header));
  auto num = [](double v, const char* format) {
    return std::isfinite(v) ? fmt::format(fmt::runtime(format), v) : std::string("-");
  };
  for (const auto& g : report.groups) {
    std::vector<std::string> row{g.label,
                                 fmt::format("{}/{}", g.settings, report.settings.size()),
                                 std::to_string(g.runs),
                                 std::to_string(g.diverged),
                                 num(g.iqm.iqm, "{:.3f}"),
                                 std::isfinite(g.iqm.ci.low)
                                     ? fmt::format("[{:.3f}, {:.3f}]", g.iqm.ci.low, g.iqm.ci.high)
                                     : "-"};
    for (double m : g.means) row.push_back(num(m, report.metric.format.c_str()));
    table.rows.push_back(row);
  }
  table.caption = fmt::format("Aggregate over {} settings: interquartile mean of normalised {}",
                              report.settings.size(), report.metric.label);
  table.label = "tab:aggregate";
  table.notes = fmt::format(
      "Normalised score: per setting, {3}, divided by the highest minus the lowest group mean (0: "
      "the worst group's mean, 1: the best's). IQM: interquartile mean (the mean of the middle "
      "50%) of a group's runs over all settings; {0}% CI: stratified percentile bootstrap ({1} "
      "resamples, seed {2}; runs resampled within each setting). Diverged runs have no {4}: they "
      "are counted, not scored. Sorted by IQM.",
      level, report.options.resamples, report.options.seed,
      report.metric.higher_is_better
          ? "a run's " + report.metric.label + " minus the lowest group mean"
          : "the highest group mean minus a run's " + report.metric.label,
      accuracy ? "accuracy" : report.metric.label);
  return table;
}

std::string render(const AggregateReport& report, const std::string& format,
                   const LatexOptions& latex) {
  if (format == "csv") {
    std::vector<std::string> header{"group", "settings",   "runs",       "diverged",
                                    "iqm",   "iqm_ci_low", "iqm_ci_high"};
    for (size_t s = 0; s < report.settings.size(); ++s)
      header.push_back((report.metric.name == "test_accuracy"
                            ? "mean_accuracy_"
                            : "mean_" + report.metric.name + "_") +
                       report.settings[s]);
    auto num = [](double v) { return std::isfinite(v) ? fmt::format("{:.10g}", v) : ""; };
    std::vector<std::vector<std::string>> rows;
    for (const auto& g : report.groups) {
      std::vector<std::string> row{g.label,
                                   std::to_string(g.settings),
                                   std::to_string(g.runs),
                                   std::to_string(g.diverged),
                                   num(g.iqm.iqm),
                                   num(g.iqm.ci.low),
                                   num(g.iqm.ci.high)};
      for (double m : g.means) row.push_back(num(m));
      rows.push_back(row);
    }
    return render_csv(header, rows);
  }
  const TextTable table = aggregate_table(report);
  if (format == "md") return render_markdown(table);
  if (format == "latex")
    return std::string("% generated by actbench report --aggregate (needs \\usepackage{booktabs}") +
           (latex.table_float ? " and \\usepackage{graphicx}" : "") + ")\n" +
           render_latex(table, latex);
  if (format == "html") {
    std::vector<std::string> labels;
    for (const auto& g : report.groups) labels.push_back(g.label);
    return html_page("Aggregate over " + core::join(report.settings, ", "),
                     render_html_table(table), labels, report.figures);
  }
  throw ConfigError(SourceLocation::cli_arg(0), "unknown report format '" + format + "'",
                    "use md, csv, latex or html");
}

}  // namespace actbench::report
