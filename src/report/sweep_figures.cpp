// The figures of a sweep report (see add_figures in sweep_report.hpp): learning curves per group,
// each group's per-seed test accuracies with mean and 95% interval, the weight-gradient norm
// against depth, and each layer's dead fraction over epochs.
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <set>

#include "core/display.hpp"
#include "core/strings.hpp"
#include "report/svg_plot.hpp"
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
  return core::shorten_lists(core::join(group.key_values, ", "));
}

// Mean and mean +- std over a group's runs, epoch by epoch; the band's edges are dotted lines of
// the mean's colour, so a reader sees the seed-to-seed spread without a legend entry of its own.
// Fractions (accuracy, dead share) keep their band inside [0, 1].
void add_mean_band(Chart& chart, const PerRun& per_run, const Group& group,
                   const std::string& label, const std::string& colour, bool fraction) {
  std::map<int64_t, std::vector<double>> by_epoch;
  for (const auto& id : group.run_ids) {
    auto it = per_run.find(id);
    if (it == per_run.end()) continue;
    for (const auto& [epoch, value] : it->second) by_epoch[epoch].push_back(value);
  }
  if (by_epoch.empty()) return;
  Series mean{label, {}, {}, colour, LineStyle::Solid, 2.0};
  Series low{"", {}, {}, colour, LineStyle::Dotted, 1.0};
  Series high{"", {}, {}, colour, LineStyle::Dotted, 1.0};
  low.group = high.group = label;  // toggled with the mean
  for (const auto& [epoch, values] : by_epoch) {
    const Stat s = describe(values);
    mean.x.push_back(static_cast<double>(epoch));
    mean.y.push_back(s.mean);
    low.x.push_back(static_cast<double>(epoch));
    low.y.push_back(fraction ? std::max(0.0, s.mean - s.std) : s.mean - s.std);
    high.x.push_back(static_cast<double>(epoch));
    high.y.push_back(fraction ? std::min(1.0, s.mean + s.std) : s.mean + s.std);
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
                   const std::vector<Chart>& panels, int columns) {
  Figure figure{name, caption, inline_svg(render_svg(panels, columns)), {}};
  for (size_t i = 0; i < panels.size(); ++i)
    figure.panels.push_back(inline_svg(render_svg(panels[i], fmt::format("{}-plot{}", name, i))));
  return figure;
}

Chart strip_chart(const std::vector<std::string>& labels,
                  const std::vector<std::vector<double>>& values,
                  const std::vector<stats::Summary>& summaries, const std::string& value_label,
                  double confidence) {
  const auto& palette = default_palette();
  Chart chart;
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
    Series seeds{"", {}, {}, colour, LineStyle::Solid, 7.0};
    seeds.points = true;
    seeds.group = labels[k];
    for (size_t i = 0; i < values[k].size(); ++i) {
      seeds.x.push_back(values[k][i]);
      // Seeds spread a little up and down (above the mean's line), so equal values stay countable.
      const double spread = static_cast<double>(std::min<size_t>(values[k].size(), 5) - 1) / 2.0;
      seeds.y.push_back(row + 0.08 + 0.06 * (static_cast<double>(i % 5) - spread));
      seeds.point_titles.push_back(fmt::format("{}, seed {} of {}: {:.6g}", labels[k], i + 1,
                                               values[k].size(), values[k][i]));
    }
    chart.series.push_back(seeds);
    if (k >= summaries.size() || summaries[k].n == 0) continue;
    const auto& s = summaries[k];
    if (std::isfinite(s.ci.low)) {
      Series ci{"", {s.ci.low, s.ci.high}, {row - 0.22, row - 0.22}, "#222", LineStyle::Solid, 2.0};
      ci.group = labels[k];
      ci.point_titles = {fmt::format("{}: {:.0f}% interval [{:.6g}, {:.6g}]", labels[k],
                                     100 * confidence, s.ci.low, s.ci.high),
                         fmt::format("{}: {:.0f}% interval [{:.6g}, {:.6g}]", labels[k],
                                     100 * confidence, s.ci.low, s.ci.high)};
      chart.series.push_back(ci);
    }
    Series mean{"", {s.mean}, {row - 0.22}, "#222", LineStyle::Solid, 8.0};
    mean.points = true;
    mean.group = labels[k];
    mean.point_titles = {fmt::format("{}: mean {:.6g} over {} seeds", labels[k], s.mean, s.n)};
    chart.series.push_back(mean);
  }
  return chart;
}

void add_figures(Report& report, const store::ResultsDb& db) {
  const auto& palette = default_palette();
  // Past a handful of groups a legend inside a chart hides the curves; the HTML report then shows
  // one colour key for all figures instead.
  const bool in_chart_legends = report.groups.size() <= kMaxInChartLegend;
  const auto accuracy = collect(db.epoch_values("test_accuracy"), "");
  const auto loss = collect(db.epoch_values("test_loss"), "");

  Chart accuracy_chart;
  accuracy_chart.title = "Test accuracy (mean, dotted: ±1 std over seeds)";
  accuracy_chart.x.label = "epoch";
  accuracy_chart.x.integer = true;
  accuracy_chart.y.label = "test accuracy";
  accuracy_chart.y.lower_bound = 0.0;
  accuracy_chart.y.upper_bound = 1.0;
  Chart loss_chart;
  loss_chart.title = "Test loss";
  loss_chart.x.label = "epoch";
  loss_chart.x.integer = true;
  loss_chart.y.label = "cross-entropy";
  loss_chart.y.log = true;
  for (size_t g = 0; g < report.groups.size(); ++g) {
    const std::string colour = palette[g % palette.size()];
    const std::string label = group_label(report, report.groups[g]);
    add_mean_band(accuracy_chart, accuracy, report.groups[g], label, colour, true);
    add_mean_band(loss_chart, loss, report.groups[g], label, colour, false);
  }
  accuracy_chart.legend = loss_chart.legend = in_chart_legends;
  report.figures.push_back(make_figure("learning_curves",
                                       "Learning curves per group: test accuracy and loss after "
                                       "every epoch (epoch 0: at initialisation).",
                                       {accuracy_chart, loss_chart}, 2));

  // The per-seed values behind the table's accuracy column.
  std::vector<std::string> labels;
  std::vector<std::vector<double>> values;
  std::vector<stats::Summary> summaries;
  for (size_t g = 0; g < report.groups.size(); ++g) {
    labels.push_back(group_label(report, report.groups[g]));
    values.push_back(report.groups[g].accuracy_values);
    const auto* s = g < report.statistics.groups.size() && report.statistics.groups[g].accuracy
                        ? &*report.statistics.groups[g].accuracy
                        : nullptr;
    summaries.push_back(s ? *s : stats::Summary{});
  }
  const double confidence = report.statistics.options.confidence;
  report.figures.push_back(make_figure(
      "seeds",
      fmt::format("Final test accuracy of every completed seed (dots), with the group's mean "
                  "(black dot) and its {:.0f}% Student-t interval (black line) below.",
                  100 * confidence),
      {strip_chart(labels, values, summaries, "final test accuracy", confidence)}, 1));

  // Layers, in order, from the groups' runs.
  std::vector<std::string> layers;
  for (const auto& g : report.groups)
    if (g.layers.size() > layers.size()) {
      layers.clear();
      for (const auto& l : g.layers) layers.push_back(l.name);
    }
  if (layers.empty()) return;

  Chart depth;
  depth.title = "Weight-gradient norm against depth (last epoch)";
  depth.x.label = "hidden layer (1 = nearest the input)";
  depth.x.integer = true;
  depth.x.padding = 0.05;
  depth.y.label = "mean ||dL/dW||";
  depth.y.log = true;
  depth.legend = in_chart_legends;
  for (size_t g = 0; g < report.groups.size(); ++g) {
    const Group& group = report.groups[g];
    Series s{group_label(report, group), {}, {}, palette[g % palette.size()],
             LineStyle::Solid,           2.0};
    for (size_t i = 0; i < group.layers.size(); ++i) {
      s.x.push_back(static_cast<double>(i + 1));
      s.y.push_back(group.layers[i].grad_norm.mean);
    }
    depth.series.push_back(s);
  }
  report.figures.push_back(make_figure("grad_norm_depth",
                                       "Mean L2 norm of each hidden layer's weight gradient over "
                                       "the last epoch's steps, by depth (log scale): a curve that "
                                       "drops towards layer 1 means gradients vanish on their way "
                                       "to the input.",
                                       {depth}, 1));

  const auto dead = db.epoch_values("dead_fraction");
  std::vector<Chart> panels;
  for (const auto& layer : layers) {
    Chart chart;
    chart.title = "Dead units: " + layer;
    chart.x.label = "epoch";
    chart.x.integer = true;
    chart.y.label = "dead fraction";
    chart.y.lower_bound = 0.0;
    chart.y.upper_bound = 1.0;
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
