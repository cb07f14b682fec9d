// End-to-end training tests on the synthetic dataset (fast, no files) and on real MNIST: learning,
// the run directory's contents, determinism, divergence, interruption, probes, schedules.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>

#include "core/interrupt.hpp"
#include "support/run_helpers.hpp"
#include "train/trainer.hpp"

namespace actbench::train {
namespace {

using actbench::testing::read_json;
using actbench::testing::run_config;
using actbench::testing::TempDir;

const char* kSynthetic = R"(name: synth
data: {dataset: synthetic, batch_size: 64}
model: {hidden: [32, 32], activation: relu}
optim: {name: sgd, lr: 0.05, momentum: 0.9}
train: {epochs: 3}
probes: {probe_samples: 256}
)";

TEST(Train, SyntheticRunLearnsAndWritesItsDirectory) {
  TempDir dir;
  const app::RunOutcome outcome = run_config(dir, kSynthetic);
  EXPECT_EQ(outcome.status, core::RunStatus::kCompleted);
  for (const char* file :
       {"config.yaml", "overrides.txt", "meta.json", "metrics.csv", "summary.json", "weights.pt"})
    EXPECT_TRUE(std::filesystem::exists(outcome.directory / file)) << file;
  EXPECT_EQ(outcome.directory.filename().string().rfind("synth-", 0), 0u);

  const auto summary = read_json(outcome.directory / "summary.json");
  EXPECT_EQ(summary["status"], "completed");
  EXPECT_GT(summary["test_accuracy"].get<double>(), 0.8);
  EXPECT_EQ(summary["epochs"], 3);
  ASSERT_EQ(summary["layers"].size(), 2u);
  for (const auto& layer : summary["layers"]) {
    EXPECT_TRUE(layer.contains("dead_fraction"));
    EXPECT_TRUE(layer.contains("saturated_fraction"));
    EXPECT_GT(layer["grad_norm"].get<double>(), 0.0);
  }
  const auto meta = read_json(outcome.directory / "meta.json");
  EXPECT_EQ(meta["status"], "completed");
  EXPECT_EQ(meta["threads"], 1);
  EXPECT_FALSE(meta["blas"]["name"].get<std::string>().empty());
  EXPECT_FALSE(meta["libtorch_version"].get<std::string>().empty());
  EXPECT_EQ(meta["model"]["initialization"].size(), 3u);  // fc1, fc2, out

  const std::string csv = core::read_file(outcome.directory / "metrics.csv");
  EXPECT_EQ(csv.rfind("epoch,step,layer,metric,value\n", 0), 0u);
  EXPECT_NE(csv.find("\n0,0,fc1,dead_fraction,"), std::string::npos);
  EXPECT_NE(csv.find("\n3,"), std::string::npos);
  // No temporary files left behind.
  for (const auto& entry : std::filesystem::directory_iterator(outcome.directory))
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos);
}

TEST(Train, SameSeedGivesIdenticalMetrics) {
  TempDir dir;
  const auto a = read_json(run_config(dir, kSynthetic).directory / "summary.json");
  const auto b_outcome = run_config(dir, kSynthetic);
  const auto b = read_json(b_outcome.directory / "summary.json");
  EXPECT_NE(b_outcome.directory.filename().string().find("-2"),
            std::string::npos);  // not overwritten
  auto strip = [](nlohmann::json s) {
    s.erase("seconds");
    return s;
  };
  EXPECT_EQ(strip(a).dump(), strip(b).dump());
  const auto c = read_json(run_config(dir, kSynthetic, {"seed=1"}).directory / "summary.json");
  EXPECT_NE(strip(a).dump(), strip(c).dump());
}

TEST(Train, NaNLossIsDivergedNotACrash) {
  TempDir dir;
  const auto outcome = run_config(dir, kSynthetic, {"optim.lr=100000", "optim.momentum=0.99"});
  EXPECT_EQ(outcome.status, core::RunStatus::kDiverged);
  const auto summary = read_json(outcome.directory / "summary.json");
  EXPECT_EQ(summary["status"], "diverged");
  // Step 0's loss is the initial network's (about ln 10); the first update with lr 1e5 blows it up,
  // so the loss of step 1 is the first beyond the threshold.
  EXPECT_EQ(summary["diverged_step"].get<int64_t>(), 1);
  const auto meta = read_json(outcome.directory / "meta.json");
  EXPECT_EQ(meta["status"], "diverged");
  EXPECT_NE(meta["reason"].get<std::string>().find("at step 1 (epoch 1"), std::string::npos)
      << meta["reason"];
}

// metrics.csv is rewritten at epoch records and every few seconds; a run that ends mid-epoch must
// still write the step records it made before it ended.
TEST(Train, StepRecordsBeforeADivergenceMidEpochAreWritten) {
  TempDir dir;
  const auto outcome =
      run_config(dir, kSynthetic,
                 {"optim.lr=1000", "optim.momentum=0.9", "train.divergence_threshold=0",
                  "probes.every_steps=1", "probes.step_source=train_batch"});
  ASSERT_EQ(outcome.status, core::RunStatus::kDiverged);
  const int64_t diverged_step =
      read_json(outcome.directory / "summary.json")["diverged_step"].get<int64_t>();
  ASSERT_GE(diverged_step, 2) << "the fixture must make step records before it diverges";
  const std::string csv = core::read_file(outcome.directory / "metrics.csv");
  for (int64_t step = 1; step < diverged_step; ++step)
    EXPECT_NE(csv.find(fmt::format(",{},fc1,dead_fraction,", step)), std::string::npos) << step;
}

TEST(Train, InterruptStopsCleanly) {
  TempDir dir;
  core::request_interrupt();
  const auto outcome = run_config(dir, kSynthetic);
  core::clear_interrupt();
  EXPECT_EQ(outcome.status, core::RunStatus::kInterrupted);
  EXPECT_EQ(read_json(outcome.directory / "meta.json")["status"], "interrupted");
}

TEST(Probes, NegativeBiasKillsEveryReluUnit) {
  TempDir dir;
  const auto outcome = run_config(
      dir, kSynthetic, {"model.bias_init={name: constant, value: -100}", "train.epochs=0"});
  const auto summary = read_json(outcome.directory / "summary.json");
  for (const auto& layer : summary["layers"]) EXPECT_EQ(layer["dead_fraction"].get<double>(), 1.0);
  // With tanh at bias -3, f'(z) is small but not zero: nothing is dead, most of it is saturated.
  // (Far out, around |z| > 9, tanh rounds to exactly -1 in float32 and f' is exactly 0: dead by
  // definition; so only the first layer, whose inputs are bounded, is checked.)
  const auto tanh_summary = read_json(run_config(dir, kSynthetic,
                                                 {"model.bias_init={name: constant, value: -3}",
                                                  "train.epochs=0", "model.activation=tanh"})
                                          .directory /
                                      "summary.json");
  const auto& first = tanh_summary["layers"][0];
  EXPECT_EQ(first["dead_fraction"].get<double>(), 0.0);
  EXPECT_GT(first["saturated_fraction"].get<double>(), 0.5);  // about 0.25 without the bias
}

TEST(Probes, HealthyTanhNetworkIsNeitherDeadNorSaturated) {
  TempDir dir;
  const auto summary =
      read_json(run_config(dir, kSynthetic, {"model.activation=tanh", "train.epochs=0"}).directory /
                "summary.json");
  for (const auto& layer : summary["layers"]) {
    EXPECT_EQ(layer["dead_fraction"].get<double>(), 0.0);
    EXPECT_LT(layer["saturated_fraction"].get<double>(), 0.5);
    EXPECT_GT(layer["backprop_grad_norm"].get<double>(), 0.0);
  }
}

TEST(Probes, EveryStepsWritesStepRecords) {
  TempDir dir;
  const auto outcome = run_config(dir, kSynthetic, {"probes.every_steps=8", "train.epochs=1"});
  const std::string csv = core::read_file(outcome.directory / "metrics.csv");
  EXPECT_NE(csv.find("\n1,8,fc1,dead_fraction,"), std::string::npos);
  EXPECT_NE(csv.find("\n1,16,fc2,backprop_grad_norm,"), std::string::npos);
}

TEST(Probes, TrainingBatchStepRecordsCoverEveryStepAndLeaveTrainingAsItWas) {
  TempDir dir;
  // rrelu draws random slopes in training: the probes must not consume the run's random stream.
  const auto off = run_config(dir, kSynthetic,
                              {"model.activation=rrelu", "train.epochs=1", "probes.enabled=false"});
  const auto on = run_config(dir, kSynthetic,
                             {"model.activation=rrelu", "train.epochs=1", "probes.every_steps=1",
                              "probes.step_source=train_batch"});
  const auto summary_off = read_json(off.directory / "summary.json");
  const auto summary_on = read_json(on.directory / "summary.json");
  EXPECT_EQ(summary_off["test_accuracy"], summary_on["test_accuracy"]);
  EXPECT_EQ(summary_off["test_loss"], summary_on["test_loss"]);
  EXPECT_EQ(summary_off["train_loss"], summary_on["train_loss"]);

  // Every step but the epoch's last (the epoch record, on the probe set, stands there) has a row.
  const std::string csv = core::read_file(on.directory / "metrics.csv");
  const int64_t steps = summary_on["steps"].get<int64_t>();
  ASSERT_GT(steps, 2);
  for (int64_t step = 1; step < steps; ++step) {
    EXPECT_NE(csv.find(fmt::format("\n1,{},fc2,dead_fraction,", step)), std::string::npos) << step;
    EXPECT_NE(csv.find(fmt::format("\n1,{},fc1,backprop_grad_norm,", step)), std::string::npos)
        << step;
  }
}

const char* kCnnWithNormAndDropout = R"(name: cnn
data: {dataset: synthetic, batch_size: 64}
model:
  type: cnn
  conv: [{out_channels: 8, kernel_size: 3, padding: 1, pool: 2, activation: elu}, {out_channels: 8, kernel_size: 3}]
  hidden: [16]
  activation: relu
  layer_activations: {2: {name: maxout, k: 2}}
  norm: batch
  dropout: 0.1
  init: kaiming_normal
optim: {name: adam, lr: 0.01, schedule: {name: cosine, warmup_steps: 5}}
train: {epochs: 6}
)";

TEST(Train, CnnWithBatchNormDropoutAndPerLayerActivations) {
  TempDir dir;
  // The network really has a batch norm before, and a dropout of p = 0.1 after, each hidden
  // activation: 3 hidden layers (2 conv blocks, 1 linear), so 3 of each.
  const auto prepared =
      app::prepare_run(dir.write("cnn.yaml", kCnnWithNormAndDropout).string(), {});
  const model::Network network =
      model::build_network(prepared.plan, prepared.spec.model, torch::kCPU);
  int batch_norms = 0, dropouts = 0;
  for (const auto& module : network->modules(/*include_self=*/false)) {
    if (module->as<torch::nn::BatchNorm2d>() || module->as<torch::nn::BatchNorm1d>()) ++batch_norms;
    if (const auto* dropout = module->as<torch::nn::Dropout>()) {
      ++dropouts;
      EXPECT_DOUBLE_EQ(dropout->options.p(), 0.1);
    }
  }
  EXPECT_EQ(batch_norms, 3);
  EXPECT_EQ(dropouts, 3);
  // And the forward pass uses the dropout: two training-mode passes differ, eval-mode ones do not.
  torch::manual_seed(1);
  const torch::Tensor input = torch::randn({4, 1, 8, 8});  // synthetic: 1x8x8
  network->train();
  EXPECT_FALSE(torch::equal(network->forward(input), network->forward(input)));
  network->eval();
  EXPECT_TRUE(torch::equal(network->forward(input), network->forward(input)));

  const auto outcome = run_config(dir, kCnnWithNormAndDropout);
  const auto summary = read_json(outcome.directory / "summary.json");
  EXPECT_EQ(summary["status"], "completed");
  EXPECT_GT(summary["test_accuracy"].get<double>(), 0.6);  // chance is 0.1
  ASSERT_EQ(summary["layers"].size(), 3u);
  EXPECT_EQ(summary["layers"][0]["activation"].get<std::string>().rfind("elu", 0), 0u);
  EXPECT_EQ(summary["layers"][1]["activation"], "relu");
  EXPECT_EQ(summary["layers"][2]["activation"].get<std::string>().rfind("maxout", 0), 0u);
}

TEST(Train, EveryOptimiserTrains) {
  for (const char* optimizer : {"sgd", "adam", "adamw", "rmsprop"}) {
    TempDir dir;
    const double lr = std::string(optimizer) == "sgd" ? 0.05 : 0.003;
    const auto summary =
        read_json(run_config(dir, kSynthetic,
                             {std::string("optim.name=") + optimizer,
                              "optim.lr=" + std::to_string(lr), "optim.momentum=0"})
                      .directory /
                  "summary.json");
    EXPECT_GT(summary["test_accuracy"].get<double>(), 0.7) << optimizer;
  }
}

TEST(Schedule, WarmupStepCosineLinear) {
  config::OptimSpec spec;
  spec.lr = 1.0;
  EXPECT_DOUBLE_EQ(scheduled_lr(spec, 57, 10, 100), 1.0);
  spec.schedule.warmup_steps = 10;
  EXPECT_DOUBLE_EQ(scheduled_lr(spec, 0, 10, 100), 0.1);
  EXPECT_DOUBLE_EQ(scheduled_lr(spec, 9, 10, 100), 1.0);
  spec.schedule.warmup_steps = 0;
  spec.schedule.name = "step";
  spec.schedule.step_size = 2;
  spec.schedule.gamma = 0.5;
  EXPECT_DOUBLE_EQ(scheduled_lr(spec, 19, 10, 100), 1.0);
  EXPECT_DOUBLE_EQ(scheduled_lr(spec, 20, 10, 100), 0.5);
  spec.schedule.name = "cosine";
  spec.schedule.min_lr = 0.1;
  EXPECT_DOUBLE_EQ(scheduled_lr(spec, 0, 10, 100), 1.0);
  EXPECT_NEAR(scheduled_lr(spec, 50, 10, 100), 0.55, 1e-12);
  EXPECT_NEAR(scheduled_lr(spec, 100, 10, 100), 0.1, 1e-12);
  // Away from the midpoint, where the two coincide: min + (1 - min)(1 + cos(pi t)) / 2.
  EXPECT_NEAR(scheduled_lr(spec, 25, 10, 100), 0.1 + 0.9 * (1 + std::cos(M_PI / 4)) / 2, 1e-12);
  EXPECT_NEAR(scheduled_lr(spec, 75, 10, 100), 0.1 + 0.9 * (1 - std::cos(M_PI / 4)) / 2, 1e-12);
  spec.schedule.name = "linear";
  EXPECT_NEAR(scheduled_lr(spec, 50, 10, 100), 0.55, 1e-12);
  EXPECT_NEAR(scheduled_lr(spec, 25, 10, 100), 0.775, 1e-12);
  EXPECT_NEAR(scheduled_lr(spec, 75, 10, 100), 0.325, 1e-12);
  EXPECT_NEAR(scheduled_lr(spec, 100, 10, 100), 0.1, 1e-12);
  // Warm-up then cosine: the decay runs over the steps after the warm-up.
  spec.schedule.name = "cosine";
  spec.schedule.warmup_steps = 10;
  EXPECT_NEAR(scheduled_lr(spec, 4, 10, 100), 0.5, 1e-12);
}

TEST(Optimiser, WeightDecayNesterovAndMomentumReachTheOptimiser) {
  const torch::Tensor parameter = torch::zeros({2}, torch::requires_grad());
  config::OptimSpec spec;
  spec.name = "sgd";
  spec.lr = 0.05;
  spec.momentum = 0.8;
  spec.nesterov = true;
  spec.weight_decay = 0.003;
  auto sgd = make_optimizer(spec, {parameter});
  const auto& sgd_options =
      static_cast<const torch::optim::SGDOptions&>(sgd->param_groups().at(0).options());
  EXPECT_DOUBLE_EQ(sgd_options.lr(), 0.05);
  EXPECT_DOUBLE_EQ(sgd_options.momentum(), 0.8);
  EXPECT_TRUE(sgd_options.nesterov());
  EXPECT_DOUBLE_EQ(sgd_options.weight_decay(), 0.003);
  for (const char* name : {"adam", "adamw"}) {
    spec.name = name;
    spec.weight_decay = 0.02;
    auto adam = make_optimizer(spec, {parameter});
    const auto& group = adam->param_groups().at(0).options();
    const double decay = spec.name == "adam"
                             ? static_cast<const torch::optim::AdamOptions&>(group).weight_decay()
                             : static_cast<const torch::optim::AdamWOptions&>(group).weight_decay();
    EXPECT_DOUBLE_EQ(decay, 0.02) << name;
  }
  spec.name = "rmsprop";
  spec.weight_decay = 0.01;
  auto rmsprop = make_optimizer(spec, {parameter});
  EXPECT_DOUBLE_EQ(
      static_cast<const torch::optim::RMSpropOptions&>(rmsprop->param_groups().at(0).options())
          .weight_decay(),
      0.01);
}

// Clipping the gradient norm to almost nothing freezes training: the test loss after an epoch is
// the initial one. Without clipping the same run's loss falls.
TEST(Optimiser, GradientClippingReachesTheTrainingStep) {
  auto loss_change = [](const std::vector<std::string>& overrides) {
    TempDir dir;
    const auto outcome = run_config(dir, kSynthetic, overrides);
    const std::string csv = core::read_file(outcome.directory / "metrics.csv");
    auto test_loss_at = [&](int epoch) {
      const std::string key = fmt::format("\n{},", epoch);
      for (size_t at = csv.find(key); at != std::string::npos; at = csv.find(key, at + 1)) {
        const size_t end = csv.find('\n', at + 1);
        const std::string line = csv.substr(at + 1, end - at - 1);
        const std::string marker = ",,test_loss,";
        if (const auto m = line.find(marker); m != std::string::npos)
          return std::stod(line.substr(m + marker.size()));
      }
      return std::nan("");
    };
    return test_loss_at(1) - test_loss_at(0);
  };
  const double clipped = loss_change({"train.epochs=1", "optim.clip_grad_norm=1e-9"});
  const double unclipped = loss_change({"train.epochs=1"});
  EXPECT_LT(std::abs(clipped), 1e-4);
  EXPECT_LT(unclipped, -0.1);
}

// The real thing: a short MNIST run must learn. CI fetches MNIST before the tests run.
TEST(RealData, ShortMnistRunLearns) {
  const std::string root = actbench::testing::data_root();
  ASSERT_TRUE(std::filesystem::exists(root + "/mnist"))
      << "MNIST is missing under " << root << ": run `actbench data fetch mnist`";
  TempDir dir;
  const auto outcome = run_config(
      dir, "data: {dataset: mnist, train_subset: 12000, root: " + root + "}\ntrain: {epochs: 1}\n");
  const auto summary = read_json(outcome.directory / "summary.json");
  EXPECT_EQ(summary["status"], "completed");
  EXPECT_GT(summary["test_accuracy"].get<double>(), 0.9);
  EXPECT_EQ(read_json(outcome.directory / "meta.json")["dataset"]["test_samples"], 10000);
}

}  // namespace
}  // namespace actbench::train
