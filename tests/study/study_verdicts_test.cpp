// The decide layers of the vanishing-gradient, SIREN and activation-zoo studies, fed made-up
// numbers: for each claim, numbers that should agree, partly agree and not agree, and a check that
// the verdict and its generated sentence change with them (dying ReLU's: dying_relu_test.cpp).
#include <gtest/gtest.h>

#include <cmath>

#include "study/activation_zoo.hpp"
#include "study/claims.hpp"
#include "study/siren.hpp"
#include "study/vanishing_gradients.hpp"

namespace actbench::study {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

VanishingMeasurements vanishing(double tanh_std_ratio, double tanh_xavier_ratio,
                                double softsign_xavier_error, double sigmoid_lowest_mean,
                                double xavier_bottom_peak) {
  VanishingMeasurements m;
  m.width = 256;
  m.activations = {"sigmoid", "tanh", "softsign"};
  m.inits = {{"standard", "", "standard"}, {"Xavier", "", "xavier"}};
  GradientsAtInit s, x;
  s.backprop = {tanh_std_ratio, 0.5, 1.0};
  x.backprop = {tanh_xavier_ratio, 0.9, 1.0};
  s.weight_grad = {2.0, 1.0, 1.0, 1.05};
  x.weight_grad = {2.0, 1.0, 1.1, 1.0};
  m.at_init[{"tanh", "standard"}] = s;
  m.at_init[{"tanh", "Xavier"}] = x;
  m.training[{"tanh", "standard"}].errors = {3.0};
  m.training[{"tanh", "Xavier"}].errors = {2.5};  // down, as in Table 1
  m.training[{"softsign", "standard"}].errors = {3.0};
  m.training[{"softsign", "Xavier"}].errors = {softsign_xavier_error};  // Table 1: up
  m.training[{"sigmoid", "standard"}].errors = {80.0};
  m.post_mean[{"sigmoid", "standard"}]["fc5"] = {{0, {0.5}}, {50, {sigmoid_lowest_mean}}};
  m.saturated[{"tanh", "standard"}]["fc1"] = {{0, {0.0}}, {50, {0.4}}};
  m.saturated[{"tanh", "Xavier"}]["fc1"] = {{0, {0.0}}, {50, {xavier_bottom_peak}}};
  return m;
}

TEST(VanishingGradientsDecide, EachVerdictFollowsItsNumbers) {
  const auto good = decide_vanishing(vanishing(0.1, 0.8, 3.5, 0.05, 0.1));
  const auto mid = decide_vanishing(vanishing(0.8, 0.3, 2.0, 0.2, 0.3));
  const auto bad = decide_vanishing(vanishing(1.5, 0.1, 2.0, 0.5, 0.4));
  ASSERT_EQ(good.size(), 6u);
  for (size_t i = 0; i < good.size(); ++i) {
    if (i == 2) continue;  // the weight gradients are the same in all three
    EXPECT_EQ(good[i].verdict, Verdict::kAgrees) << good[i].claim.id << ": " << good[i].sentence;
    EXPECT_NE(bad[i].verdict, Verdict::kAgrees) << bad[i].claim.id << ": " << bad[i].sentence;
    EXPECT_NE(good[i].sentence, bad[i].sentence) << good[i].claim.id;
  }
  EXPECT_EQ(good[2].verdict, Verdict::kAgrees);
  EXPECT_EQ(mid[0].verdict, Verdict::kPartly);
  EXPECT_EQ(mid[1].verdict, Verdict::kPartly);  // 3.3-fold
  EXPECT_EQ(mid[3].verdict, Verdict::kPartly);  // softsign the other way
  EXPECT_EQ(bad[0].verdict, Verdict::kDoesNotAgree);
  EXPECT_EQ(bad[1].verdict, Verdict::kDoesNotAgree);  // 10-fold
  EXPECT_TRUE(contains(good[0].sentence, "0.1 times")) << good[0].sentence;
  EXPECT_TRUE(contains(mid[3].sentence, "the opposite direction")) << mid[3].sentence;
  EXPECT_TRUE(contains(bad[4].sentence, "not pushed to 0")) << bad[4].sentence;
}

SirenSummary siren(double arg_lo, double arg_hi, double xavier_w30_last, double siren_psnr) {
  SirenSummary s;
  s.depth = 10;
  s.zero_bias_arg_lo = arg_lo;
  s.zero_bias_arg_hi = arg_hi;
  s.uniform_bias_arg_lo = arg_lo;
  s.uniform_bias_arg_hi = arg_hi;
  s.zero_bias_post_std = 0.63;
  s.xavier_w30_last_arg_std = xavier_w30_last;
  s.xavier_w1_last_arg_std = 0.1;
  s.siren_w1_first_arg_std = 0.5;
  s.siren_w1_last_arg_std = 1e-3;
  s.siren_psnr = siren_psnr;
  s.relu_psnr = 15.0;
  s.tanh_psnr = 13.0;
  return s;
}

TEST(SirenDecide, EachVerdictFollowsItsNumbers) {
  const auto good = decide_siren(siren(0.98, 1.02, 21.0, 60.0));
  const auto mid = decide_siren(siren(0.86, 0.92, 1.0, 20.0));
  const auto bad = decide_siren(siren(0.4, 1.0, 1.0, 15.0));
  EXPECT_EQ(good[0].verdict, Verdict::kAgrees);
  EXPECT_EQ(bad[0].verdict, Verdict::kDoesNotAgree);
  EXPECT_EQ(good[1].verdict, Verdict::kAgrees);
  EXPECT_EQ(mid[1].verdict, Verdict::kPartly);  // 0.89: the fixed point below 1
  EXPECT_TRUE(contains(mid[1].sentence, "near 0.89")) << mid[1].sentence;
  EXPECT_EQ(good[2].verdict, Verdict::kAgrees);
  EXPECT_EQ(mid[2].verdict, Verdict::kPartly);  // two of three
  EXPECT_EQ(good[3].verdict, Verdict::kAgrees);
  EXPECT_EQ(mid[3].verdict, Verdict::kPartly);
  EXPECT_EQ(bad[3].verdict, Verdict::kDoesNotAgree);
  EXPECT_TRUE(contains(good[3].sentence, "45.0 dB above")) << good[3].sentence;
  EXPECT_TRUE(contains(bad[3].sentence, "not ahead")) << bad[3].sentence;
}

TEST(ActivationZooDecide, TheDepthVerdictFollowsTheInterquartileRanges) {
  auto verdict_for = [](double deep_spread) {
    std::map<std::string, std::vector<double>> means;
    means["mnist"] = {0.97, 0.975, 0.98, 0.985, 0.99};  // IQR 0.01
    means["deep_narrow"] = {0.5, 0.9 - deep_spread, 0.9, 0.9, 0.92};
    return decide_zoo(means).front();
  };
  // quartiles of {0.5, 0.9 - d, 0.9, 0.9, 0.92}: IQR = d
  EXPECT_EQ(verdict_for(0.03).verdict, Verdict::kAgrees);
  EXPECT_EQ(verdict_for(0.015).verdict, Verdict::kPartly);
  EXPECT_EQ(verdict_for(0.005).verdict, Verdict::kDoesNotAgree);
  EXPECT_TRUE(contains(verdict_for(0.03).sentence, "3.0 times")) << verdict_for(0.03).sentence;
  EXPECT_TRUE(contains(verdict_for(0.005).sentence, "does not widen"));
  EXPECT_NEAR(zoo_quantile({1, 2, 3, 4}, 0.25), 1.75, 1e-12);
}

}  // namespace
}  // namespace actbench::study
