// The report's statistics and tables: baseline comparisons use the right baseline group and Holm
// across the family, the best group and its ties are marked by the stated rule, bad --baseline
// values are located errors, the aggregate normalises per setting, every format carries the same
// numbers, LaTeX escaping yields math-mode symbols, and axes get integer, bounded and decade ticks.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.hpp"
#include "plot/svg_plot.hpp"
#include "report/aggregate_report.hpp"
#include "report/sweep_report.hpp"
#include "report/table_format.hpp"
#include "stats/statistics.hpp"

namespace actbench::report {
namespace {

std::vector<store::RunRow> runs_of(const std::map<std::string, std::vector<double>>& accuracies) {
  std::vector<store::RunRow> runs;
  for (const auto& [activation, values] : accuracies) {
    for (size_t i = 0; i < values.size(); ++i) {
      store::RunRow r;
      r.run_id = activation + std::to_string(i);
      r.status = core::RunStatus::kCompleted;
      r.params["model.activation"] = activation;
      r.test_accuracy = values[i];
      r.test_loss = 1.0 - values[i];
      runs.push_back(r);
    }
  }
  return runs;
}

const std::map<std::string, std::vector<double>> kAccuracies{
    {"gelu", {0.951, 0.953, 0.950, 0.952}},
    {"relu", {0.940, 0.942, 0.941, 0.939}},
    {"sigmoid", {0.90, 0.91, 0.89, 0.92}},
    {"tanh", {0.9515, 0.9505, 0.953, 0.949}}};

TEST(ReportStatistics, BaselineComparisonsMatchTheStatisticsFunctions) {
  Report r = build_report(runs_of(kAccuracies), {"model.activation"});
  StatisticsOptions options;
  options.baseline_key = "model.activation";
  options.baseline_value = "relu";
  options.resamples = 1000;
  add_statistics(r, options);
  ASSERT_EQ(r.statistics.groups.size(), 4u);
  // Groups keep the order the runs come in: gelu, relu, sigmoid, tanh.
  EXPECT_FALSE(r.statistics.groups[1].versus_baseline) << "relu is its own baseline";
  EXPECT_EQ(r.statistics.comparisons, 3u);
  const auto& gelu = *r.statistics.groups[0].versus_baseline;
  EXPECT_EQ(gelu.baseline, 1u);
  const auto welch = stats::welch_test(kAccuracies.at("gelu"), kAccuracies.at("relu"));
  EXPECT_DOUBLE_EQ(gelu.welch.p, welch.p);
  EXPECT_DOUBLE_EQ(gelu.improvement.estimate, 1.0);  // every gelu seed beats every relu seed
  EXPECT_DOUBLE_EQ(gelu.hedges_g, stats::hedges_g(kAccuracies.at("gelu"), kAccuracies.at("relu")));
  std::vector<double> p;
  for (size_t g : {0, 2, 3}) p.push_back(r.statistics.groups[g].versus_baseline->welch.p);
  const auto holm = stats::holm_adjust(p);
  EXPECT_DOUBLE_EQ(r.statistics.groups[0].versus_baseline->p_holm, holm[0]);
  EXPECT_DOUBLE_EQ(r.statistics.groups[2].versus_baseline->p_holm, holm[1]);
  EXPECT_DOUBLE_EQ(r.statistics.groups[3].versus_baseline->p_holm, holm[2]);
  EXPECT_LT(r.statistics.groups[2].versus_baseline->welch.difference, 0.0);
}

TEST(ReportStatistics, BestAndNotSignificantlyDifferentFollowTheRule) {
  Report r = build_report(runs_of(kAccuracies), {"model.activation"});
  add_statistics(r, {});
  // gelu (mean 0.9515) and tanh (0.951) are indistinguishable; relu and sigmoid are clearly lower.
  EXPECT_EQ(r.statistics.groups[0].versus_best, "best");
  EXPECT_EQ(r.statistics.groups[3].versus_best, "n.s.");
  EXPECT_EQ(r.statistics.groups[1].versus_best, "lower");
  EXPECT_EQ(r.statistics.groups[2].versus_best, "lower");
  const std::string md = render(r, "md");
  EXPECT_NE(md.find("Holm-adjusted p >= 0.05"), std::string::npos) << "the rule is under the table";
}

TEST(ReportStatistics, BadBaselinesAreLocatedErrors) {
  Report r = build_report(runs_of(kAccuracies), {"model.activation"});
  StatisticsOptions options;
  options.baseline_where = SourceLocation::cli_arg(4);
  options.baseline_key = "model.init";
  options.baseline_value = "relu";
  try {
    add_statistics(r, options);
    FAIL() << "a key that is not grouped by must be refused";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.where().arg, 4);
    EXPECT_NE(std::string(e.what()).find("not a group-by key"), std::string::npos) << e.what();
  }
  options.baseline_key = "model.activation";
  options.baseline_value = "relu6";
  try {
    add_statistics(r, options);
    FAIL() << "a value no group has must be refused";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("gelu, relu, sigmoid, tanh"), std::string::npos)
        << e.what();
  }
}

TEST(ReportStatistics, EveryFormatCarriesTheSameNumbers) {
  Report r = build_report(runs_of(kAccuracies), {"model.activation"});
  r.title = "formats";
  StatisticsOptions options;
  options.baseline_key = "model.activation";
  options.baseline_value = "relu";
  options.resamples = 500;
  add_statistics(r, options);
  const auto& gelu = *r.statistics.groups[0].versus_baseline;
  const std::string difference = fmt::format("{:+.4f}", gelu.welch.difference);
  const std::string ci = fmt::format("{:.4f}", r.statistics.groups[0].summary->ci.low);
  for (const char* format : {"md", "latex", "html"}) {
    const std::string text = render(r, format);
    EXPECT_NE(text.find(difference), std::string::npos) << format;
    EXPECT_NE(text.find(ci), std::string::npos) << format;
    EXPECT_NE(text.find("(baseline)"), std::string::npos) << format;
  }
  const std::string csv = render(r, "csv");
  EXPECT_NE(csv.find(fmt::format("{:.10g}", gelu.welch.difference)), std::string::npos) << csv;
  EXPECT_EQ(csv.find("±"), std::string::npos) << "CSV has one number per column";
  const std::string latex = render(r, "latex", {true}, ColumnChoice{{"all"}});
  EXPECT_NE(latex.find("\\begin{table}"), std::string::npos);
  EXPECT_NE(latex.find("\\caption{formats: test accuracy over seeds against relu}"),
            std::string::npos)
      << latex;
  EXPECT_NE(latex.find("\\label{tab:formats}"), std::string::npos);
  EXPECT_EQ(latex.find("\\$\\pm\\$"), std::string::npos) << "± must not be escaped text";
  EXPECT_NE(latex.find("(mean $\\pm$ std)"), std::string::npos);
  EXPECT_NE(latex.find("$\\Delta$ vs relu"), std::string::npos);
}

TEST(TableFormat, LatexTextEscapesSpecialsAndMapsSymbols) {
  EXPECT_EQ(latex_text("a_b 50% & #1 $x {y} ~^\\"),
            "a\\_b 50\\% \\& \\#1 \\$x \\{y\\} \\textasciitilde{}\\textasciicircum{}"
            "\\textbackslash{}");
  EXPECT_EQ(latex_text("0.91 ± 0.01, |dL/dW|, Δ, ≥ é"),
            "0.91 $\\pm$ 0.01, $\\vert$dL/dW$\\vert$, $\\Delta$, $\\geq$ ?");
  EXPECT_EQ(render_csv({"a", "b"}, {{"x,y", "say \"hi\""}}), "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n");
}

TEST(AggregateReport, NormalisesPerSettingAndRanksByIqm) {
  Report easy = build_report(runs_of({{"a", {0.98, 0.99, 0.985}}, {"b", {0.95, 0.96, 0.955}}}),
                             {"model.activation"});
  Report hard = build_report(
      runs_of({{"a", {0.60, 0.62, 0.61}}, {"b", {0.70, 0.72, 0.71}}, {"c", {0.10, 0.11, 0.12}}}),
      {"model.activation"});
  easy.title = "easy";
  hard.title = "hard";
  const AggregateReport agg = aggregate({easy, hard}, {1000, 3, 0.95});
  ASSERT_EQ(agg.groups.size(), 3u);
  // Per setting 0 = worst group mean, 1 = best: a's runs are about 1 on easy and 0.83 on hard.
  const auto& a = agg.groups[0].label == "a" ? agg.groups[0] : agg.groups[1];
  EXPECT_NEAR(a.normalised[0][1], (0.99 - 0.955) / (0.985 - 0.955), 1e-12);
  EXPECT_NEAR(a.normalised[1][0], (0.60 - 0.11) / (0.71 - 0.11), 1e-12);
  EXPECT_EQ(agg.groups.back().label, "c");
  EXPECT_EQ(agg.groups.back().settings, 1);
  EXPECT_TRUE(std::isnan(agg.groups.back().means[0]));
  for (const auto& g : agg.groups) {
    EXPECT_LE(g.iqm.ci.low, g.iqm.iqm) << g.label;
    EXPECT_GE(g.iqm.ci.high, g.iqm.iqm) << g.label;
  }
  EXPECT_GE(agg.groups[0].iqm.iqm, agg.groups[1].iqm.iqm);
  ASSERT_EQ(agg.figures.size(), 1u);
  EXPECT_EQ(agg.figures[0].name, "performance_profile");
  const std::string md = render(agg, "md");
  EXPECT_NE(md.find("| c | 1/2 | 3 | 0 |"), std::string::npos) << md;
  EXPECT_NE(render(agg, "latex", {true}).find("\\caption{Aggregate over 2 settings"),
            std::string::npos);
}

TEST(AxisRange, IntegerBoundedDegenerateAndLogAxes) {
  plot::Axis epochs;
  epochs.integer = true;
  epochs.padding = 0.0;
  const auto [e_lo, e_hi] = plot::axis_range(epochs, {0, 1});
  for (double t : plot::axis_ticks(e_lo, e_hi, false, 7, true)) EXPECT_EQ(t, std::round(t)) << t;
  const auto single = plot::axis_range(epochs, {1});
  EXPECT_EQ(plot::axis_ticks(single.first, single.second, false, 7, true), std::vector<double>{1});

  plot::Axis fraction;
  fraction.lower_bound = 0.0;
  fraction.upper_bound = 1.0;
  EXPECT_EQ(plot::axis_range(fraction, {0, 0, 0}), (std::pair<double, double>{0.0, 1.0}));
  const auto top = plot::axis_range(fraction, {0.2, 1.0});
  EXPECT_GE(top.first, 0.0);
  EXPECT_EQ(top.second, 1.0);
  const auto constant = plot::axis_range(plot::Axis{}, {0.5, 0.5});
  EXPECT_NEAR(constant.first, 0.45, 1e-12);
  EXPECT_NEAR(constant.second, 0.55, 1e-12);

  plot::Axis log;
  log.log = true;
  const auto [l_lo, l_hi] = plot::axis_range(log, {0.3, 0.8});  // inside one decade
  EXPECT_EQ(l_lo, -1.0);
  EXPECT_EQ(l_hi, 0.0);
  EXPECT_GE(plot::axis_ticks(std::pow(10.0, l_lo), std::pow(10.0, l_hi), true).size(), 2u);
}

}  // namespace
}  // namespace actbench::report
