// The activation zoo's decide layer fed made-up numbers: the depth verdict follows them.
#include "study/activation_zoo.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "study/claims.hpp"

namespace actbench::study::zoo_tests {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
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
}  // namespace actbench::study::zoo_tests
