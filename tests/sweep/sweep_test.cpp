// Sweeps: grid/zip/seed expansion, stable ids, located errors, worker processes writing the results
// database, divergence recorded while the sweep goes on, the directory lock, and the report
// formats. SIGKILL then --resume is tested in tests/reliability/sweep_kill_test.cpp.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/display.hpp"
#include "report/sweep_report.hpp"
#include "store/results_db.hpp"
#include "support/run_helpers.hpp"
#include "sweep/sweep_plan.hpp"

namespace actbench::sweep {
namespace {

using actbench::testing::run_cli;
using actbench::testing::TempDir;

const char* kBase = "data: {dataset: synthetic}\nmodel: {hidden: [16]}\ntrain: {epochs: 2}\n";

std::string error_of(const TempDir& dir, const std::string& sweep_yaml) {
  dir.write("base.yaml", kBase);
  const auto file = dir.write("s.yaml", sweep_yaml);
  try {
    plan_sweep(file.string(), {});
  } catch (const ConfigError& e) {
    std::string text = e.what();
    const auto prefix = dir.path().string() + "/";
    for (size_t p; (p = text.find(prefix)) != std::string::npos;) text.erase(p, prefix.size());
    return text;
  }
  ADD_FAILURE() << "no ConfigError";
  return "";
}

TEST(SweepPlan, GridZipAndSeedsExpandInOrderWithStableIds) {
  TempDir dir;
  dir.write("base.yaml", kBase);
  const auto file = dir.write("s.yaml", R"(name: demo
base: base.yaml
set: {train.epochs: 1}
grid: {model.activation: [relu, tanh], optim.lr: [0.1, 0.01]}
zip: {model.hidden: [[8], [16]], model.dropout: [0.0, 0.1]}
seeds: [0, 1, 2]
)");
  const SweepPlan plan = plan_sweep(file.string(), {});
  EXPECT_EQ(plan.name, "demo");
  EXPECT_EQ(plan.runs.size(), 2u * 2u * 2u * 3u);
  EXPECT_EQ(plan.varied_keys, (std::vector<std::string>{"model.activation", "optim.lr",
                                                        "model.hidden", "model.dropout", "seed"}));
  EXPECT_EQ(plan.runs[0].label,
            "model.activation=relu optim.lr=0.1 model.hidden=[8] model.dropout=0.0 seed=0");
  EXPECT_EQ(plan.runs[1].prepared.spec.seed, 1);
  EXPECT_EQ(plan.runs[3].prepared.spec.model.hidden, (std::vector<int64_t>{16}));
  EXPECT_EQ(plan.runs[3].prepared.spec.model.dropout, 0.1);
  EXPECT_EQ(plan.runs.back().prepared.spec.model.activation.name, "tanh");
  EXPECT_EQ(plan.runs[5].prepared.spec.train.epochs, 1);
  std::set<std::string> ids;
  for (const auto& run : plan.runs) ids.insert(run.planned.run_id);
  EXPECT_EQ(ids.size(), plan.runs.size());
  const SweepPlan again = plan_sweep(file.string(), {});
  for (size_t i = 0; i < plan.runs.size(); ++i)
    EXPECT_EQ(plan.runs[i].planned.run_id, again.runs[i].planned.run_id);
  EXPECT_EQ(plan.runs[0].planned.params.at("model.activation"), "relu");
}

TEST(SweepPlan, CommandLineAxesOnAPlainConfig) {
  TempDir dir;
  const auto file = dir.write("c.yaml", kBase);
  const SweepPlan plan =
      plan_sweep(file.string(),
                 {{"model.activation=relu,gelu,tanh", 3}, {"seed=0,1", 4}, {"train.epochs=1", 5}});
  EXPECT_EQ(plan.runs.size(), 6u);
  EXPECT_EQ(plan.name, "c");
  EXPECT_EQ(plan.runs[5].prepared.spec.model.activation.name, "tanh");
  EXPECT_EQ(plan.runs[5].prepared.spec.train.epochs, 1);
}

TEST(SweepPlan, AFixedOverrideOfAnAxisKeyReplacesTheAxis) {
  // `seed=0` and `optim.lr=0.5` on a sweep file that varies both: one value each, not the file's
  // axes with the override silently overwritten.
  TempDir dir;
  dir.write("base.yaml", kBase);
  const auto file = dir.write("s.yaml", R"(base: base.yaml
grid: {optim.lr: [0.1, 0.01], model.activation: [relu, tanh]}
zip: {model.hidden: [[8], [16]], model.dropout: [0.0, 0.1]}
seeds: [0, 1, 2]
)");
  const SweepPlan plan = plan_sweep(file.string(), {{"seed=0", 2}, {"optim.lr=0.5", 3}});
  ASSERT_EQ(plan.runs.size(), 2u * 2u);
  for (const auto& run : plan.runs) {
    EXPECT_EQ(run.prepared.spec.seed, 0);
    EXPECT_EQ(run.prepared.spec.optim.lr, 0.5);
  }
  // One key of a zip cannot be replaced alone: a located refusal.
  try {
    plan_sweep(file.string(), {{"model.dropout=0.2", 4}});
    ADD_FAILURE() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("<cli>:arg4"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("varied together with model.hidden, model.dropout"),
              std::string::npos)
        << e.what();
  }
}

TEST(SweepPlan, ALongPlanListsItsEndsAndDryRunListsEveryRun) {
  TempDir dir;
  const auto file = dir.write("c.yaml", kBase);
  const SweepPlan plan = plan_sweep(file.string(), {{"seed=0..99", 2}});
  const std::string shown = describe_plan(plan);
  EXPECT_NE(shown.find("seed=0\n"), std::string::npos);
  EXPECT_NE(shown.find("seed=99\n"), std::string::npos);
  EXPECT_EQ(shown.find("seed=50\n"), std::string::npos);
  EXPECT_NE(shown.find("... 76 more runs (--dry-run lists every run"), std::string::npos) << shown;
  const std::string every = describe_plan(plan, true);
  EXPECT_NE(every.find("seed=50\n"), std::string::npos);
  EXPECT_EQ(every.find("more runs"), std::string::npos);
  // A deep model.hidden reads as its size.
  EXPECT_EQ(core::shorten_lists("model.hidden=[64, 64, 64, 64, 64, 64, 64, 64, 64, 64] seed=0"),
            "model.hidden=[64 x 10] seed=0");
  EXPECT_EQ(core::shorten_lists("model.hidden=[1, 2, 3, 4, 5, 6, 7, 8, 9]"),
            "model.hidden=[1, 2, 3, ... (9 items)]");
  EXPECT_EQ(core::shorten_lists("model.hidden=[8, 8] x=[a]"), "model.hidden=[8, 8] x=[a]");
}

// The activation search's candidates read as their expressions in tables, legends and plans, not
// inside the expr activation's label; anything else, or an expr with more to say, stays as is.
TEST(SweepPlan, AnExpressionActivationReadsAsItsText) {
  EXPECT_EQ(core::readable_value("expr(expr=min(x, atan(x)), learnable=[])"), "min(x, atan(x))");
  EXPECT_EQ(core::readable_value("relu, expr(expr=x * sigmoid(x), learnable=[]), 0.1"),
            "relu, x * sigmoid(x), 0.1");
  EXPECT_EQ(core::readable_value("expr(expr=x * sigmoid(b * x), learnable=[b], b=1.0)"),
            "expr(expr=x * sigmoid(b * x), learnable=[b], b=1.0)");
  EXPECT_EQ(core::readable_value("expr(expr=max(x, 0"), "expr(expr=max(x, 0");
  EXPECT_EQ(core::readable_value("model.hidden=[64, 64, 64, 64, 64, 64, 64, 64, 64, 64]"),
            "model.hidden=[64 x 10]");
}

TEST(SweepPlan, BadValuesFailTheWholeSweepAtTheirLocation) {
  TempDir dir;
  EXPECT_NE(error_of(dir, "base: base.yaml\ngrid: {model.activation: [relu, rellu]}\n")
                .find("s.yaml:2:33: error: unknown activation 'rellu' (did you mean 'relu'?)"),
            std::string::npos);
  EXPECT_NE(
      error_of(dir, "base: base.yaml\ngrid: {model.activaton: [relu]}\n")
          .find("s.yaml:2:8: error: unknown key 'activaton' in model (did you mean 'activation'?)"),
      std::string::npos);
  EXPECT_NE(
      error_of(dir, "base: base.yaml\ngird: {seed: [1]}\n")
          .find("s.yaml:2:1: error: unknown key 'gird' in a sweep file (did you mean 'grid'?)"),
      std::string::npos);
  EXPECT_NE(error_of(dir, "base: base.yaml\nzip: {seed: [1, 2], optim.lr: [0.1]}\n")
                .find("s.yaml:2:31: error: zip.optim.lr has 1 values"),
            std::string::npos);
  EXPECT_NE(
      error_of(dir, "base: missing.yaml\nseeds: [1]\n").find("s.yaml:1:7: error: base config"),
      std::string::npos);
  EXPECT_NE(
      error_of(dir, "base: base.yaml\ngrid: {seed: [1, 1]}\n").find("resolve to the same config"),
      std::string::npos);
  EXPECT_NE(error_of(dir, "base: base.yaml\nseeds: [0, -1]\n")
                .find("s.yaml:2:12: error: a seed must be an integer >= 0"),
            std::string::npos);
}

struct DbView {
  std::map<core::RunStatus, int64_t> counts;
  std::map<std::string, double> accuracy;  // run id -> test accuracy
  std::string integrity;
  size_t runs = 0;
};

DbView read_db(const std::filesystem::path& dir) {
  store::ResultsDb db(dir / "results.db");
  DbView view;
  view.counts = db.status_counts();
  view.integrity = db.integrity_check();
  const auto rows = db.runs();
  view.runs = rows.size();
  for (const auto& row : rows)
    if (row.test_accuracy) view.accuracy[row.run_id] = *row.test_accuracy;
  return view;
}

TEST(SweepRun, WorkersFillTheDatabaseAndDivergenceIsARecordedResult) {
  TempDir dir;
  dir.write("base.yaml", kBase);
  dir.write("s.yaml",
            "name: d\nbase: base.yaml\ngrid: {optim.lr: [0.05, 100000], model.activation: "
            "[sigmoid, relu]}\n"
            "set: {optim.momentum: 0.99}\nseeds: [0]\n");
  const auto result = run_cli("sweep s.yaml --workers 2 --dir out", dir.path().string());
  EXPECT_EQ(result.exit_code, 0) << result.output;
  DbView view = read_db(dir.path() / "out");
  EXPECT_EQ(view.integrity, "ok");
  EXPECT_EQ(view.runs, 4u);
  EXPECT_EQ(view.counts[core::RunStatus::kCompleted], 2) << result.output;
  EXPECT_EQ(view.counts[core::RunStatus::kDiverged], 2) << result.output;
  store::ResultsDb db(dir.path() / "out" / "results.db");
  for (const auto& row : db.runs()) {
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "out" / row.directory / "summary.json"));
    EXPECT_EQ(row.status, row.params.at("optim.lr") == "0.05" ? core::RunStatus::kCompleted
                                                              : core::RunStatus::kDiverged)
        << row.reason;
    if (row.status == core::RunStatus::kDiverged) {
      EXPECT_NE(row.reason.find("loss became"), std::string::npos) << row.reason;
    }
  }
  EXPECT_NE(result.output.find("| 100000.0 | sigmoid | 0 |"), std::string::npos) << result.output;
  // Without --resume an existing sweep is never overwritten.
  const auto again = run_cli("sweep s.yaml --dir out", dir.path().string());
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.output.find("--resume"), std::string::npos);
}

TEST(SweepRun, ASecondSweepOnTheSameDirectoryIsRefused) {
  TempDir dir;
  dir.write("c.yaml", kBase);
  std::filesystem::create_directories(dir.path() / "out");
  const int fd = ::open((dir.path() / "out" / ".lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  const auto result = run_cli("sweep c.yaml seed=0,1 --dir out", dir.path().string());
  ::close(fd);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("another sweep is running"), std::string::npos) << result.output;
}

// A config's train.threads reaches its worker unless --threads (or the sweep file's threads:)
// says otherwise; the worker's --threads used to replace it with 1 without a word.
TEST(SweepRun, EachRunGetsItsConfigsThreadsUnlessTheSweepSetsThem) {
  TempDir dir;
  dir.write("c.yaml",
            "data: {dataset: synthetic}\nmodel: {hidden: [16]}\ntrain: {epochs: 1, threads: 2}\n");
  for (const char* flag : {"", " --threads 1"}) {
    const std::string out = std::string("out") + (flag[0] ? "_flag" : "");
    const auto result =
        run_cli(std::string("sweep c.yaml seed=0,1 --dir ") + out + flag, dir.path().string());
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find(flag[0] ? "x 1 thread\n" : "x up to 2 threads (train.threads)"),
              std::string::npos)
        << result.output;
    store::ResultsDb db(dir.path() / out / "results.db");
    for (const auto& row : db.runs()) {
      const auto meta =
          actbench::testing::read_json(dir.path() / out / row.directory / "meta.json");
      EXPECT_EQ(meta["threads"].get<int>(), flag[0] ? 1 : 2);
    }
  }
}

// With probes off a run measures nothing per layer: the report has no per-layer columns instead
// of 0% dead and zero gradients, and a deep model.hidden reads as its size.
TEST(SweepRun, AReportOfUnprobedDeepRunsShowsNoLayerZerosAndShortLists) {
  TempDir dir;
  dir.write("c.yaml", kBase);
  const auto result = run_cli(
      "sweep c.yaml probes.enabled=false train.epochs=1 "
      "model.hidden=[8,8,8,8,8,8,8,8,8],[4,4,4,4,4,4,4,4,4] --dir out",
      dir.path().string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output.find("fc1 dead"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("| [8 x 9] |"), std::string::npos) << result.output;
  // The CSV keeps the values whole.
  const auto csv = run_cli("report out --format csv", dir.path().string());
  EXPECT_NE(csv.output.find("[8,8,8,8,8,8,8,8,8]"), std::string::npos) << csv.output;
}

// The workers read the resolved configs the sweep wrote; an init that draws the biases itself
// (rai) refuses a config that sets model.bias_init, so a resolved config must not set the default.
TEST(SweepRun, RaiRunsFinishAloneAndInAPack) {
  TempDir dir;
  dir.write("c.yaml", kBase);
  for (const char* pack : {"", " --pack 2"}) {
    const std::string out = std::string("out") + (pack[0] ? "_pack" : "");
    const auto result = run_cli(
        std::string("sweep c.yaml model.init=rai,kaiming_normal seed=0 --dir ") + out + pack,
        dir.path().string());
    ASSERT_EQ(result.exit_code, 0) << result.output;
    store::ResultsDb db(dir.path() / out / "results.db");
    EXPECT_EQ(db.status_counts(),
              (std::map<core::RunStatus, int64_t>{{core::RunStatus::kCompleted, 2}}))
        << result.output;
  }
  // A user's explicit bias_init is still refused, at its location.
  dir.write("rai.yaml",
            "data: {dataset: synthetic}\nmodel: {hidden: [16], init: rai, bias_init: zeros}\n"
            "train: {epochs: 1}\n");
  const auto refused = run_cli("run rai.yaml", dir.path().string());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.output.find("rai.yaml:2"), std::string::npos) << refused.output;
}

TEST(ResultsDb, SchemaHasTheDocumentedTablesAndColumns) {
  TempDir dir;
  { store::ResultsDb db(dir.path() / "results.db"); }
  const std::map<std::string, std::vector<std::string>> expected{
      {"sweep", {"key", "value"}},
      {"runs", {"run_id",        "position",      "status",    "reason",     "seed",
                "directory",     "config_json",   "started",   "finished",   "seconds",
                "epochs",        "test_accuracy", "test_loss", "train_loss", "train_accuracy",
                "diverged_step", "train_mse",     "test_mse",  "collapsed",  "psnr"}},
      {"run_params", {"run_id", "key", "value"}},
      {"layers",
       {"run_id", "layer_index", "name", "units", "activation", "dead_fraction",
        "saturated_fraction", "grad_norm", "grad_norm_max", "backprop_grad_norm", "post_mean",
        "post_std"}},
      {"metrics", {"run_id", "epoch", "step", "layer", "metric", "value"}}};
  for (const auto& [table, columns] : expected) {
    FILE* pipe = ::popen(("sqlite3 " + (dir.path() / "results.db").string() +
                          " 'PRAGMA table_info(" + table + ")' | cut -d'|' -f2")
                             .c_str(),
                         "r");
    ASSERT_NE(pipe, nullptr);
    std::vector<std::string> got;
    char line[256];
    while (std::fgets(line, sizeof line, pipe)) {
      std::string name(line);
      while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) name.pop_back();
      got.push_back(name);
    }
    ::pclose(pipe);
    EXPECT_EQ(got, columns) << table;
  }
}

store::RunRow row(const std::string& activation, const std::string& status, double accuracy,
                  double loss) {
  store::RunRow r;
  r.run_id = activation + std::to_string(accuracy);
  r.status = core::parse_run_status(status, "test row");
  r.params["model.activation"] = activation;
  if (r.status == core::RunStatus::kCompleted) {
    r.test_accuracy = accuracy;
    r.test_loss = loss;
    r.layers.push_back({"fc1", 0.25, 0.5, 0.1, 0.01});
  }
  return r;
}

TEST(Report, MeanStdAndEveryFormat) {
  const std::vector<store::RunRow> runs{
      row("relu", "completed", 0.90, 0.3), row("relu", "completed", 0.92, 0.2),
      row("tanh", "completed", 0.80, 0.5), row("tanh", "diverged", 0, 0)};
  report::Report r = report::build_report(runs, {"model.activation"});
  r.title = "zoo_test";
  ASSERT_EQ(r.groups.size(), 2u);
  EXPECT_NEAR(r.groups[0].test_accuracy.mean, 0.91, 1e-12);
  EXPECT_NEAR(r.groups[0].test_accuracy.std, 0.0141421356, 1e-9);
  EXPECT_EQ(r.groups[1].diverged, 1);
  EXPECT_EQ(r.groups[1].completed, 1);

  // Every column (the default table is the compact one, tested in report_columns_test.cpp).
  const report::ColumnChoice all{{"all"}};
  const std::string md = report::render(r, "md", {}, all);
  EXPECT_NE(md.find("| relu | 2 | 0.9100 ± 0.0141 | [0.7829, 1.0371] | 0.9100 | 0.9000 / 0.9200 | "
                    "best | 0.2500 ± 0.0707 | 0/2 | 25.0% | 0.1 |"),
            std::string::npos)
      << md;
  // One seed has no standard deviation: "-", not 0 (issue 22, bug 5).
  EXPECT_NE(md.find("| tanh | 1 | 0.8000 ± - | - | 0.8000 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 1/2 |"), std::string::npos) << md;
  const std::string csv = report::render(r, "csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "model.activation,runs,completed,diverged,failed,test_accuracy_mean,test_accuracy_std,"
            "test_accuracy_ci_low,test_accuracy_ci_high,test_accuracy_median,test_accuracy_min,"
            "test_accuracy_max,versus_best,p_holm_versus_best,test_loss_mean,test_loss_std,"
            "fc1_dead_fraction,fc1_grad_norm");
  EXPECT_NE(csv.find("relu,2,2,0,0,0.91,0.01414213562,0.7829379526,1.037062047,0.91,0.9,0.92,best,,"
                     "0.25,0.07071067812,0.25,0.1"),
            std::string::npos)
      << csv;
  const std::string latex = report::render(r, "latex", {}, all);
  EXPECT_NE(latex.find("\\toprule"), std::string::npos);
  EXPECT_NE(latex.find("\\bottomrule"), std::string::npos);
  EXPECT_NE(latex.find("0.9100 $\\pm$ 0.0141"), std::string::npos) << latex;
  // The header's parenthesis on a line of its own, to keep the column narrow.
  EXPECT_NE(latex.find("test acc \\\\(mean $\\pm$ std)"), std::string::npos) << latex;
  EXPECT_NE(latex.find("model.activation"), std::string::npos);
  const std::string html = report::render(r, "html", {}, all);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<td class=\"num\">0.9100 ± 0.0141</td>"), std::string::npos) << html;
  EXPECT_THROW(report::render(r, "pdf"), ConfigError);
}

}  // namespace
}  // namespace actbench::sweep
