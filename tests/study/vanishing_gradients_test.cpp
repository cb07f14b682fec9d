// The vanishing-gradient study's decide layer fed made-up numbers: for each claim, numbers that
// should agree, partly agree and not agree, and a check that the verdict and its generated sentence
// change with them.
#include "study/vanishing_gradients.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "study/claims.hpp"

namespace actbench::study {
namespace {

bool mentions(const std::string& text, const std::string& part) {
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
  EXPECT_TRUE(mentions(good[0].sentence, "0.1 times")) << good[0].sentence;
  EXPECT_TRUE(mentions(mid[3].sentence, "the opposite direction")) << mid[3].sentence;
  EXPECT_TRUE(mentions(bad[4].sentence, "not pushed to 0")) << bad[4].sentence;
}

}  // namespace
}  // namespace actbench::study
