// The probes against direct computations: dead units are exactly the units whose pre-activation is
// never positive on the probe set (for ReLU), per feature for MLPs and per channel for CNNs; the
// back-propagated gradient equals autograd's dL/dz; parameter gradients are left untouched. The
// training-batch probes against the same quantities computed directly over a window of steps.
#include "probe/probes.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>

#include "app/commands.hpp"
#include "support/temp_dir.hpp"

namespace actbench::probe {
namespace {

class KeepPre : public model::LayerObserver {
 public:
  void observe(size_t layer, const torch::Tensor& pre, const torch::Tensor&) override {
    if (pre_.size() <= layer) pre_.resize(layer + 1);
    pre_[layer] = pre;
  }
  std::vector<torch::Tensor> pre_;
};

model::Network build(const std::string& yaml, app::PreparedRun& prepared) {
  actbench::testing::TempDir dir;
  prepared = app::prepare_run(dir.write("c.yaml", yaml).string(), {});
  torch::manual_seed(3);
  return model::build_network(prepared.plan, prepared.spec.model, torch::kCPU);
}

// An MLP and a CNN whose negative biases kill some ReLU units, not all.
const char* const kReluNetsWithSomeDeadUnits[] = {
    "data: {dataset: synthetic}\nmodel: {hidden: [64, 64], bias_init: {name: normal, mean: -1, "
    "std: 1}}\n",
    "data: {dataset: synthetic}\nmodel: {type: cnn, conv: [{out_channels: 16, kernel_size: 3, "
    "pool: 2}], hidden: [32], bias_init: {name: normal, mean: -1, std: 1}}\n"};

TEST(ProbeMath, DeadUnitsMatchNeverPositivePreActivations) {
  for (const char* yaml : kReluNetsWithSomeDeadUnits) {
    app::PreparedRun prepared;
    model::Network network = build(yaml, prepared);
    network->eval();
    torch::manual_seed(5);
    const torch::Tensor x = torch::randn({200, 1, 8, 8});
    const torch::Tensor y = torch::randint(0, 10, {200}, torch::kLong);
    const auto probes = measure_layers(*network, x, y, 0.05);

    KeepPre keep;
    torch::NoGradGuard no_grad;
    network->forward(x, &keep);
    double most_dead = 0.0;
    for (size_t i = 0; i < probes.size(); ++i) {
      torch::Tensor pre = keep.pre_[i];
      torch::Tensor units = pre.dim() > 2 ? pre.transpose(0, 1).flatten(1) : pre.t();
      const double expected =
          (units > 0).any(1).logical_not().to(torch::kDouble).mean().item<double>();
      EXPECT_DOUBLE_EQ(probes[i].dead_fraction, expected) << yaml << " layer " << i;
      most_dead = std::max(most_dead, expected);
      // For ReLU, |f'| < 5% of 1 means exactly "z <= 0".
      EXPECT_NEAR(probes[i].saturated_fraction, (pre <= 0).to(torch::kDouble).mean().item<double>(),
                  1e-12);
      EXPECT_NEAR(probes[i].pre_mean, pre.mean().item<double>(), 1e-5);
      EXPECT_NEAR(probes[i].pre_std, pre.std(false).item<double>(), 1e-5);
    }
    // The fixture must exercise the interesting case: some units dead, not all.
    EXPECT_GT(most_dead, 0.0) << yaml;
    EXPECT_LT(most_dead, 1.0) << yaml;
  }
}

TEST(ProbeMath, BackpropNormIsTheGradientOfTheMeanLoss) {
  app::PreparedRun prepared;
  model::Network network =
      build("data: {dataset: synthetic}\nmodel: {hidden: [32, 16], activation: tanh}\n", prepared);
  torch::manual_seed(7);
  const torch::Tensor x = torch::randn({64, 1, 8, 8});
  const torch::Tensor y = torch::randint(0, 10, {64}, torch::kLong);
  for (auto& p : network->parameters()) p.mutable_grad() = torch::full_like(p, 42.0);
  const auto probes = measure_layers(*network, x, y, 0.05);

  network->eval();
  KeepPre keep;
  const torch::Tensor loss = torch::nn::functional::cross_entropy(network->forward(x, &keep), y);
  const auto grads = torch::autograd::grad({loss}, keep.pre_);
  for (size_t i = 0; i < grads.size(); ++i)
    EXPECT_NEAR(probes[i].backprop_grad_norm, grads[i].norm().item<double>(), 1e-7);
  for (auto& p : network->parameters())
    EXPECT_TRUE(torch::all(p.grad() == 42.0).item<bool>())
        << "probes must not touch parameter grads";
  EXPECT_TRUE(network->is_training() == false);
}

// A window of training steps with the BatchProbeMeter watching, against direct computations over
// the same batches: a unit is dead when its pre-activation is never positive in any batch of the
// window; statistics pool the window's elements; ||dL/dz|| is averaged over its steps.
TEST(ProbeMath, BatchProbesPoolTheWindowsTrainingBatches) {
  for (const char* yaml : kReluNetsWithSomeDeadUnits) {
    app::PreparedRun prepared;
    model::Network network = build(yaml, prepared);
    network->train();
    torch::manual_seed(11);
    const std::vector<torch::Tensor> xs{torch::randn({40, 1, 8, 8}), torch::randn({24, 1, 8, 8})};
    const std::vector<torch::Tensor> ys{torch::randint(0, 10, {40}, torch::kLong),
                                        torch::randint(0, 10, {24}, torch::kLong)};

    BatchProbeMeter meter(*network, 0.05);
    for (size_t b = 0; b < xs.size(); ++b)
      torch::nn::functional::cross_entropy(network->forward(xs[b], &meter), ys[b]).backward();
    EXPECT_EQ(meter.steps(), 2u);
    const auto probes = meter.read_and_reset();
    EXPECT_EQ(meter.steps(), 0u);

    std::vector<std::vector<torch::Tensor>> pre(network->num_hidden()), post(pre.size()),
        backprop(pre.size());
    for (size_t b = 0; b < xs.size(); ++b) {
      KeepPre keep;
      const torch::Tensor loss =
          torch::nn::functional::cross_entropy(network->forward(xs[b], &keep), ys[b]);
      const auto grads = torch::autograd::grad({loss}, keep.pre_);
      for (size_t i = 0; i < pre.size(); ++i) {
        pre[i].push_back(keep.pre_[i].detach());
        post[i].push_back(torch::relu(keep.pre_[i].detach()));
        backprop[i].push_back(grads[i].norm());
      }
    }
    double most_dead = 0.0;
    for (size_t i = 0; i < probes.size(); ++i) {
      const torch::Tensor z = torch::cat(pre[i]);
      const torch::Tensor units = z.dim() > 2 ? z.transpose(0, 1).flatten(1) : z.t();
      const double dead = (units > 0).any(1).logical_not().to(torch::kDouble).mean().item<double>();
      EXPECT_DOUBLE_EQ(probes[i].dead_fraction, dead) << yaml << " layer " << i;
      most_dead = std::max(most_dead, dead);
      EXPECT_NEAR(probes[i].saturated_fraction, (z <= 0).to(torch::kDouble).mean().item<double>(),
                  1e-12);
      EXPECT_NEAR(probes[i].pre_mean, z.to(torch::kDouble).mean().item<double>(), 1e-5);
      EXPECT_NEAR(probes[i].pre_std, z.to(torch::kDouble).std(false).item<double>(), 1e-4);
      const torch::Tensor a = torch::cat(post[i]).to(torch::kDouble);
      EXPECT_NEAR(probes[i].post_mean, a.mean().item<double>(), 1e-5);
      EXPECT_NEAR(probes[i].post_std, a.std(false).item<double>(), 1e-4);
      EXPECT_NEAR(probes[i].backprop_grad_norm, torch::stack(backprop[i]).mean().item<double>(),
                  1e-6);
    }
    EXPECT_GT(most_dead, 0.0) << yaml;
    EXPECT_LT(most_dead, 1.0) << yaml;

    // A new window sees only its own steps: the second batch alone.
    torch::nn::functional::cross_entropy(network->forward(xs[1], &meter), ys[1]).backward();
    const auto second = meter.read_and_reset();
    for (size_t i = 0; i < second.size(); ++i)
      EXPECT_NEAR(second[i].pre_mean, pre[i][1].to(torch::kDouble).mean().item<double>(), 1e-5);
  }
}

TEST(ProbeMath, GradNormMeterGivesMeanAndMaxOfEachStepsWeightGradientNorm) {
  app::PreparedRun prepared;
  model::Network network =
      build("data: {dataset: synthetic}\nmodel: {hidden: [32, 16], activation: tanh}\n", prepared);
  GradNormMeter meter(network->num_hidden());
  std::vector<std::vector<double>> norms(network->num_hidden());
  torch::manual_seed(13);
  for (int step = 0; step < 3; ++step) {
    for (auto& p : network->parameters()) p.mutable_grad().reset();
    const torch::Tensor x = torch::randn({16 << step, 1, 8, 8});
    const torch::Tensor y = torch::randint(0, 10, {16 << step}, torch::kLong);
    torch::nn::functional::cross_entropy(network->forward(x), y).backward();
    meter.add(*network);
    for (size_t i = 0; i < norms.size(); ++i)
      norms[i].push_back(network->hidden_weight(i).grad().norm().item<double>());
  }
  EXPECT_EQ(meter.steps(), 3u);
  const auto values = meter.read_and_reset();
  for (size_t i = 0; i < norms.size(); ++i) {
    const double mean = (norms[i][0] + norms[i][1] + norms[i][2]) / 3;
    EXPECT_NEAR(values[i].mean, mean, 1e-6 * mean) << "layer " << i;
    EXPECT_NEAR(values[i].max, *std::max_element(norms[i].begin(), norms[i].end()), 1e-6 * mean);
    EXPECT_NE(norms[i][0], norms[i][1]);  // the steps differ, so mean and max are distinct tests
  }
  // A new window starts empty.
  EXPECT_EQ(meter.steps(), 0u);
  EXPECT_EQ(meter.read_and_reset()[0].mean, 0.0);
}

TEST(ProbeMath, MaxDerivativeComesFromTheActivation) {
  app::PreparedRun prepared;
  model::Network network = build(
      "data: {dataset: synthetic}\nmodel: {hidden: [8, 8, 8], activation: {name: sine, omega_0: "
      "30}, "
      "layer_activations: {1: sigmoid, 2: tanh}}\n",
      prepared);
  EXPECT_NEAR(network->info(0).max_derivative, 30.0, 1e-3);
  EXPECT_NEAR(network->info(1).max_derivative, 0.25, 1e-6);
  EXPECT_NEAR(network->info(2).max_derivative, 1.0, 1e-6);
}

}  // namespace
}  // namespace actbench::probe
