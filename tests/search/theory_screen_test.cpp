// The theory screen of search candidates (src/search/theory_screen.hpp): a Swish passes with its
// recommended gain; tanh has a usable edge of chaos, Swish and ReLU not; x^4, whose recommended
// gain is small, has its length map collapse within two layers and fails, saying where; a text the
// expr activation refuses is recorded as refused.
#include "search/theory_screen.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace actbench::search::theory_screen_test {
namespace {

TEST(TheoryScreen, SwishPassesAndAHighPowerCollapses) {
  ScreenOptions options;
  options.depth = 2;
  const ScreenResult swish = screen_candidate("x * sigmoid(x)", options);
  EXPECT_TRUE(swish.refused.empty());
  EXPECT_TRUE(swish.passes) << swish.reason;
  EXPECT_GT(swish.gain, 1.0);
  ASSERT_EQ(swish.q.size(), 2u);
  // At sigma_b2 = 0.05 tanh's edge of chaos has a stable q*, Swish's does not (q* = 0.83 with
  // dq'/dq = 1.10), and ReLU has none at all.
  EXPECT_FALSE(swish.edge_of_chaos);
  EXPECT_TRUE(screen_candidate("tanh(x)", options).edge_of_chaos);
  EXPECT_FALSE(screen_candidate("max(x, 0)", options).edge_of_chaos);

  const ScreenResult quartic = screen_candidate("x^4", options);
  EXPECT_FALSE(quartic.passes);
  EXPECT_LT(quartic.gain, 0.2);
  EXPECT_NE(quartic.reason.find("the length map takes q to"), std::string::npos) << quartic.reason;
  ASSERT_FALSE(quartic.q.empty());
  EXPECT_LT(quartic.q.back(), options.q_low);
}

TEST(TheoryScreen, WhatTheExprActivationRefusesIsRecordedAsRefused) {
  const ScreenResult r = screen_candidate("exp(exp(x))", ScreenOptions{});
  EXPECT_FALSE(r.refused.empty());
  EXPECT_FALSE(r.passes);
  EXPECT_TRUE(std::isnan(r.gain));
}

}  // namespace
}  // namespace actbench::search::theory_screen_test
