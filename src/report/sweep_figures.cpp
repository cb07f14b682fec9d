// The figures of a sweep report (see add_figures in sweep_report.hpp): learning curves per group
// (as the task has them), each group's per-seed values of the report's metric with mean and 95%
// interval, the weight-gradient norm against depth, and each layer's dead fraction over epochs.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/display.hpp"
#include "core/strings.hpp"
#include "plot/svg_plot.hpp"
#include "report/sweep_report.hpp"

namespace actbench::report {

namespace {

// values[run][epoch] for one metric (and one layer, or the run-level value when layer is "").
using PerRun = std::map<std::string, std::map<int64_t, double>>;

PerRun collect(const std::vector<store::ResultsDb::EpochValue>& values, const std::string& layer) {
  PerRun out;
  for (const auto& v : values)
    if (v.layer == layer) out[v.run_id][v.epoch] = v.value;
  return out;
}

std::string group_label(const Report& report, const Group& group) {
  if (report.keys.empty()) return "all runs";
  return core::readable_value(core::join(group.key_values, ", "));
}

// Mean and mean +- std over a group's runs, epoch by epoch; the band's edges are dotted lines of
// the mean's colour, so a reader sees the seed-to-seed spread without a legend entry of its own.
// Fractions (accuracy, dead share) keep their band inside [0, 1].
void add_mean_band(plot::Chart& chart, const PerRun& per_run, const Group& group,
                   const std::string& label, const std::string& colour, bool fraction) {
  std::map<int64_t, std::vector<double>> by_epoch;
  for (const auto& id : group.run_ids) {
    auto it = per_run.find(id);
    if (it == per_run.end()) continue;
    for (const auto& [epoch, value] : it->second) by_epoch[epoch].push_back(value);
  }
  if (by_epoch.empty()) return;
  plot::Series mean{label, {}, {}, colour, plot::LineStyle::Solid, 2.0};
  plot::Series low{"", {}, {}, colour, plot::LineStyle::Dotted, 1.0};
  plot::Series high{"", {}, {}, colour, plot::LineStyle::Dotted, 1.0};
  low.group = high.group = label;  // toggled with the mean
  for (const auto& [epoch, values] : by_epoch) {
    const Stat s = describe(values);
    mean.x.push_back(static_cast<double>(epoch));
    mean.y.push_back(s.mean);
    // One value at an epoch has no std (NaN): the band breaks there instead of clamping to 0.
    const double lower = s.mean - s.std, upper = s.mean + s.std;
    low.x.push_back(static_cast<double>(epoch));
    low.y.push_back(fraction && std::isfinite(lower) ? std::max(0.0, lower) : lower);
    high.x.push_back(static_cast<double>(epoch));
    high.y.push_back(fraction && std::isfinite(upper) ? std::min(1.0, upper) : upper);
  }
  chart.series.push_back(mean);
  if (group.run_ids.size() > 1) {
    chart.series.push_back(low);
    chart.series.push_back(high);
  }
}

}  // namespace

std::string inline_svg(const std::string& document) {
  const auto start = document.find("<svg");
  return start == std::string::npos ? document : document.substr(start);
}

Figure make_figure(const std::string& name, const std::string& caption,
                   const std::vector<plot::Chart>& panels, int columns) {
  Figure figure{name, caption, inline_svg(plot::render_svg(panels, columns)), {}};
  for (size_t i = 0; i < panels.size(); ++i)
    figure.panels.push_back(
        inline_svg(plot::render_svg(panels[i], fmt::format("{}-plot{}", name, i))));
  return figure;
}

plot::Chart strip_chart(const std::vector<std::string>& labels,
                        const std::vector<std::vector<double>>& values,
                        const std::vector<std::vector<int64_t>>& seeds,
                        const std::vector<stats::Summary>& summaries,
                        const std::string& value_label, double confidence) {
  const auto& palette = plot::default_palette();
  plot::Chart chart;
  chart.title = fmt::format("Per seed, with mean and {:.0f}% interval", 100 * confidence);
  chart.x.label = value_label;
  chart.x.padding = 0.05;
  chart.y.min = -0.6;
  chart.y.max = static_cast<double>(labels.size()) - 0.4;
  chart.legend = false;
  size_t widest = 0;
  for (const auto& label : labels) widest = std::max(widest, label.size());
  // Rows top to bottom in the table's order: row k sits at y = n - 1 - k.
  const size_t n = labels.size();
  chart.y.categories.assign(labels.rbegin(), labels.rend());
  chart.height = 90 + 30 * static_cast<int>(n);
  chart.width = std::max(640, std::min(900, 420 + 7 * static_cast<int>(widest)));
  for (size_t k = 0; k < n; ++k) {
    const double row = static_cast<double>(n - 1 - k);
    const std::string colour = palette[k % palette.size()];
    plot::Series dots{"", {}, {}, colour, plot::LineStyle::Solid, 7.0};
    dots.points = true;
    dots.group = labels[k];
    for (size_t i = 0; i < values[k].size(); ++i) {
      dots.x.push_back(values[k][i]);
      // Seeds spread a little up and down (above the mean's line), so equal values stay countable.
      const double spread = static_cast<double>(std::min<size_t>(values[k].size(), 5) - 1) / 2.0;
      dots.y.push_back(row + 0.08 + 0.06 * (static_cast<double>(i % 5) - spread));
      // The seed itself, which a reader can rerun: a position ("1 of 3") reads as seed 1.
      dots.point_titles.push_back(
          k < seeds.size() && i < seeds[k].size()
              ? fmt::format("{}, seed {}: {:.6g}", labels[k], seeds[k][i], values[k][i])
              : fmt::format("{}: {:.6g}", labels[k], values[k][i]));
    }
    chart.series.push_back(dots);
    if (k >= summaries.size() || summaries[k].n == 0) continue;
    const auto& s = summaries[k];
    if (std::isfinite(s.ci.low)) {
      plot::Series ci{"",     {s.ci.low, s.ci.high},  {row - 0.22, row - 0.22},
                      "#222", plot::LineStyle::Solid, 2.0};
      ci.group = labels[k];
      ci.point_titles = {fmt::format("{}: {:.0f}% interval [{:.6g}, {:.6g}]", labels[k],
                                     100 * confidence, s.ci.low, s.ci.high),
                         fmt::format("{}: {:.0f}% interval [{:.6g}, {:.6g}]", labels[k],
                                     100 * confidence, s.ci.low, s.ci.high)};
      chart.series.push_back(ci);
    }
    plot::Series mean{"", {s.mean}, {row - 0.22}, "#222", plot::LineStyle::Solid, 8.0};
    mean.points = true;
    mean.group = labels[k];
    mean.point_titles = {fmt::format("{}: mean {:.6g} over {} seeds", labels[k], s.mean, s.n)};
    chart.series.push_back(mean);
  }
  return chart;
}

void add_figures(Report& report, const store::ResultsDb& db) {
  const auto& palette = plot::default_palette();
  // Past a handful of groups a legend inside a chart hides the curves; the HTML report then shows
  // one colour key for all figures instead.
  const bool in_chart_legends = report.groups.size() <= kMaxInChartLegend;
  // Learning curves follow the task: accuracy and cross-entropy for classification; MSE (the
  // regression loss) and, for image data, PSNR for regression, which has no accuracy.
  auto curve_chart = [&](const std::string& metric, const std::string& title,
                         const std::string& y_label, bool fraction, bool log) {
    const auto per_run = collect(db.epoch_values(metric), "");
    plot::Chart chart;
    chart.title = title;
    chart.x.label = "epoch";
    chart.x.integer = true;
    chart.y.label = y_label;
    chart.y.log = log;
    if (fraction) {
      chart.y.lower_bound = 0.0;
      chart.y.upper_bound = 1.0;
    }
    for (size_t g = 0; g < report.groups.size(); ++g)
      add_mean_band(chart, per_run, report.groups[g], group_label(report, report.groups[g]),
                    palette[g % palette.size()], fraction);
    chart.legend = in_chart_legends;
    return chart;
  };
  std::vector<plot::Chart> curves;
  if (report.regression) {
    curves.push_back(curve_chart("test_loss", "Test MSE (mean, dotted: ±1 std over seeds)",
                                 "test MSE", false, true));
    plot::Chart psnr = curve_chart("test_psnr", "Test PSNR", "PSNR (dB)", false, false);
    if (!psnr.series.empty()) curves.push_back(psnr);
  } else {
    curves.push_back(curve_chart("test_accuracy", "Test accuracy (mean, dotted: ±1 std over seeds)",
                                 "test accuracy", true, false));
    curves.push_back(curve_chart("test_loss", "Test loss", "cross-entropy", false, true));
  }
  report.figures.push_back(make_figure(
      "learning_curves",
      report.regression
          ? "Learning curves per group: test MSE (and PSNR for image data) at every evaluation "
            "(epoch 0: at initialisation)."
          : "Learning curves per group: test accuracy and loss after every epoch (epoch 0: at "
            "initialisation).",
      curves, static_cast<int>(curves.size())));

  // The per-seed values behind the table's metric column.
  std::vector<std::string> labels;
  std::vector<std::vector<double>> values;
  std::vector<std::vector<int64_t>> seeds;
  std::vector<stats::Summary> summaries;
  for (size_t g = 0; g < report.groups.size(); ++g) {
    labels.push_back(group_label(report, report.groups[g]));
    values.push_back(report.groups[g].values);
    seeds.push_back(report.groups[g].seeds);
    const auto* s = g < report.statistics.groups.size() && report.statistics.groups[g].summary
                        ? &*report.statistics.groups[g].summary
                        : nullptr;
    summaries.push_back(s ? *s : stats::Summary{});
  }
  const double confidence = report.statistics.options.confidence;
  report.figures.push_back(make_figure(
      "seeds",
      fmt::format("Final {} of every completed seed (dots; hover for its seed), with the group's "
                  "mean (black dot) and its {:.0f}% Student-t interval (black line) below.",
                  report.metric.label, 100 * confidence),
      {strip_chart(labels, values, seeds, summaries, "final " + report.metric.label, confidence)},
      1));

  // Layers, in order, from the groups' runs.
  std::vector<std::string> layers;
  for (const auto& g : report.groups)
    if (g.layers.size() > layers.size()) {
      layers.clear();
      for (const auto& l : g.layers) layers.push_back(l.name);
    }
  if (layers.empty()) return;

  plot::Chart depth;
  depth.title = "Weight-gradient norm against depth (last epoch)";
  depth.x.label = "hidden layer (1 = nearest the input)";
  depth.x.integer = true;
  depth.x.padding = 0.05;
  depth.y.label = "mean ||dL/dW||";
  depth.y.log = true;
  depth.legend = in_chart_legends;
  for (size_t g = 0; g < report.groups.size(); ++g) {
    const Group& group = report.groups[g];
    plot::Series s{group_label(report, group), {}, {}, palette[g % palette.size()],
                   plot::LineStyle::Solid,     2.0};
    for (size_t i = 0; i < group.layers.size(); ++i) {
      s.x.push_back(static_cast<double>(i + 1));
      s.y.push_back(group.layers[i].grad_norm.mean);
    }
    depth.series.push_back(s);
  }
  // A log axis cannot show a zero: a group whose every layer's gradient is 0 (a collapsed ReLU
  // net) draws nothing, and the caption says so rather than leave the reader to wonder.
  std::vector<std::string> all_zero;
  for (const plot::Series& s : depth.series) {
    const bool none_positive =
        std::none_of(s.y.begin(), s.y.end(), [](double v) { return std::isfinite(v) && v > 0; });
    const bool some_zero = std::any_of(s.y.begin(), s.y.end(), [](double v) { return v == 0; });
    if (none_positive && some_zero) all_zero.push_back(s.label);
  }
  report.figures.push_back(make_figure(
      "grad_norm_depth",
      "Mean L2 norm of each hidden layer's weight gradient over the last epoch's steps, by depth "
      "(log scale): a curve that drops towards layer 1 means gradients vanish on their way to the "
      "input." +
          (all_zero.empty() ? std::string()
                            : fmt::format(" Not drawn, their gradient is 0 in every layer: {}.",
                                          core::join(all_zero))),
      {depth}, 1));

  const auto dead = db.epoch_values("dead_fraction");
  std::vector<plot::Chart> panels;
  for (const auto& layer : layers) {
    plot::Chart chart;
    chart.title = "Dead units: " + layer;
    chart.x.label = "epoch";
    chart.x.integer = true;
    chart.y.label = "dead fraction";
    // The whole [0, 1] in every panel: layers are compared across panels, and a data-driven axis
    // starting at 0.2 makes a fifth of the units dead look like none.
    chart.y.min = 0.0;
    chart.y.max = 1.0;
    chart.width = 420;
    chart.height = 320;
    const PerRun per_run = collect(dead, layer);
    for (size_t g = 0; g < report.groups.size(); ++g)
      add_mean_band(chart, per_run, report.groups[g], group_label(report, report.groups[g]),
                    palette[g % palette.size()], true);
    chart.legend = panels.empty() && in_chart_legends;
    panels.push_back(chart);
  }
  report.figures.push_back(make_figure(
      "dead_fraction",
      "Share of each hidden layer's units whose derivative is zero on every probe sample, after "
      "every epoch.",
      panels, std::min<int>(3, static_cast<int>(panels.size()))));
}

}  // namespace actbench::report
