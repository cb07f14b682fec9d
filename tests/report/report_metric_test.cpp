// The report's metric follows the task (issue 22, bug 2): a regression sweep's table, baseline
// comparisons, strip chart and learning curves are on test MSE (PSNR and the collapsed share
// beside it), and --metric chooses another; a metric the runs do not have is a located error.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "report/sweep_report.hpp"
#include "store/results_db.hpp"
#include "support/run_helpers.hpp"
#include "support/temp_dir.hpp"

namespace actbench::report {
namespace {

using actbench::testing::run_cli;
using actbench::testing::TempDir;

// relu fits worse (higher MSE, lower PSNR) and collapses in one of three seeds.
const std::map<std::string, std::vector<double>> kMse{{"relu", {0.040, 0.050, 0.045}},
                                                      {"tanh", {0.010, 0.012, 0.011}}};

double psnr_of(double mse) { return 10.0 * std::log10(1.0 / mse); }

std::vector<store::RunRow> regression_runs() {
  std::vector<store::RunRow> runs;
  for (const auto& [activation, values] : kMse)
    for (size_t i = 0; i < values.size(); ++i) {
      store::RunRow r;
      r.run_id = activation + std::to_string(i);
      r.seed = static_cast<int64_t>(i);
      r.status = core::RunStatus::kCompleted;
      r.params["model.activation"] = activation;
      r.test_loss = r.test_mse = values[i];
      r.train_mse = values[i];
      r.psnr = psnr_of(values[i]);
      r.collapsed = activation == "relu" && i == 0;
      runs.push_back(r);
    }
  return runs;
}

std::string row_of(const std::string& md, const std::string& group) {
  const auto at = md.find("| " + group + " |");
  return at == std::string::npos ? "" : md.substr(at, md.find('\n', at) - at);
}

TEST(ReportMetric, RegressionTablesAreOnTestMseWithPsnrAndCollapsedBesideIt) {
  Report r = build_report(regression_runs(), {"model.activation"});
  EXPECT_TRUE(r.regression);
  EXPECT_EQ(r.metric.name, "test_mse");
  StatisticsOptions options;
  options.baseline_key = "model.activation";
  options.baseline_value = "relu";
  options.resamples = 1000;
  add_statistics(r, options);
  const std::string md = render(r, "md", {}, ColumnChoice{{"all"}});
  EXPECT_NE(md.find("test MSE (mean ± std)"), std::string::npos) << md;
  EXPECT_NE(md.find("PSNR (dB)"), std::string::npos) << md;
  EXPECT_NE(md.find("P(X<Y)"), std::string::npos) << md;
  EXPECT_EQ(md.find("test acc"), std::string::npos) << md;
  const std::string tanh = row_of(md, "tanh");
  // Mean 0.011 ± 0.001; the lowest MSE is the best; every seed beats every relu seed.
  EXPECT_NE(tanh.find("| 0.011 ± 0.001 |"), std::string::npos) << tanh;
  EXPECT_NE(tanh.find("| -0.034 ["), std::string::npos) << tanh;
  EXPECT_NE(tanh.find("| 1.00 [1.00, 1.00] | best |"), std::string::npos) << tanh;
  const double mean_psnr = (psnr_of(0.010) + psnr_of(0.012) + psnr_of(0.011)) / 3.0;
  EXPECT_NE(tanh.find(fmt::format("| {:.2f} ± ", mean_psnr)), std::string::npos) << tanh;
  EXPECT_NE(tanh.find("| 0/3 |"), std::string::npos) << tanh;
  const std::string relu = row_of(md, "relu");
  EXPECT_NE(relu.find("(baseline)"), std::string::npos) << relu;
  EXPECT_NE(relu.find("| higher |"), std::string::npos) << relu;
  EXPECT_NE(relu.find("| 1/3 |"), std::string::npos) << relu;
  EXPECT_NE(md.find("Test MSE over the completed seeds"), std::string::npos) << md;
  const std::string csv = render(r, "csv");
  EXPECT_NE(csv.find("test_mse_mean,test_mse_std"), std::string::npos) << csv;
  EXPECT_NE(csv.find("psnr_mean,psnr_std,collapsed"), std::string::npos) << csv;
}

TEST(ReportMetric, MetricChoosesWhatTheStatisticsAreOn) {
  Report psnr = build_report(regression_runs(), {"model.activation"}, "psnr");
  add_statistics(psnr, {});
  EXPECT_EQ(psnr.statistics.groups[1].versus_best, "best");  // tanh: the highest PSNR
  EXPECT_EQ(psnr.statistics.groups[0].versus_best, "lower");
  EXPECT_NE(render(psnr, "md").find("PSNR (dB) [95% CI]"), std::string::npos);
  const std::string all = render(psnr, "md", {}, ColumnChoice{{"all"}});
  EXPECT_NE(all.find("PSNR (dB) (mean ± std)"), std::string::npos) << all;
  EXPECT_NE(all.find("test MSE"), std::string::npos) << all;  // now beside it
  Report collapsed = build_report(regression_runs(), {"model.activation"}, "collapsed");
  add_statistics(collapsed, {});
  EXPECT_NEAR(collapsed.statistics.groups[0].summary->mean, 1.0 / 3.0, 1e-12);
  try {
    build_report(regression_runs(), {"model.activation"}, "test_accuracy",
                 SourceLocation::cli_arg(4));
    ADD_FAILURE() << "a metric no run has was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.where().str(), SourceLocation::cli_arg(4).str());
    EXPECT_NE(std::string(e.what()).find("test_mse"), std::string::npos) << e.what();
  }
  EXPECT_THROW(metric_named("accuracy"), ConfigError);
}

void execute_sql(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "") << "\n"
      << sql;
}

// The regression runs above in a results database, with test MSE and PSNR at epochs 0 and 10.
void regression_database(const TempDir& dir) {
  const auto file = dir.path() / "results.db";
  { store::ResultsDb create(file); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  int position = 0;
  for (const auto& run : regression_runs()) {
    execute_sql(
        db, fmt::format("INSERT INTO runs(run_id, position, status, seed, directory, "
                        "config_json, test_loss, train_mse, test_mse, collapsed, psnr) VALUES "
                        "('{0}', {1}, 'completed', {2}, 'runs/{0}', '{{}}', {3}, {3}, {3}, {4}, "
                        "{5})",
                        run.run_id, position++, run.seed, *run.test_mse, *run.collapsed ? 1 : 0,
                        *run.psnr));
    execute_sql(db, fmt::format("INSERT INTO run_params VALUES ('{}', 'model.activation', '{}')",
                                run.run_id, run.params.at("model.activation")));
    for (int epoch : {0, 10})
      for (const auto& [metric, value] : std::vector<std::pair<std::string, double>>{
               {"test_loss", epoch == 0 ? 0.5 : *run.test_mse},
               {"test_psnr", epoch == 0 ? psnr_of(0.5) : *run.psnr}})
        execute_sql(db, fmt::format("INSERT INTO metrics VALUES ('{}', {}, {}, '', '{}', {})",
                                    run.run_id, epoch, epoch, metric, value));
  }
  execute_sql(db,
              "INSERT INTO sweep VALUES ('name', 'fit'), ('varied_keys', "
              "'[\"model.activation\", \"seed\"]')");
  sqlite3_close(db);
}

TEST(ReportMetric, RegressionFiguresShowMseAndFilledSeedStrips) {
  TempDir dir;
  regression_database(dir);
  const Report r = load_report(dir.path(), {});
  ASSERT_EQ(r.figures.size(), 2u);  // no layers in this database
  const Figure& curves = r.figures[0];
  ASSERT_EQ(curves.panels.size(), 2u);
  EXPECT_NE(curves.panels[0].find(">test MSE<"), std::string::npos);
  EXPECT_EQ(curves.svg.find("cross-entropy"), std::string::npos);
  EXPECT_EQ(curves.svg.find("test accuracy"), std::string::npos);
  EXPECT_NE(curves.panels[1].find("PSNR (dB)"), std::string::npos);
  for (const auto& panel : curves.panels)
    EXPECT_NE(panel.find("<path class=\"series\""), std::string::npos) << panel;
  const Figure& seeds = r.figures[1];
  EXPECT_NE(seeds.svg.find("tanh, seed 2: 0.011"), std::string::npos) << seeds.svg;
  EXPECT_NE(seeds.svg.find("final test MSE"), std::string::npos);
  EXPECT_NE(seeds.caption.find("test MSE"), std::string::npos);
  const std::string html = render(r, "html");
  EXPECT_NE(html.find("test MSE [95% CI]"), std::string::npos);
}

TEST(ReportMetric, TheCommandLineTakesMetricAndLocatesAnUnknownOne) {
  TempDir dir;
  regression_database(dir);
  const auto psnr = run_cli("report " + dir.path().string() + " --metric psnr");
  EXPECT_EQ(psnr.exit_code, 0) << psnr.output;
  EXPECT_NE(psnr.output.find("PSNR (dB) [95% CI]"), std::string::npos) << psnr.output;
  const auto bad = run_cli("report " + dir.path().string() + " --metric accuracy");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("<cli>:arg3"), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find("test_accuracy, test_loss, test_mse, psnr, collapsed"),
            std::string::npos)
      << bad.output;
  const auto absent = run_cli("report " + dir.path().string() + " --metric test_accuracy");
  EXPECT_EQ(absent.exit_code, 2) << absent.output;
  EXPECT_NE(absent.output.find("no completed run has test_accuracy"), std::string::npos)
      << absent.output;
}

}  // namespace
}  // namespace actbench::report

namespace actbench::report {
namespace {

// A log axis cannot draw a zero: a group whose every layer's gradient is 0 (relu collapsed here)
// is missing from the depth chart, and the caption names it instead of leaving it unexplained.
TEST(ReportMetric, TheDepthChartSaysWhichGroupsHaveZeroGradientsItCannotDraw) {
  TempDir dir;
  regression_database(dir);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() / "results.db").c_str(), &db), SQLITE_OK);
  for (const auto& run : regression_runs())
    for (int layer : {0, 1})
      execute_sql(db, fmt::format("INSERT INTO layers(run_id, layer_index, name, units, "
                                  "activation, grad_norm) VALUES ('{}', {}, 'fc{}', 2, '{}', {})",
                                  run.run_id, layer, layer + 1, run.params.at("model.activation"),
                                  run.params.at("model.activation") == "relu" ? 0.0 : 0.5));
  sqlite3_close(db);
  const Report r = load_report(dir.path(), {});
  const Figure* depth = nullptr;
  for (const Figure& f : r.figures)
    if (f.name == "grad_norm_depth") depth = &f;
  ASSERT_NE(depth, nullptr);
  EXPECT_NE(depth->caption.find("Not drawn, their gradient is 0 in every layer: relu."),
            std::string::npos)
      << depth->caption;
  EXPECT_EQ(depth->caption.find("tanh"), std::string::npos) << depth->caption;
}

}  // namespace
}  // namespace actbench::report
