// The activation zoo's write layer: the table of every activation in every setting, the spread of
// each setting with its bootstrap interval (the figure that carries the depth claim), the
// aggregate against relu and each sweep's report, from the measurements and the decided claim
// only. The setup in the prose is read from the runs' resolved configs, not typed.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/strings.hpp"
#include "plot/svg_plot.hpp"
#include "stats/spread_intervals.hpp"
#include "stats/statistics.hpp"
#include "study/activation_zoo.hpp"
#include "study/study_support.hpp"
#include "study/zoo_statistics.hpp"

namespace actbench::study {
namespace {

// "[256, 256]"
std::string zoo_json_list(const nlohmann::json& values) {
  std::vector<std::string> parts;
  for (const auto& v : values) parts.push_back(v.dump());
  return "[" + core::join(parts, ", ") + "]";
}

// One setting's setup, from a run's resolved config and the sweep's seeds.
std::string zoo_setup(const ZooSweepResult& sweep) {
  if (sweep.config_json.empty()) return "no run recorded";
  const nlohmann::json c = nlohmann::json::parse(sweep.config_json);
  const auto& model = c.at("model");
  const auto& optim = c.at("optim");
  const auto& data = c.at("data");
  std::string net;
  if (model.at("type") == "cnn") {
    std::vector<std::string> convs;
    for (const auto& conv : model.at("conv"))
      convs.push_back(fmt::format("{}@{}x{}", conv.at("out_channels").get<int64_t>(),
                                  conv.at("kernel_size").get<int64_t>(),
                                  conv.at("kernel_size").get<int64_t>()));
    net = fmt::format("CNN, conv {} then hidden {}", core::join(convs, ", "),
                      zoo_json_list(model.at("hidden")));
  } else {
    net = fmt::format("MLP, hidden {}", zoo_json_list(model.at("hidden")));
  }
  const auto& init = model.at("init");
  const double gain = init.value("gain", 0.0);
  std::string optimiser = optim.at("name").get<std::string>();
  if (optimiser == "sgd" && optim.value("momentum", 0.0) > 0.0)
    optimiser += fmt::format(" with momentum {:g}", optim.at("momentum").get<double>());
  const std::string schedule = optim.at("schedule").at("name").get<std::string>();
  auto subset = [](int64_t n, const char* what) {
    return n > 0 ? fmt::format("the first {} {} images", n, what)
                 : fmt::format("all {} images", what);
  };
  std::vector<double> seeds(sweep.seeds.begin(), sweep.seeds.end());
  return fmt::format(
      "{}; init {} ({}; sine: siren); {} at lr {:g}{}, batch {}; {} epoch{} on {}, tested on {}; "
      "seeds {}",
      net, init.at("name").get<std::string>(),
      gain > 0 ? fmt::format("gain {:g}", gain) : "each activation's own gain", optimiser,
      optim.at("lr").get<double>(), schedule == "none" ? "" : ", " + schedule + " schedule",
      data.at("batch_size").get<int64_t>(), c.at("train").at("epochs").get<int64_t>(),
      c.at("train").at("epochs").get<int64_t>() == 1 ? "" : "s",
      subset(data.at("train_subset").get<int64_t>(), "training"),
      subset(data.at("test_subset").get<int64_t>(), "test"), join_numbers(seeds, 0, ", "));
}

}  // namespace

std::filesystem::path write_zoo(const std::filesystem::path& out, const ZooMeasurements& m,
                                const std::vector<ClaimResult>& claims) {
  // ---- The table: activation x setting.
  std::vector<std::string> names;
  for (const auto& sweep : m.sweeps)
    for (const auto& name : sweep.setting.activations)
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  std::vector<std::string> header{"activation"};
  for (const auto& sweep : m.sweeps) header.push_back(sweep.setting.title);
  MarkdownTable table(header);
  for (const auto& name : names) {
    std::vector<std::string> row{name};
    for (const auto& sweep : m.sweeps) {
      const auto& s = sweep.setting;
      const auto found = std::find(s.activations.begin(), s.activations.end(), name);
      if (found == s.activations.end()) {
        row.push_back("-");
        continue;
      }
      const auto i = static_cast<size_t>(found - s.activations.begin());
      const auto& seeds = s.accuracies[i];
      // One seed has no standard deviation: "-", as in the report tables.
      std::string cell = "n/a";
      if (!seeds.empty()) {
        const stats::Summary sum = stats::summarize(seeds);
        cell = seeds.size() < 2 ? fmt::format("{:.4f} ± -", sum.mean)
                                : fmt::format("{:.4f} ± {:.4f}", sum.mean, sum.std);
      }
      if (s.diverged[i] > 0) cell += fmt::format(" ({} of {} diverged)", s.diverged[i], s.runs[i]);
      row.push_back(cell);
    }
    table.add(row);
  }
  write_text(out / "zoo.csv", table.csv());

  // ---- The spread per setting, with its bootstrap interval.
  MarkdownTable spread({"setting", "best (mean)", "worst (mean)", "best - worst", "median",
                        "interquartile range", "95% interval (bootstrap over seeds)"});
  plot::Chart chart;
  chart.title = "Interquartile range of the activations' mean accuracies, with 95% intervals";
  chart.x.label = "setting";
  chart.y.label = "interquartile range of mean test accuracy";
  chart.width = 820;
  chart.height = 440;
  double shallow_iqr = std::nan("");
  for (size_t k = 0; k < m.sweeps.size(); ++k) {
    const ZooSetting& s = m.sweeps[k].setting;
    // "MNIST deep narrow MLP (20 x 64)" -> "MNIST deep narrow MLP": the ticks share the width.
    chart.x.categories.push_back(s.title.substr(0, s.title.find(" (")));
    std::vector<double> means;
    std::vector<std::string> mean_names;
    for (size_t i = 0; i < s.accuracies.size(); ++i) {
      if (s.accuracies[i].empty()) continue;
      means.push_back(stats::summarize(s.accuracies[i]).mean);
      mean_names.push_back(s.activations[i]);
    }
    if (means.empty()) continue;
    const auto best = std::max_element(means.begin(), means.end()) - means.begin();
    const auto worst = std::min_element(means.begin(), means.end()) - means.begin();
    const stats::Spread iqr =
        stats::interquartile_range_of_means(s.accuracies, kZooResamples, kZooBootstrapSeed);
    if (s.key == "mnist") shallow_iqr = iqr.estimate;
    spread.add({s.title, fmt::format("{} {:.4f}", mean_names[best], means[best]),
                fmt::format("{} {:.4f}", mean_names[worst], means[worst]),
                fmt::format("{:.4f}", means[best] - means[worst]),
                fmt::format("{:.4f}", stats::quantile(means, 0.5)),
                fmt::format("{:.4f}", iqr.estimate),
                fmt::format("[{:.4f}, {:.4f}]", iqr.ci.low, iqr.ci.high)});
    const auto x = static_cast<double>(k);
    plot::Series point{
        k == 0 ? "IQR (dot) and its 95% interval (bar)" : "", {x}, {iqr.estimate}, "#1f77b4"};
    point.points = true;
    point.width = 9;
    point.group = "iqr";
    plot::Series bar{"", {x, x}, {iqr.ci.low, iqr.ci.high}, "#1f77b4"};
    bar.width = 2.5;
    bar.group = "iqr";
    chart.series.push_back(point);
    chart.series.push_back(bar);
  }
  if (std::isfinite(shallow_iqr) && !claims.empty()) {
    const Rule& rule = claims.front().claim.rule;
    const double last = static_cast<double>(m.sweeps.size() - 1);
    for (const auto& [factor, what, style] :
         {std::tuple<double, const char*, plot::LineStyle>{rule.agrees_at, "agrees",
                                                           plot::LineStyle::Dashed},
          {rule.partly_at, "partly", plot::LineStyle::Dotted}}) {
      plot::Series line{fmt::format("{:g} x MNIST MLP's IQR (\"{}\")", factor, what),
                        {-0.2, last + 0.2},
                        {factor * shallow_iqr, factor * shallow_iqr},
                        "#555555"};
      line.style = style;
      line.width = 1.5;
      chart.series.push_back(line);
    }
  }
  chart.x.min = -0.5;
  chart.x.max = static_cast<double>(m.sweeps.size()) - 0.5;
  chart.y.min = 0.0;
  chart.legend_position = plot::LegendPosition::TopLeft;
  plot::write_svg(out / "spread.svg", plot::render_svg(chart));

  // ---- README.
  std::string md;
  md += "# The activation zoo on MNIST and Fashion-MNIST\n\n";
  md += fmt::format(
      "Generated by `actbench study activation_zoo{}`; rerun it to regenerate this file (the "
      "sweeps resume, so finished runs are not trained again). Every activation in the registry "
      "(`expr` aside: it is how users write new ones), test accuracy mean ± sample std over "
      "seeds. The settings, read from the runs' resolved configs (sweep files "
      "`experiments/activation_zoo_*.yaml`):\n\n",
      m.full ? " --full" : "");
  for (const auto& sweep : m.sweeps)
    md += fmt::format("- **{}**: {}.\n", sweep.setting.title, zoo_setup(sweep));
  md +=
      "\nsine is paired with its siren init, whose w0 = 30 suits Adam at lr 1e-4 (SIREN's "
      "setting), not this SGD.\n\n";
  md += table.str();
  md += "\n## Where the differences become large\n\n";
  md += fmt::format(
      "The interquartile range (IQR) of the activations' mean accuracies is the spread one or "
      "two activations that fail outright cannot dominate. Its interval resamples each "
      "activation's seeds with replacement ({} resamples, seed {}); an activation trained when "
      "its mean accuracy reaches {:g} x chance.\n\n",
      kZooResamples, kZooBootstrapSeed, kZooTrainedFactor);
  md += spread.str();
  if (!claims.empty()) md += "\n" + verdict_paragraph(claims.front());
  md +=
      "![IQR per setting with its bootstrap interval, and the rule's thresholds for the deep "
      "narrow MLP](spread.svg)\n\n";
  std::vector<report::Report> settings;
  std::vector<std::string> titles, directories;
  for (const auto& sweep : m.sweeps) {
    settings.push_back(sweep.report);
    titles.push_back(sweep.setting.title);
    directories.push_back(sweep.setting.key);
  }
  md += zoo_aggregate_section(out, settings, titles, directories);
  md += "## Each sweep\n\n";
  for (const auto& sweep : m.sweeps) {
    md += "### " + sweep.setting.title + "\n\n";
    md += fmt::format("Sweep `{0}/`; learning curves and per-layer plots in `{0}/plots/`.\n\n",
                      sweep.setting.key);
    md += sweep.table + "\n";
  }
  write_text(out / "README.md", md);
  return out / "README.md";
}

}  // namespace actbench::study
