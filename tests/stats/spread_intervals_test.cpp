// The spread intervals of src/stats/spread_intervals.hpp on values worked out by hand.
#include "stats/spread_intervals.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace actbench::stats {
namespace {

TEST(SpreadIntervals, InterquartileRangeUsesLinearQuartiles) {
  EXPECT_NEAR(interquartile_range({1, 2, 3, 4}), 1.5, 1e-12);  // 3.25 - 1.75
  EXPECT_TRUE(std::isnan(interquartile_range({})));
}

TEST(SpreadIntervals, SpreadRatioOfSingleSeedArmsHasNoWidth) {
  // One seed per arm: every resample is the sample, so the interval is the estimate.
  const SpreadRatio r =
      spread_ratio({{1}, {2}, {3}, {4}, {5}}, {{1}, {1.5}, {2}, {2.5}, {3}}, 200, 0);
  EXPECT_NEAR(r.numerator_iqr, 2.0, 1e-12);
  EXPECT_NEAR(r.denominator_iqr, 1.0, 1e-12);
  EXPECT_NEAR(r.estimate, 2.0, 1e-12);
  EXPECT_NEAR(r.ci.low, 2.0, 1e-12);
  EXPECT_NEAR(r.ci.high, 2.0, 1e-12);
}

TEST(SpreadIntervals, SpreadRatioIntervalWidensWithSeedNoiseAndCoversTheEstimate) {
  const std::vector<std::vector<double>> top{{0.9, 1.1}, {1.8, 2.2}, {2.9, 3.1}, {3.7, 4.3}},
      bottom{{1, 1.05}, {1.5, 1.52}, {2, 2.01}, {2.5, 2.55}};
  const SpreadRatio r = spread_ratio(top, bottom, 2000, 1);
  EXPECT_LE(r.ci.low, r.estimate);
  EXPECT_GE(r.ci.high, r.estimate);
  EXPECT_GT(r.ci.high - r.ci.low, 0.05);
  // A setting with a zero IQR below has no ratio.
  EXPECT_TRUE(std::isnan(spread_ratio(top, {{1}, {1}, {1}}, 100, 0).estimate));
}

TEST(SpreadIntervals, SeparationAndSignificanceCounts) {
  const Separation s = separated_from({{0, 1}, {2, 3}, {0.5, 2.5}, {-2, -1}, {NAN, 1}}, 2);
  EXPECT_EQ(s.above, std::vector<size_t>{});
  EXPECT_EQ(s.below, (std::vector<size_t>{3}));
  const Separation t = separated_from({{0, 1}, {2, 3}}, 0);
  EXPECT_EQ(t.above, (std::vector<size_t>{1}));
  const SignificanceCount c =
      count_significant({0.1, -0.2, 0.3, 0.1}, {0.01, 0.02, 0.5, NAN}, 0.05);
  EXPECT_EQ(c.compared, 3);
  EXPECT_EQ(c.above, 1);
  EXPECT_EQ(c.below, 1);
}

TEST(SpreadIntervals, DistanceIntervalFromACentre) {
  const Interval around = distance_interval({0.9, 1.2}, 1.0);
  EXPECT_NEAR(around.low, 0.0, 1e-12);
  EXPECT_NEAR(around.high, 0.2, 1e-12);
  const Interval below = distance_interval({0.85, 0.9}, 1.0);
  EXPECT_NEAR(below.low, 0.1, 1e-12);
  EXPECT_NEAR(below.high, 0.15, 1e-12);
}

}  // namespace
}  // namespace actbench::stats
