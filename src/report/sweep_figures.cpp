// The figures of a sweep report (see add_figures in sweep_report.hpp): learning curves per group,
// the weight-gradient norm against depth, and each layer's dead fraction over epochs.
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <set>

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
  return core::join(group.key_values, ", ");
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

std::string inline_svg(const std::string& document) {
  const auto start = document.find("<svg");
  return start == std::string::npos ? document : document.substr(start);
}

}  // namespace

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
  accuracy_chart.y.label = "test accuracy";
  Chart loss_chart;
  loss_chart.title = "Test loss";
  loss_chart.x.label = "epoch";
  loss_chart.y.label = "cross-entropy";
  loss_chart.y.log = true;
  for (size_t g = 0; g < report.groups.size(); ++g) {
    const std::string colour = palette[g % palette.size()];
    const std::string label = group_label(report, report.groups[g]);
    add_mean_band(accuracy_chart, accuracy, report.groups[g], label, colour, true);
    add_mean_band(loss_chart, loss, report.groups[g], label, colour, false);
  }
  accuracy_chart.legend = loss_chart.legend = in_chart_legends;
  report.figures.push_back({"learning_curves",
                            "Learning curves per group: test accuracy and loss after every epoch "
                            "(epoch 0: at initialisation).",
                            inline_svg(render_svg({accuracy_chart, loss_chart}, 2))});

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
  report.figures.push_back({"grad_norm_depth",
                            "Mean L2 norm of each hidden layer's weight gradient over the last "
                            "epoch's steps, by depth (log scale): a curve that drops towards layer "
                            "1 means gradients vanish on their way to the input.",
                            inline_svg(render_svg(depth))});

  const auto dead = db.epoch_values("dead_fraction");
  std::vector<Chart> panels;
  for (const auto& layer : layers) {
    Chart chart;
    chart.title = "Dead units: " + layer;
    chart.x.label = "epoch";
    chart.y.label = "dead fraction";
    chart.y.min = 0.0;
    chart.width = 420;
    chart.height = 320;
    const PerRun per_run = collect(dead, layer);
    for (size_t g = 0; g < report.groups.size(); ++g)
      add_mean_band(chart, per_run, report.groups[g], group_label(report, report.groups[g]),
                    palette[g % palette.size()], true);
    chart.legend = panels.empty() && in_chart_legends;
    panels.push_back(chart);
  }
  report.figures.push_back(
      {"dead_fraction",
       "Share of each hidden layer's units whose derivative is zero on every "
       "probe sample, after every epoch.",
       inline_svg(render_svg(panels, std::min<int>(3, static_cast<int>(panels.size()))))});
}

}  // namespace actbench::report
