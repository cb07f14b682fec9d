// Packs against runs alone: a packed member starts with the very tensors it gets alone, the packed
// optimisers move each member as LibTorch's own optimisers move it alone, a short MNIST run ends
// with the same test accuracy packed and alone, a diverging member is frozen while the others
// finish as their solo twins do, and the same pack twice gives byte-identical files.
#include "experiment/pack.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <map>

#include "model/packed_mlp.hpp"
#include "support/run_helpers.hpp"
#include "train/packed_optimizer.hpp"
#include "train/trainer.hpp"

namespace actbench::train {
namespace {

using actbench::testing::read_json;
using actbench::testing::TempDir;
namespace fs = std::filesystem;

// ---- the optimisers --------------------------------------------------------------------------

config::OptimSpec optim(const std::string& name, double lr) {
  config::OptimSpec spec;
  spec.name = name;
  spec.lr = lr;
  spec.momentum = name == "rmsprop" ? 0.5 : 0.9;
  spec.weight_decay = 0.01;
  return spec;
}

std::unique_ptr<torch::optim::Optimizer> solo_optimizer(const config::OptimSpec& spec,
                                                        const torch::Tensor& p) {
  return make_optimizer(spec, {p});
}

double max_relative_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).abs() / b.abs().clamp_min(1e-6)).max().item<double>();
}

// K members, each a [6, 4] weight, with their own lr; the same gradients fed to the pack and to
// each member's LibTorch optimiser, step after step.
double pack_against_solo(const std::string& name, const std::vector<double>& lrs, int steps,
                         bool nesterov = false) {
  torch::manual_seed(7);
  const auto k = static_cast<int64_t>(lrs.size());
  const torch::Tensor start = torch::randn({k, 6, 4});
  torch::Tensor packed = start.clone().requires_grad_(true);
  std::vector<config::OptimSpec> specs;
  std::vector<torch::Tensor> solo;
  std::vector<std::unique_ptr<torch::optim::Optimizer>> solo_optimizers;
  for (int64_t m = 0; m < k; ++m) {
    specs.push_back(optim(name, lrs[m]));
    specs.back().nesterov = nesterov;
    solo.push_back(start[m].clone().requires_grad_(true));
    solo_optimizers.push_back(solo_optimizer(specs.back(), solo.back()));
  }
  PackedOptimizer optimizer(specs, {packed});
  const std::vector<bool> active(static_cast<size_t>(k), true);
  for (int s = 0; s < steps; ++s) {
    const torch::Tensor grad = torch::randn({k, 6, 4});
    packed.mutable_grad() = grad.clone();
    optimizer.step(lrs, active);
    for (int64_t m = 0; m < k; ++m) {
      solo[m].mutable_grad() = grad[m].clone();
      solo_optimizers[m]->step();
    }
  }
  double worst = 0.0;
  for (int64_t m = 0; m < k; ++m)
    worst = std::max(worst, max_relative_difference(packed.detach()[m], solo[m].detach()));
  return worst;
}

TEST(PackedOptimizer, EachMemberMovesAsLibTorchsOptimiserMovesItAlone) {
  for (const std::string name : {"sgd", "adam", "adamw", "rmsprop"}) {
    SCOPED_TRACE(name);
    EXPECT_LT(pack_against_solo(name, {0.01}, 1), 1e-6);
    EXPECT_LT(pack_against_solo(name, {0.01, 0.003, 0.1, 0.03, 0.001}, 1), 1e-6);
    // After 50 steps float rounding has compounded a little: still far below any real difference.
    EXPECT_LT(pack_against_solo(name, {0.01}, 50), 1e-5);
    EXPECT_LT(pack_against_solo(name, {0.01, 0.003, 0.1, 0.03, 0.001}, 50), 1e-5);
  }
  EXPECT_LT(pack_against_solo("sgd", {0.01, 0.05}, 50, /*nesterov=*/true), 1e-5);
}

TEST(PackedOptimizer, AFrozenMemberDoesNotMoveEvenWithANaNGradient) {
  torch::Tensor p = torch::ones({3, 2}).requires_grad_(true);
  std::vector<config::OptimSpec> specs(3, optim("adam", 0.1));
  PackedOptimizer optimizer(specs, {p});
  torch::Tensor grad = torch::ones({3, 2});
  grad[1].fill_(std::numeric_limits<float>::quiet_NaN());
  p.mutable_grad() = grad;
  optimizer.step({0.1, 0.1, 0.1}, {true, false, true});
  EXPECT_TRUE(torch::equal(p.detach()[1], torch::ones({2})));
  EXPECT_FALSE(torch::equal(p.detach()[0], torch::ones({2})));
  EXPECT_FALSE(p.detach().isnan().any().item<bool>());
}

// ---- packs of real runs ------------------------------------------------------------------------

std::string mnist_config(const TempDir& dir,
                         const std::string& optim = "optim: {name: adam, lr: 0.001}\n") {
  return "name: packed\n"
         "data: {dataset: mnist, root: " +
         testing::data_root() +
         ", train_subset: 2000, test_subset: 1000, batch_size: 100}\n"
         "model: {hidden: [64, 32], activation: relu}\n"
         "train: {epochs: 1}\n"
         "probes: {probe_samples: 256}\n"
         "output: {dir: " +
         (dir.path() / "solo").string() + "}\n" + optim;
}

struct Member {
  std::vector<std::string> overrides;
};

// Each member packed (into <dir>/<tag>/<i>) and, unless `packed_only`, alone: the outcomes.
std::pair<std::vector<experiment::RunOutcome>, std::vector<experiment::RunOutcome>> pack_and_solo(
    const TempDir& dir, const std::string& yaml, const std::vector<Member>& members,
    const std::string& tag = "pack", bool packed_only = false) {
  const auto file = dir.write("config.yaml", yaml);
  std::vector<experiment::PackMemberRun> runs;
  std::vector<experiment::RunOutcome> solo;
  for (size_t i = 0; i < members.size(); ++i) {
    std::vector<config::CliOverride> located;
    for (const auto& o : members[i].overrides) located.push_back({o, 1});
    runs.push_back(
        {experiment::prepare_run(file.string(), located), dir.path() / tag / std::to_string(i)});
    if (!packed_only) {
      experiment::RunOptions options;
      options.console = false;
      solo.push_back(
          experiment::execute_run(experiment::prepare_run(file.string(), located), options));
    }
  }
  experiment::PackOptions options;
  options.pack_id = tag;
  auto packed = experiment::execute_pack(std::move(runs), options);
  return {packed, solo};
}

std::map<std::string, torch::Tensor> load_weights(const fs::path& file) {
  const std::string bytes = core::read_file(file);
  const auto value = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
  std::map<std::string, torch::Tensor> out;
  for (const auto& item : value.toGenericDict())
    out[item.key().toStringRef()] = item.value().toTensor();
  return out;
}

TEST(Pack, MembersStartWithBitIdenticalTensorsToTheRunsAlone) {
  TempDir dir;
  // Zero epochs: weights.pt holds the initialisation. Different seeds and init schemes.
  const auto [packed, solo] =
      pack_and_solo(dir, mnist_config(dir),
                    {{{"train.epochs=0", "seed=0"}},
                     {{"train.epochs=0", "seed=1", "model.init=kaiming_normal"}},
                     {{"train.epochs=0", "seed=2", "model.bias_init=uniform"}},
                     {{"train.epochs=0", "seed=3", "model.init=orthogonal"}},
                     {{"train.epochs=0", "seed=4"}}});
  ASSERT_EQ(packed.size(), 5u);
  for (size_t i = 0; i < packed.size(); ++i) {
    const auto a = load_weights(packed[i].directory / "weights.pt");
    const auto b = load_weights(solo[i].directory / "weights.pt");
    ASSERT_EQ(a.size(), b.size());
    for (const auto& [name, tensor] : b)
      EXPECT_TRUE(torch::equal(a.at(name), tensor)) << "member " << i << " " << name;
  }
  // The members differ from each other, or equality proves nothing.
  EXPECT_FALSE(torch::equal(load_weights(packed[0].directory / "weights.pt").at("fc1.weight"),
                            load_weights(packed[4].directory / "weights.pt").at("fc1.weight")));
  const auto meta = read_json(packed[2].directory / "meta.json");
  EXPECT_EQ(meta["pack"]["size"], 5);
  EXPECT_EQ(meta["pack"]["index"], 2);
  EXPECT_EQ(meta["pack"]["id"], "pack");
}

TEST(Pack, ShortMnistRunGivesTheTestAccuracyOfTheRunsAlone) {
  TempDir dir;
  const auto [packed, solo] = pack_and_solo(dir, mnist_config(dir),
                                            {{{"seed=0", "optim.lr=0.003"}},
                                             {{"seed=1", "optim.lr=0.01"}},
                                             {{"seed=2", "optim.lr=0.001"}}});
  ASSERT_EQ(packed.size(), 3u);
  for (size_t i = 0; i < packed.size(); ++i) {
    SCOPED_TRACE("member " + std::to_string(i));
    EXPECT_EQ(packed[i].status, core::RunStatus::kCompleted);
    const double a = packed[i].summary["test_accuracy"].get<double>();
    const double b = solo[i].summary["test_accuracy"].get<double>();
    EXPECT_NEAR(a, b, 0.0005);
    EXPECT_GT(a, 0.5);
    EXPECT_NEAR(packed[i].summary["test_loss"].get<double>(),
                solo[i].summary["test_loss"].get<double>(), 1e-3);
    for (const char* file :
         {"config.yaml", "meta.json", "metrics.csv", "summary.json", "weights.pt"})
      EXPECT_TRUE(fs::exists(packed[i].directory / file)) << file;
    // Per member and per layer probes, as alone.
    const auto& layers = packed[i].summary["layers"];
    ASSERT_EQ(layers.size(), 2u);
    EXPECT_NEAR(layers[0]["dead_fraction"].get<double>(),
                solo[i].summary["layers"][0]["dead_fraction"].get<double>(), 0.02);
    EXPECT_GT(layers[0]["grad_norm"].get<double>(), 0.0);
  }
  // Different learning rates give different results.
  EXPECT_NE(packed[0].summary["test_loss"], packed[1].summary["test_loss"]);
}

TEST(Pack, ADivergingMemberIsFrozenAndTheOthersFinishAsAlone) {
  TempDir dir;
  const auto [packed, solo] =
      pack_and_solo(dir, mnist_config(dir, "optim: {name: sgd, lr: 0.05}\n"),
                    {{{"seed=0"}}, {{"seed=1", "optim.lr=1000"}}, {{"seed=2", "optim.lr=0.1"}}});
  ASSERT_EQ(packed.size(), 3u);
  EXPECT_EQ(solo[1].status, core::RunStatus::kDiverged);
  EXPECT_EQ(packed[1].status, core::RunStatus::kDiverged);
  EXPECT_EQ(packed[1].summary["diverged_step"], solo[1].summary["diverged_step"]);
  for (size_t i : {0u, 2u}) {
    EXPECT_EQ(packed[i].status, core::RunStatus::kCompleted);
    EXPECT_NEAR(packed[i].summary["test_accuracy"].get<double>(),
                solo[i].summary["test_accuracy"].get<double>(), 0.0005);
  }
  const auto meta = read_json(packed[1].directory / "meta.json");
  EXPECT_EQ(meta["status"], "diverged");
}

TEST(Pack, TheSamePackTwiceGivesByteIdenticalFiles) {
  TempDir dir;
  const std::vector<Member> members{{{"seed=0"}}, {{"seed=1", "optim.lr=0.003"}}};
  const auto first = pack_and_solo(dir, mnist_config(dir), members, "a", true).first;
  const auto second = pack_and_solo(dir, mnist_config(dir), members, "b", true).first;
  for (size_t i = 0; i < members.size(); ++i) {
    EXPECT_EQ(core::read_file(first[i].directory / "weights.pt"),
              core::read_file(second[i].directory / "weights.pt"));
    // metrics.csv holds the wall time per record: compare every other row.
    auto without_seconds = [](std::string csv) {
      std::string out, line;
      std::istringstream in(csv);
      while (std::getline(in, line))
        if (line.find(",seconds,") == std::string::npos) out += line + "\n";
      return out;
    };
    EXPECT_EQ(without_seconds(core::read_file(first[i].directory / "metrics.csv")),
              without_seconds(core::read_file(second[i].directory / "metrics.csv")));
  }
}

// A mixed pack (members that differ in activation, with their own inits and learning rates) gives
// each member what its run alone gives: the zoo and activation sweeps run as one pack.
TEST(Pack, AMixedPackGivesEachMemberItsRunAlone) {
  TempDir dir;
  const auto [packed, solo] =
      pack_and_solo(dir, mnist_config(dir),
                    {{{"seed=0", "model.activation=tanh"}},
                     {{"seed=1", "model.activation=relu", "optim.lr=0.003"}},
                     {{"seed=2", "model.activation=gelu"}},
                     {{"seed=3", "model.activation=selu", "model.init=lecun_normal"}},
                     {{"seed=4", "model.activation=tanh", "optim.lr=0.002"}},
                     {{"seed=5", "model.activation={expr: x * sigmoid(x)}"}}});
  ASSERT_EQ(packed.size(), 6u);
  for (size_t i = 0; i < packed.size(); ++i) {
    SCOPED_TRACE("member " + std::to_string(i));
    EXPECT_EQ(packed[i].status, core::RunStatus::kCompleted);
    EXPECT_NEAR(packed[i].summary["test_accuracy"].get<double>(),
                solo[i].summary["test_accuracy"].get<double>(), 0.0005);
    EXPECT_NEAR(packed[i].summary["test_loss"].get<double>(),
                solo[i].summary["test_loss"].get<double>(), 1e-3);
    EXPECT_NEAR(packed[i].summary["layers"][0]["dead_fraction"].get<double>(),
                solo[i].summary["layers"][0]["dead_fraction"].get<double>(), 0.02);
    // The member's config says its own activation.
    EXPECT_EQ(core::read_file(packed[i].directory / "config.yaml"),
              core::read_file(solo[i].directory / "config.yaml"));
  }
}

// Packed regression (the collapse study's runs): each member ends where its run alone ends.
TEST(Pack, RegressionMembersEndAsTheirRunsAlone) {
  TempDir dir;
  const std::string yaml =
      "name: packed_regression\n"
      "task: regression\n"
      "data: {dataset: function, function: {target: abs, n_train: 300, n_test: 300}, "
      "batch_size: 0}\n"
      "model: {hidden: [3, 3, 3], activation: relu, init: rai}\n"
      "optim: {name: adam, lr: 0.01}\n"
      "train: {epochs: 150, eval_every: 50}\n"
      "probes: {probe_samples: 128}\n"
      "output: {dir: " +
      (dir.path() / "solo").string() + "}\n";
  const auto [packed, solo] = pack_and_solo(dir, yaml,
                                            {{{"seed=0"}},
                                             {{"seed=1", "optim.lr=0.003"}},
                                             {{"seed=2", "model.init=he_uniform"}},
                                             {{"seed=3", "model.activation=tanh"}}});
  ASSERT_EQ(packed.size(), 4u);
  for (size_t i = 0; i < packed.size(); ++i) {
    SCOPED_TRACE("member " + std::to_string(i));
    EXPECT_EQ(packed[i].status, solo[i].status);
    const double a = packed[i].summary["test_mse"].get<double>();
    const double b = solo[i].summary["test_mse"].get<double>();
    EXPECT_NEAR(a, b, 1e-5 * std::max(1.0, std::abs(b)));
    EXPECT_EQ(packed[i].summary["collapsed"], solo[i].summary["collapsed"]);
  }
}

// The pack key is an allow-list: a key not named as per-member (here the optimiser's name and
// the clipping) keeps runs apart; the named ones do not.
TEST(Pack, OnlyTheAllowedKeysMayDifferWithinAPack) {
  TempDir dir;
  const auto file = dir.write("config.yaml", mnist_config(dir));
  auto key = [&](const std::vector<std::string>& overrides) {
    std::vector<config::CliOverride> located;
    for (const auto& o : overrides) located.push_back({o, 1});
    return experiment::pack_key(experiment::prepare_run(file.string(), located).spec);
  };
  const std::string base = key({});
  for (const std::string same : {"seed=9", "model.activation=tanh", "model.init=kaiming_normal",
                                 "optim.lr=0.5", "optim.beta2=0.99", "optim.eps=1e-6",
                                 "optim.weight_decay=0.1", "train.divergence_threshold=50"})
    EXPECT_EQ(key({same}), base) << same;
  for (const std::string different :
       {"optim.name=sgd", "optim.clip_grad_norm=1", "train.epochs=2", "data.batch_size=50",
        "probes.probe_samples=128", "model.hidden=[64,64]"})
    EXPECT_NE(key({different}), base) << different;
}

TEST(Pack, RunsThatDifferInStructureOrCannotBePackedAreRefused) {
  TempDir dir;
  const auto file = dir.write("config.yaml", mnist_config(dir));
  auto prepared = [&](const std::string& o) {
    return experiment::prepare_run(file.string(), {{o, 1}});
  };
  EXPECT_EQ(experiment::pack_key(prepared("seed=3").spec),
            experiment::pack_key(prepared("optim.lr=0.5").spec));
  EXPECT_NE(experiment::pack_key(prepared("seed=3").spec),
            experiment::pack_key(prepared("model.hidden=[64,64]").spec));
  EXPECT_NE(experiment::pack_obstacle(prepared("model.activation=prelu")), "");
  EXPECT_NE(experiment::pack_obstacle(prepared("model.activation=rrelu")), "");
  EXPECT_NE(experiment::pack_obstacle(prepared("model.dropout=0.5")), "");
  EXPECT_EQ(experiment::pack_obstacle(prepared("model.activation=gelu")), "");
  std::vector<experiment::PackMemberRun> mixed{{prepared("seed=0"), dir.path() / "m0"},
                                               {prepared("model.hidden=[8]"), dir.path() / "m1"}};
  EXPECT_THROW(experiment::execute_pack(std::move(mixed), {}), ConfigError);
  EXPECT_FALSE(fs::exists(dir.path() / "m0"));  // refused before anything is written
}

}  // namespace
}  // namespace actbench::train
