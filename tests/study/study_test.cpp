// Tests of the literature studies' building blocks: the statistics their verdicts rest on (Wilson
// intervals, KS distances, histograms), the born-dead estimator against Lu et al.'s closed form,
// the RAI initialiser, the vanishing-gradient and SIREN claims at small sizes, and the `study`
// command's handling of an unknown study.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "config/loader.hpp"
#include "core/error.hpp"
#include "experiment/experiment.hpp"
#include "study/dying_relu.hpp"
#include "study/siren.hpp"
#include "study/study_support.hpp"
#include "study/vanishing_gradients.hpp"
#include "support/run_helpers.hpp"

namespace actbench::study {
namespace {

TEST(StudyStatistics, WilsonIntervalMatchesTheTextbookValues) {
  const Interval half = wilson_interval(50, 100, 1.96);
  EXPECT_NEAR(half.low, 0.4038, 1e-4);
  EXPECT_NEAR(half.high, 0.5962, 1e-4);
  // No successes: the interval still has width (unlike the normal approximation's [0, 0]).
  const Interval none = wilson_interval(0, 1000, 1.96);
  EXPECT_EQ(none.low, 0.0);
  EXPECT_NEAR(none.high, 0.00383, 1e-4);
}

TEST(StudyStatistics, KsDistanceSeparatesTheRightDistributionFromAShiftedOne) {
  torch::manual_seed(1);
  const at::Tensor samples = torch::randn({20000}, torch::kDouble);
  auto normal_cdf = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); };
  EXPECT_LT(ks_distance(samples, normal_cdf), 0.015);
  EXPECT_GT(ks_distance(samples + 0.5, normal_cdf), 0.15);
}

TEST(StudyStatistics, HistogramIsADensity) {
  torch::manual_seed(2);
  const Histogram h = histogram(torch::rand({10000}), 0.0, 1.0, 20);
  double integral = 0;
  for (double d : h.density) integral += d * (1.0 / 20);
  EXPECT_NEAR(integral, 1.0, 1e-9);
  for (double d : h.density) EXPECT_NEAR(d, 1.0, 0.15);
}

TEST(StudyTables, ARowMustHaveOneCellPerColumn) {
  MarkdownTable table({"a", "b"});
  table.add({"1", "2"});
  EXPECT_THROW(table.add({"1", "2", "3"}), std::logic_error);
  EXPECT_THROW(table.add({"1"}), std::logic_error);
  EXPECT_EQ(table.str(), "| a | b |\n|---|---:|\n| 1 | 2 |\n");
}

TEST(StudyTables, APipeInACellIsEscapedOnce) {
  MarkdownTable table({"target", "norm"});
  table.add({"|x|", "\\|dL/dW\\|"});
  EXPECT_EQ(table.str(), "| target | norm |\n|---|---:|\n| \\|x\\| | \\|dL/dW\\| |\n");
  // The CSV keeps the text as it is.
  EXPECT_NE(table.csv().find("|x|"), std::string::npos);
}

TEST(BornDead, EstimateAgreesWithTheClosedFormForZeroBiases) {
  const int64_t trials = 3000;
  const BornDeadCell cell = estimate_born_dead(
      2, 6, {"model.init=kaiming_normal", "model.bias_init=zeros"}, trials, 64, 7);
  ASSERT_EQ(cell.dead_at_input.size(), 6u);
  for (int64_t depth = 1; depth <= 6; ++depth) {
    const double p = born_dead_formula(2, depth);
    const double p_hat = static_cast<double>(cell.dead_at_input[depth - 1]) / trials;
    EXPECT_NEAR(p_hat, p, 4.5 * std::sqrt(p * (1 - p) / trials)) << "depth " << depth;
    // A network dead at the input need not be constant on the whole set, never the other way
    // round with zero biases (a constant zero layer is zero at the input too).
    EXPECT_LE(cell.constant_on_set[depth - 1], cell.dead_at_input[depth - 1]);
  }
  EXPECT_NEAR(born_dead_formula(3, 1), 0.125, 1e-12);
}

TEST(BornDead, RandomizedAsymmetricInitIsBornDeadLessOften) {
  const BornDeadCell symmetric =
      estimate_born_dead(3, 10, {"model.init=kaiming_normal", "model.bias_init=zeros"}, 600, 64, 3);
  const BornDeadCell rai = estimate_born_dead(3, 10, {"model.init=rai"}, 600, 64, 3);
  EXPECT_LT(rai.constant_on_set.back() + 60, symmetric.constant_on_set.back());
}

// Glorot and Bengio's claim at a small size (5 tanh layers of 128 units, 200 MNIST test images):
// with the standard init U(-1/sqrt(n), 1/sqrt(n)) ||dL/dz|| shrinks from the top layer to the
// bottom one; with the normalised (Xavier) init the bottom/top ratio is closer to 1.
TEST(VanishingGradients, XavierKeepsTheBottomToTopRatioCloserToOneThanTheStandardInit) {
  data::LoadOptions load;
  load.root = actbench::testing::data_root();
  load.train_subset = 1;
  load.test_subset = 200;
  const data::Dataset mnist = data::load_dataset("mnist", load);
  const std::string hidden = "[128, 128, 128, 128, 128]";
  const GradientsAtInit standard =
      gradients_at_init("tanh", "model.init=standard", hidden, mnist, 2);
  const GradientsAtInit xavier =
      gradients_at_init("tanh", "model.init={name: xavier_uniform, gain: 1}", hidden, mnist, 2);
  ASSERT_EQ(standard.backprop.size(), 5u);
  const double standard_ratio = standard.backprop.front() / standard.backprop.back();
  const double xavier_ratio = xavier.backprop.front() / xavier.backprop.back();
  EXPECT_LT(standard_ratio, 0.5);  // shrinking towards the bottom
  for (size_t l = 0; l + 1 < standard.backprop.size(); ++l)
    EXPECT_LT(standard.backprop[l], standard.backprop[l + 1]) << "layer " << l + 1;
  EXPECT_LT(std::abs(std::log(xavier_ratio)), std::abs(std::log(standard_ratio)))
      << "Xavier " << xavier_ratio << ", standard " << standard_ratio;
}

// SIREN's claim at a small size (10 sine layers of 128 units, 2048 inputs over [-1, 1]): with the
// SIREN init the sine's argument keeps a standard deviation within 20% of 1 in every layer after
// the first (whose argument spans several periods by design, w0 = 30), and the output stays close
// to the arcsine law; each naive init leaves that band by the last layer.
TEST(Siren, SirenInitKeepsTheArgumentNearUnitStdInEveryLayerAndNaiveInitsDoNot) {
  const std::string hidden = "model.hidden=[128, 128, 128, 128, 128, 128, 128, 128, 128, 128]";
  const at::Tensor inputs = torch::linspace(-1.0, 1.0, 2048).unsqueeze(1);
  const auto siren = sine_layer_stats({"model.activation={name: sine, omega_0: 30}",
                                       "model.init=siren", "model.bias_init=zeros", hidden},
                                      30.0, inputs);
  ASSERT_EQ(siren.size(), 10u);
  for (size_t l = 1; l < siren.size(); ++l) {
    EXPECT_NEAR(siren[l].arg_std, 1.0, 0.2) << "layer " << l + 1;
    EXPECT_LT(siren[l].post_ks, 0.1) << "layer " << l + 1;
  }
  const auto xavier_w30 = sine_layer_stats(
      {"model.activation={name: sine, omega_0: 30}", "model.init={name: xavier_uniform, gain: 1}",
       "model.bias_init=zeros", hidden},
      30.0, inputs);
  const auto xavier_w1 = sine_layer_stats(
      {"model.activation={name: sine, omega_0: 1}", "model.init={name: xavier_uniform, gain: 1}",
       "model.bias_init=zeros", hidden},
      1.0, inputs);
  const auto siren_init_w1 =
      sine_layer_stats({"model.activation={name: sine, omega_0: 1}",
                        "model.init={name: siren, omega_0: 30}", "model.bias_init=zeros", hidden},
                       1.0, inputs);
  EXPECT_GT(xavier_w30.back().arg_std, 1.2);     // blown up
  EXPECT_LT(xavier_w1.back().arg_std, 0.8);      // nearly linear
  EXPECT_LT(siren_init_w1.back().arg_std, 0.8);  // collapsed
}

TEST(RaiInit, EveryUnitGetsOnePositiveBetaEntryAmongWeightsAndBias) {
  torch::manual_seed(4);
  BuiltNetwork built = build_for_shape(
      spec_from_overrides({"model.hidden=[400]", "model.init=rai", "model.activation=relu"}),
      {1, 1, 3, 2});
  torch::NoGradGuard no_grad;
  const at::Tensor weight = built.network->hidden_weight(0);
  const at::Tensor bias = built.network->named_parameters()["fc1.bias"];
  const at::Tensor joint = torch::cat({weight, bias.unsqueeze(1)}, 1).to(torch::kDouble);
  // Other entries are N(0, 0.6007^2/3): their sum has mean 0, so a row's sum has Beta(2,1)'s 2/3.
  EXPECT_NEAR(joint.sum(1).mean().item<double>(), 2.0 / 3.0, 0.15);
  // The biases are not all zero: RAI drew them, the bias initialiser did not overwrite them.
  EXPECT_GT(bias.abs().sum().item<double>(), 0.0);
}

// The per-unit claim, unit by unit: with a fan-in of 10,000 the N(0, 0.6007^2/fan_in) entries have
// std 0.006, so an entry above 0.1 (8 std) is the Beta(2, 1) one (P(Beta <= 0.1) = 0.01). Every row
// of [W | b] has at most one such entry, all in (0, 1], nearly every row exactly one, and those
// entries average Beta(2, 1)'s mean above 0.1, (2/3 - 0.1^3 * 2/3) / (1 - 0.1^2) = 0.673.
TEST(RaiInit, EachUnitHasExactlyOneBetaEntry) {
  torch::manual_seed(5);
  BuiltNetwork built = build_for_shape(
      spec_from_overrides({"model.hidden=[300]", "model.init=rai", "model.activation=relu"}),
      {1, 100, 100, 2});
  torch::NoGradGuard no_grad;
  const at::Tensor weight = built.network->hidden_weight(0);
  const at::Tensor bias = built.network->named_parameters()["fc1.bias"];
  const at::Tensor joint = torch::cat({weight, bias.unsqueeze(1)}, 1).to(torch::kDouble);
  ASSERT_EQ(joint.size(1), 10001);
  const at::Tensor large = joint > 0.1;
  const at::Tensor per_row = large.sum(1);
  EXPECT_LE(per_row.max().item<int64_t>(), 1) << "a unit with two Beta entries";
  EXPECT_GE(per_row.sum().item<int64_t>(), 290) << "units without their Beta entry";
  EXPECT_LE(joint.max().item<double>(), 1.0);
  EXPECT_NEAR(joint.masked_select(large).mean().item<double>(), 0.673, 0.04);
  // The other entries are the symmetric N(0, 0.6007^2 / fan_in) part (tests/model/rai_init_test.cpp
  // checks its std within its sampling error).
  const at::Tensor rest = joint.masked_select(large.logical_not());
  EXPECT_NEAR(rest.mean().item<double>(), 0.0, 2e-4);
  EXPECT_NEAR(rest.std().item<double>(), 0.6007 / std::sqrt(10000.0), 2e-4);
}

TEST(RaiInit, SettingABiasInitAsWellIsAConfigError) {
  try {
    experiment::prepare_spec(spec_from_overrides({"model.init=rai", "model.bias_init=zeros"}));
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("model.bias_init"), std::string::npos) << e.what();
  }
}

TEST(StudyCommand, UnknownStudyIsAConfigErrorWithASuggestion) {
  const auto result = actbench::testing::run_cli("study dying_rleu");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("dying_relu"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace actbench::study
