// The report's columns (issue 22, friction 1: tables too wide for a page or a screen): the default
// table is the compact one a paper prints, --columns picks and orders the columns of the Markdown,
// LaTeX and HTML tables (the CSV keeps them all), and a name it does not know, or a column the
// report cannot fill, is a located error that lists what it takes.
#include "report/report_columns.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "report/sweep_report.hpp"
#include "store/results_db.hpp"
#include "support/run_helpers.hpp"
#include "support/temp_dir.hpp"

namespace actbench::report::report_columns_test {
namespace {

using actbench::testing::run_cli;
using actbench::testing::TempDir;

const std::map<std::string, std::vector<double>> kAccuracy{{"relu", {0.9701, 0.9712, 0.9695}},
                                                           {"tanh", {0.9612, 0.9630, 0.9621}},
                                                           {"gelu", {0.9720, 0.9735, 0.9716}}};

std::vector<store::RunRow> runs() {
  std::vector<store::RunRow> out;
  for (const auto& [activation, values] : kAccuracy)
    for (size_t i = 0; i < values.size(); ++i) {
      store::RunRow r;
      r.run_id = activation + std::to_string(i);
      r.seed = static_cast<int64_t>(i);
      r.status = core::RunStatus::kCompleted;
      r.params["model.activation"] = activation;
      r.test_accuracy = values[i];
      r.test_loss = 1.0 - values[i];
      store::RunRow::Layer layer;
      layer.name = "fc1";
      layer.dead_fraction = 0.01;
      layer.grad_norm = 0.5;
      r.layers.push_back(layer);
      out.push_back(r);
    }
  return out;
}

Report report(bool baseline) {
  Report r = build_report(runs(), {"model.activation"});
  r.title = "columns";
  StatisticsOptions options;
  if (baseline) {
    options.baseline_key = "model.activation";
    options.baseline_value = "relu";
    options.resamples = 200;
  }
  add_statistics(r, options);
  return r;
}

// The line of `text` that starts with `start` ("" when none does).
std::string line_starting(const std::string& text, const std::string& start) {
  for (size_t at = 0; at < text.size();) {
    const size_t end = text.find('\n', at);
    const std::string line = text.substr(at, end == std::string::npos ? end : end - at);
    if (line.rfind(start, 0) == 0) return line;
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return "";
}

TEST(ReportColumns, TheDefaultBaselineLatexTableHasTheCompactColumns) {
  const std::string latex = render(report(true), "latex");
  EXPECT_NE(latex.find("\\begin{tabular}{@{}lrrrrr@{}}"), std::string::npos) << latex;
  EXPECT_EQ(line_starting(latex, "model.activation &"),
            "model.activation & n & test acc [95\\% CI] & $\\Delta$ vs relu & p Holm & g \\\\")
      << latex;
  // The mean with its interval in one cell; the baseline row says it is the baseline.
  const std::string gelu = line_starting(latex, "gelu &");
  EXPECT_NE(gelu.find("& 3 & 0.9724 ["), std::string::npos) << gelu;
  EXPECT_NE(gelu.find("& +0.0021 &"), std::string::npos) << gelu;
  EXPECT_NE(line_starting(latex, "relu &").find("& (baseline) & - & - \\\\"), std::string::npos)
      << latex;
  // The notes explain the columns shown, and no others.
  EXPECT_EQ(latex.find("median"), std::string::npos) << latex;
  EXPECT_NE(latex.find("g = Hedges' g"), std::string::npos) << latex;
}

TEST(ReportColumns, WithoutABaselineTheCompactTableComparesWithTheBest) {
  const std::string md = render(report(false), "md");
  EXPECT_EQ(line_starting(md, "| model.activation"),
            "| model.activation | n | test acc [95% CI] | vs best |")
      << md;
  EXPECT_NE(md.find("| gelu | 3 | 0.9724 ["), std::string::npos) << md;
  EXPECT_NE(md.find("no run diverged"), std::string::npos) << md;
}

TEST(ReportColumns, ColumnsPickAndOrderTheColumnsOfEveryPageFormat) {
  const Report r = report(true);
  const ColumnChoice choice = parse_columns("hedges_g, n,median,dead", SourceLocation::cli_arg(3));
  const std::string md = render(r, "md", {}, choice);
  EXPECT_EQ(line_starting(md, "| model.activation"),
            "| model.activation | g | n | median | fc1 dead |")
      << md;
  EXPECT_NE(md.find("| relu | (baseline) | 3 | 0.9701 | 1.0% |"), std::string::npos) << md;
  const std::string html = render(r, "html", {}, choice);
  EXPECT_NE(html.find("<tr><th>model.activation</th><th>g</th><th>n</th><th>median</th><th>fc1 "
                      "dead</th></tr>"),
            std::string::npos)
      << html;
  EXPECT_EQ(html.find("p Holm"), std::string::npos);
  const std::string latex = render(r, "latex", {}, choice);
  EXPECT_NE(latex.find("model.activation & g & n & median & fc1 dead \\\\"), std::string::npos)
      << latex;
  // `compact` extends: its columns, then the ones added, each once.
  EXPECT_EQ(
      line_starting(render(r, "md", {}, parse_columns("compact,median,n")), "| model.activation"),
      "| model.activation | n | test acc [95% CI] | Δ vs relu | p Holm | g | median |");
}

TEST(ReportColumns, AllIsTheFullTableAndTheCsvKeepsEveryColumn) {
  const Report r = report(true);
  EXPECT_EQ(line_starting(render(r, "md", {}, parse_columns("all")), "| model.activation"),
            "| model.activation | n | test acc (mean ± std) | 95% CI | median | min / max | Δ vs "
            "relu [95% CI] | p | p Holm | g | P(X>Y) [95% CI] | vs best | test loss | diverged | "
            "fc1 dead | fc1 \\|dL/dW\\| |");
  EXPECT_EQ(render(r, "csv", {}, parse_columns("n")), render(r, "csv"));
  EXPECT_NE(render(r, "csv").find("p_improvement_ci_high,fc1_dead_fraction"), std::string::npos);
}

TEST(ReportColumns, AnUnknownNameIsALocatedErrorListingTheNames) {
  try {
    parse_columns("n,p_holn", SourceLocation::cli_arg(4));
    FAIL() << "an unknown column was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.where().arg, 4);
    EXPECT_NE(e.message().find("unknown report column 'p_holn' (did you mean 'p_holm'?)"),
              std::string::npos)
        << e.message();
    for (const auto& column : report_columns())
      EXPECT_NE(e.hint().find(column.name), std::string::npos) << column.name << ": " << e.hint();
  }
  EXPECT_THROW(parse_columns("n,,median"), ConfigError);
  EXPECT_THROW(parse_columns(""), ConfigError);
}

TEST(ReportColumns, AColumnTheReportCannotFillIsRefused) {
  const ColumnChoice delta = parse_columns("n,delta", SourceLocation::cli_arg(5));
  try {
    render(report(false), "md", {}, delta);
    FAIL() << "a baseline column without a baseline was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.where().arg, 5);
    EXPECT_NE(e.message().find("'delta' compares with a baseline"), std::string::npos)
        << e.message();
    EXPECT_NE(e.hint().find("--baseline"), std::string::npos) << e.hint();
  }
  // A baseline that no column shows would be computed and silently dropped.
  EXPECT_THROW(render(report(true), "md", {}, parse_columns("n,mean_ci")), ConfigError);
  EXPECT_THROW(render(report(true), "md", {}, parse_columns("n,psnr")), ConfigError);
  EXPECT_THROW(render(report(true), "md", {}, parse_columns("collapsed")), ConfigError);
}

void execute_sql(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "") << "\n"
      << sql;
}

// The runs above as a sweep's results.db.
void write_sweep(const TempDir& dir) {
  const auto file = dir.path() / "results.db";
  { store::ResultsDb create(file); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  int position = 0;
  for (const auto& run : runs()) {
    execute_sql(db,
                "INSERT INTO runs(run_id, position, status, seed, directory, config_json, "
                "test_accuracy, test_loss) VALUES ('" +
                    run.run_id + "', " + std::to_string(position++) + ", 'completed', " +
                    std::to_string(run.seed) + ", 'runs/" + run.run_id + "', '{}', " +
                    std::to_string(*run.test_accuracy) + ", " + std::to_string(*run.test_loss) +
                    ")");
    execute_sql(db, "INSERT INTO run_params VALUES ('" + run.run_id + "', 'model.activation', '" +
                        run.params.at("model.activation") + "')");
  }
  execute_sql(db,
              "INSERT INTO sweep VALUES ('name', 'columns'), ('varied_keys', "
              "'[\"model.activation\", \"seed\"]')");
  sqlite3_close(db);
}

TEST(ReportColumns, TheCommandLineTakesColumnsAndLocatesWhatItRefuses) {
  TempDir dir;
  write_sweep(dir);
  const std::string sweep = dir.path().string();
  const auto picked =
      run_cli("report " + sweep + " --baseline model.activation=relu --columns p_holm,n");
  ASSERT_EQ(picked.exit_code, 0) << picked.output;
  EXPECT_NE(picked.output.find("| model.activation | p Holm | n |\n"), std::string::npos)
      << picked.output;

  const auto unknown = run_cli("report " + sweep + " --columns n,meann_ci");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_NE(unknown.output.find(
                "<cli>:arg3: error: unknown report column 'meann_ci' (did you mean 'mean_ci'?)"),
            std::string::npos)
      << unknown.output;
  EXPECT_NE(unknown.output.find("p_improvement"), std::string::npos) << unknown.output;

  const auto no_baseline = run_cli("report " + sweep + " --columns=n,hedges_g");
  EXPECT_EQ(no_baseline.exit_code, 2) << no_baseline.output;
  EXPECT_NE(no_baseline.output.find("<cli>:arg3: error: report column 'hedges_g' compares with "
                                    "a baseline"),
            std::string::npos)
      << no_baseline.output;

  const auto csv = run_cli("report " + sweep + " --format csv --columns n");
  EXPECT_EQ(csv.exit_code, 2) << csv.output;
  EXPECT_NE(csv.output.find("<cli>:arg5: error: --columns does not apply to --format csv"),
            std::string::npos)
      << csv.output;
  const auto empty = run_cli("report " + sweep + " --columns ''");
  EXPECT_EQ(empty.exit_code, 2) << empty.output;
}

}  // namespace
}  // namespace actbench::report::report_columns_test
