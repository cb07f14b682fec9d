// Regression tasks: the function dataset, the Task interface (solo and member-wise losses), full
// batch training, train.eval_every, and end-to-end runs that learn |x| or collapse to a constant,
// with their summary fields and results-database columns.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>

#include "experiment/experiment.hpp"
#include "store/results_db.hpp"
#include "support/config_errors.hpp"
#include "support/run_helpers.hpp"
#include "train/task.hpp"

namespace actbench::train {
namespace {

using actbench::testing::config_error_of;
using actbench::testing::read_json;
using actbench::testing::run_config;
using actbench::testing::TempDir;

data::Dataset load_function(const std::string& target, int64_t dims = 1, uint64_t seed = 0,
                            uint64_t run_seed = 0) {
  data::LoadOptions options;
  options.function_target.name = target;
  options.function_dims = dims;
  options.function_train_points = 500;
  options.function_test_points = 200;
  options.function_seed = seed;
  options.seed = run_seed;
  return data::load_dataset("function", options);
}

TEST(FunctionDataset, ShapesRangeAndTargets) {
  const data::Dataset data = load_function("abs");
  EXPECT_EQ(data.task, "regression");
  EXPECT_EQ(data.train.images.sizes(), (std::vector<int64_t>{500, 1, 1, 1}));
  EXPECT_EQ(data.train.labels.sizes(), (std::vector<int64_t>{500, 1}));
  EXPECT_EQ(data.test.labels.sizes(), (std::vector<int64_t>{200, 1}));
  EXPECT_EQ(data.train.labels.scalar_type(), torch::kFloat32);
  const at::Tensor x = data.train.images.reshape({-1});
  EXPECT_LE(x.abs().max().item<double>(), std::sqrt(3.0));
  // Uniform on [-sqrt 3, sqrt 3]: mean 0, std 1 (500 points: within a few standard errors).
  EXPECT_NEAR(x.mean().item<double>(), 0.0, 0.15);
  EXPECT_NEAR(x.std().item<double>(), 1.0, 0.1);
  EXPECT_TRUE(torch::allclose(data.train.labels.reshape({-1}), x.abs()));

  const data::Dataset sum_abs = load_function("sum_abs", 3);
  EXPECT_EQ(sum_abs.train.images.sizes(), (std::vector<int64_t>{500, 1, 1, 3}));
  EXPECT_TRUE(torch::allclose(sum_abs.train.labels.reshape({-1}),
                              sum_abs.train.images.reshape({500, 3}).abs().sum(1)));
  const data::Dataset step = load_function("step_sine");
  const at::Tensor s = step.train.images.reshape({-1}).to(torch::kDouble);
  EXPECT_TRUE(torch::allclose(step.train.labels.reshape({-1}).to(torch::kDouble),
                              (s > 0).to(torch::kDouble) + 0.2 * torch::sin(5.0 * s), 1e-6, 1e-6));
}

TEST(FunctionDataset, PointsComeFromTheirOwnSeedNotTheRunSeed) {
  const data::Dataset a = load_function("abs", 1, /*seed=*/0, /*run_seed=*/0);
  const data::Dataset b = load_function("abs", 1, /*seed=*/0, /*run_seed=*/7);
  const data::Dataset c = load_function("abs", 1, /*seed=*/1, /*run_seed=*/0);
  EXPECT_TRUE(torch::equal(a.train.images, b.train.images));
  EXPECT_TRUE(torch::equal(a.test.images, b.test.images));
  EXPECT_FALSE(torch::equal(a.train.images, c.train.images));
  EXPECT_FALSE(torch::equal(a.train.images,
                            a.test.images.slice(0, 0, 200).repeat({3, 1, 1, 1}).slice(0, 0, 500)));
}

TEST(FunctionDataset, ExpressionTargetMatchesTheNamedOne) {
  data::LoadOptions options;
  options.function_target.name = "expr";
  core::ParamValue text;
  text.kind = core::ParamKind::Text;
  text.text = "x * sin(k * x)";
  options.function_target.params["expr"] = text;
  core::ParamValue k;
  k.kind = core::ParamKind::Number;
  k.number = 5.0;
  options.function_target.params["k"] = k;
  options.function_train_points = 500;
  options.function_test_points = 200;
  const data::Dataset expr = data::load_dataset("function", options);
  const data::Dataset named = load_function("xsin5x");
  EXPECT_TRUE(torch::equal(expr.train.images, named.train.images));
  EXPECT_TRUE(torch::allclose(expr.train.labels, named.train.labels, 1e-6, 1e-6));
}

TEST(Task, MemberLossesAreTheSoloLossOfEachSlice) {
  torch::manual_seed(0);
  const Task& regression = task_named("regression");
  const at::Tensor output = torch::randn({3, 16, 2});
  const at::Tensor target = torch::randn({3, 16, 2});
  const at::Tensor losses = regression.member_losses(output, target);
  ASSERT_EQ(losses.sizes(), (std::vector<int64_t>{3}));
  for (int64_t k = 0; k < 3; ++k) {
    EXPECT_EQ(losses[k].item<float>(), regression.loss(output[k], target[k]).item<float>());
    EXPECT_NEAR(losses[k].item<double>(), torch::mse_loss(output[k], target[k]).item<double>(),
                1e-6);
  }
  // A target shared by every member broadcasts.
  const at::Tensor shared = regression.member_losses(output, target[1]);
  EXPECT_EQ(shared[1].item<float>(), losses[1].item<float>());
  EXPECT_FALSE(regression.member_correct(output, target).defined());

  const Task& classification = task_named("classification");
  const at::Tensor logits = torch::randn({3, 16, 10});
  const at::Tensor labels = torch::randint(10, {3, 16}, torch::kLong);
  const at::Tensor ce = classification.member_losses(logits, labels);
  const at::Tensor correct = classification.member_correct(logits, labels);
  EXPECT_EQ(correct.scalar_type(), torch::kInt64);
  for (int64_t k = 0; k < 3; ++k) {
    EXPECT_NEAR(ce[k].item<double>(), classification.loss(logits[k], labels[k]).item<double>(),
                1e-6);
    EXPECT_EQ(correct[k].item<int64_t>(),
              classification.correct(logits[k], labels[k]).item<int64_t>());
  }
  const at::Tensor ce_shared = classification.member_losses(logits, labels[2]);
  EXPECT_NEAR(ce_shared[2].item<double>(), ce[2].item<double>(), 1e-6);
}

// A deep narrow net on |x|, small enough for a test.
const char* kAbs = R"(name: abs
task: regression
data:
  dataset: function
  function: {target: abs, n_train: 256, n_test: 256}
  batch_size: 0
model: {hidden: [32, 32], activation: relu, init: kaiming_normal}
optim: {name: adam, lr: 0.01}
train: {epochs: 600, eval_every: 200}
probes: {enabled: false}
)";

TEST(Regression, AWideEnoughNetLearnsAbs) {
  TempDir dir;
  const auto outcome = run_config(dir, kAbs);
  ASSERT_EQ(outcome.status, core::RunStatus::kCompleted);
  const auto summary = read_json(outcome.directory / "summary.json");
  EXPECT_LT(summary["test_mse"].get<double>(), 1e-3) << summary.dump();
  EXPECT_LT(summary["train_mse"].get<double>(), 1e-3);
  EXPECT_FALSE(summary["collapsed"].get<bool>());
  EXPECT_TRUE(summary["test_accuracy"].is_null());
  EXPECT_FALSE(summary.contains("psnr"));
  EXPECT_EQ(summary["steps"], 600);  // full batch: one step per epoch
  // The last record's test loss is the test MSE that the summary measures on its own.
  EXPECT_NEAR(summary["test_loss"].get<double>(), summary["test_mse"].get<double>(), 1e-9);
  // Epoch records at 0, 200, 400, 600 only.
  const std::string csv = core::read_file(outcome.directory / "metrics.csv");
  int test_loss_rows = 0;
  for (size_t at = 0; (at = csv.find(",test_loss,", at)) != std::string::npos; ++at)
    ++test_loss_rows;
  EXPECT_EQ(test_loss_rows, 4) << csv;
  EXPECT_EQ(csv.find("accuracy"), std::string::npos);
  // The resolved config holds the function section and reads back to the same run.
  const std::string resolved = core::read_file(outcome.directory / "config.yaml");
  EXPECT_NE(resolved.find("task: regression"), std::string::npos) << resolved;
  EXPECT_NE(resolved.find("n_train: 256"), std::string::npos) << resolved;
  EXPECT_EQ(resolved.find("image"), std::string::npos) << resolved;
}

TEST(Regression, WidthOneDepthTenCollapses) {
  TempDir dir;
  for (const char* seed : {"seed=0", "seed=1", "seed=2"}) {
    const auto outcome =
        run_config(dir, kAbs, {seed, "model.hidden=[1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"});
    const auto summary = read_json(outcome.directory / "summary.json");
    EXPECT_TRUE(summary["collapsed"].get<bool>()) << seed << " " << summary.dump();
    // A constant fit of |x| is at best its mean: MSE = Var |x| = 1 - 3/4 on [-sqrt 3, sqrt 3].
    EXPECT_GT(summary["test_mse"].get<double>(), 0.2) << seed;
  }
}

TEST(Regression, CollapseRuleComparesOutputAndTargetSpread) {
  config::RunSpec spec;
  spec.task = "regression";
  spec.data.dataset = "function";
  spec.model.hidden = {8};
  data::LoadOptions options;
  options.function_target.name = "abs";
  options.function_train_points = 64;
  options.function_test_points = 64;
  const data::Dataset data = data::load_dataset("function", options);
  torch::manual_seed(0);
  const model::ModelPlan plan = model::plan_model(spec, data.shape);
  model::Network network = model::build_network(plan, spec.model, torch::kCPU);
  EXPECT_FALSE(task_summary(spec, *network, data)["collapsed"].get<bool>());
  // Output weights at zero: a constant output.
  torch::NoGradGuard no_grad;
  auto out_weight = network->named_parameters()["out.weight"];
  out_weight.mul_(0.0);
  const auto collapsed = task_summary(spec, *network, data);
  EXPECT_TRUE(collapsed["collapsed"].get<bool>());
  // MSE of the constant output b against |x| on the test points, computed independently.
  const double b = network->named_parameters()["out.bias"].item<double>();
  const double mse = (data.test.labels.to(torch::kDouble) - b).square().mean().item<double>();
  EXPECT_NEAR(collapsed["test_mse"].get<double>(), mse, 1e-9);
}

TEST(Regression, FullBatchIsTheWholeSetInOrder) {
  TempDir dir;
  const std::vector<std::string> short_run{"train.epochs=20", "train.eval_every=1"};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.end(), short_run.begin(), short_run.end());
    auto summary = read_json(run_config(dir, kAbs, extra).directory / "summary.json");
    summary.erase("seconds");
    return summary;
  };
  const auto full = with({});
  EXPECT_EQ(full["steps"], 20);
  EXPECT_EQ(full.dump(), with({"data.batch_size=256", "data.shuffle=false"}).dump());
  const auto minibatch = with({"data.batch_size=64"});
  EXPECT_EQ(minibatch["steps"], 80);
}

TEST(Regression, BadConfigsAreLocatedErrors) {
  EXPECT_EQ(config_error_of("task: regression\ndata: {dataset: mnist}\n")
                .rfind("c.yaml:1:7: error: task is regression, but dataset 'mnist' is a "
                       "classification dataset",
                       0),
            0u);
  EXPECT_EQ(config_error_of("data: {dataset: function}\n")
                .rfind("c.yaml:1:17: error: task is classification (the default), but dataset "
                       "'function' is a regression dataset",
                       0),
            0u);
  const std::string regression = "task: regression\ndata: {dataset: function, ";
  EXPECT_EQ(
      config_error_of(regression + "function: {target: abss}}\n")
          .rfind("c.yaml:2:46: error: unknown function target 'abss' (did you mean 'abs'?)", 0),
      0u);
  EXPECT_EQ(config_error_of(regression + "function: {target: sum_abs}}\n")
                .rfind("c.yaml:2:37: error: data.function.dims is 1, but target 'sum_abs'", 0),
            0u);
  EXPECT_EQ(config_error_of(regression + "function: {target: {expr: \"x * y\"}, dims: 1}}\n")
                .rfind("c.yaml:2:47: error: data.function.target: the expression's parameter "
                       "'y' has no value",
                       0),
            0u);
  EXPECT_EQ(config_error_of(regression + "function: {target: {expr: \"sin(x\"}}}\n")
                .find("c.yaml:2:57: error: data.function.target: '(' is never closed"),
            0u);
  EXPECT_EQ(config_error_of(regression + "function: {target: {expr: \"x\"}, dims: 2}}\n")
                .rfind("c.yaml:2:65: error: data.function.dims is 2, but an expression target", 0),
            0u);
  EXPECT_EQ(config_error_of("data: {dataset: synthetic, function: {dims: 2}}\n")
                .rfind("c.yaml:1:38: error: data.function configures the function dataset, but "
                       "data.dataset is 'synthetic'",
                       0),
            0u);
  EXPECT_EQ(config_error_of("data: {batch_size: -1}\n")
                .rfind("c.yaml:1:20: error: data.batch_size = -1 is out of range", 0),
            0u);
  EXPECT_EQ(config_error_of("train: {eval_every: 0}\n")
                .rfind("c.yaml:1:21: error: train.eval_every = 0 is out of range", 0),
            0u);
}

TEST(Regression, SweepRecordsTheRegressionColumns) {
  TempDir dir;
  dir.write("abs.yaml", kAbs);
  const auto result = actbench::testing::run_cli(
      "sweep abs.yaml seed=0,1 train.epochs=50 model.hidden=[4] --workers 1 --dir out",
      dir.path().string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  store::ResultsDb db(dir.path() / "out" / "results.db");
  const auto rows = db.runs();
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) {
    const auto summary = read_json(dir.path() / "out" / row.directory / "summary.json");
    ASSERT_TRUE(row.test_mse.has_value());
    EXPECT_EQ(*row.test_mse, summary["test_mse"].get<double>());
    EXPECT_EQ(*row.train_mse, summary["train_mse"].get<double>());
    ASSERT_TRUE(row.collapsed.has_value());
    EXPECT_EQ(*row.collapsed, summary["collapsed"].get<bool>());
    EXPECT_FALSE(row.psnr.has_value());
    EXPECT_FALSE(row.test_accuracy.has_value());
  }
  // Per-epoch values of a regression sweep (no accuracy rows) still come back.
  EXPECT_EQ(db.epoch_values("test_loss").size(), 4u);
  // The report groups them as usual and counts the collapsed runs (every column: the compact
  // default shows `collapsed` only where some run collapsed).
  const auto report =
      actbench::testing::run_cli("report out --format md --columns all", dir.path().string());
  ASSERT_EQ(report.exit_code, 0) << report.output;
  EXPECT_NE(report.output.find("| diverged | collapsed |"), std::string::npos) << report.output;
}

bool has_column(const std::filesystem::path& file, const std::string& column) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA table_info(runs)", -1, &statement, nullptr);
  bool found = false;
  while (sqlite3_step(statement) == SQLITE_ROW)
    found |= column == reinterpret_cast<const char*>(sqlite3_column_text(statement, 1));
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return found;
}

TEST(Regression, ADatabaseFromBeforeTheNewColumnsIsReadAndThenExtended) {
  TempDir dir;
  const auto file = dir.path() / "results.db";
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw,
                         "CREATE TABLE runs (run_id TEXT PRIMARY KEY, position INTEGER NOT NULL, "
                         "status TEXT NOT NULL, reason TEXT, seed INTEGER NOT NULL, directory "
                         "TEXT NOT NULL, config_json TEXT NOT NULL, started TEXT, finished TEXT, "
                         "seconds REAL, epochs INTEGER, test_accuracy REAL, test_loss REAL, "
                         "train_loss REAL, train_accuracy REAL, diverged_step INTEGER);"
                         "INSERT INTO runs(run_id, position, status, seed, directory, "
                         "config_json, test_accuracy) VALUES ('a', 0, 'completed', 0, 'runs/a', "
                         "'{}', 0.9);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  {
    store::ResultsDb db(file);
    const auto rows = db.runs();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(*rows[0].test_accuracy, 0.9);
    EXPECT_FALSE(rows[0].test_mse.has_value());
    EXPECT_FALSE(rows[0].collapsed.has_value());
  }
  EXPECT_FALSE(has_column(file, "test_mse"));  // reading changed no table
  {
    store::ResultsDb db(file);
    db.plan({});  // a sweep writing to it adds the columns
    EXPECT_EQ(db.runs().size(), 1u);
  }
  EXPECT_TRUE(has_column(file, "test_mse"));
  EXPECT_TRUE(has_column(file, "collapsed"));
  store::ResultsDb again(file);
  EXPECT_FALSE(again.runs()[0].test_mse.has_value());
}

}  // namespace
}  // namespace actbench::train
