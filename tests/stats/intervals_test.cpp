// The intervals the studies' claims are decided from (stats/statistics.hpp), checked against
// published worked examples: Newcombe 1998 (Statistics in Medicine 17, 857-872 and 873-890) for the
// Wilson interval and the hybrid-score difference, Katz's log interval worked by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "stats/statistics.hpp"

namespace actbench::stats {
namespace {

TEST(Intervals, WilsonMatchesNewcombesExamples) {
  const Interval a = wilson_interval(81, 263);
  EXPECT_NEAR(a.low, 0.2553, 5e-5);
  EXPECT_NEAR(a.high, 0.3662, 5e-5);
  const Interval zero = wilson_interval(0, 10);
  EXPECT_DOUBLE_EQ(zero.low, 0.0);
  EXPECT_NEAR(zero.high, 0.2775, 5e-5);
  // Exactly 0 and 1 at the ends (the formula left 1.7e-18 at 0 of 150).
  EXPECT_EQ(wilson_interval(0, 150).low, 0.0);
  EXPECT_EQ(wilson_interval(150, 150).high, 1.0);
  const Interval none = wilson_interval(0, 0);
  EXPECT_DOUBLE_EQ(none.low, 0.0);
  EXPECT_DOUBLE_EQ(none.high, 1.0);
  // A lower level gives a narrower interval.
  const Interval narrow = wilson_interval(81, 263, 0.5);
  EXPECT_GT(narrow.low, a.low);
  EXPECT_LT(narrow.high, a.high);
  EXPECT_THROW(wilson_interval(11, 10), std::invalid_argument);
}

TEST(Intervals, ShareDifferenceMatchesNewcombesMethodTen) {
  const Difference d = share_difference(56, 70, 48, 80);
  EXPECT_NEAR(d.estimate, 0.2, 1e-12);
  EXPECT_NEAR(d.ci.low, 0.0524, 5e-5);
  EXPECT_NEAR(d.ci.high, 0.3339, 5e-5);
  const Difference e = share_difference(9, 10, 3, 10);
  EXPECT_NEAR(e.ci.low, 0.1705, 5e-5);
  EXPECT_NEAR(e.ci.high, 0.8090, 5e-5);
  EXPECT_TRUE(std::isnan(share_difference(1, 0, 1, 2).estimate));
}

TEST(Intervals, RiskRatioIsKatzsLogInterval) {
  // 10/100 against 20/100: RR 0.5, se of log RR sqrt(1/10 - 1/100 + 1/20 - 1/100).
  const Ratio r = risk_ratio(10, 100, 20, 100);
  EXPECT_NEAR(r.estimate, 0.5, 1e-12);
  EXPECT_NEAR(r.ci.low, 0.246641, 1e-6);
  EXPECT_NEAR(r.ci.high, 1.013620, 1e-6);
  EXPECT_TRUE(std::isnan(risk_ratio(1, 10, 0, 10).ci.low));  // the baseline share is zero
  EXPECT_DOUBLE_EQ(risk_ratio(0, 10, 5, 10).ci.low, 0.0);
}

TEST(Intervals, MeanAndMedianIntervals) {
  const std::vector<double> v{0.1, 0.2, 0.3, 0.4};
  const Interval m = mean_interval(v);
  EXPECT_NEAR((m.low + m.high) / 2, 0.25, 1e-12);
  EXPECT_LT(m.low, 0.25);
  EXPECT_TRUE(std::isnan(mean_interval({1.0}).low));
  // One outlier moves the mean's interval far more than the median's.
  const std::vector<double> outlier{0.0, -0.001, 0.002, -0.0015, 0.001, 0.0005, 0.744};
  const Interval med = median_bootstrap_interval(outlier, 2000, 7);
  EXPECT_LE(med.low, 0.0005);
  EXPECT_LT(med.high, 0.1);
  EXPECT_GT(mean_interval(outlier).high, 0.3);
  const Interval again = median_bootstrap_interval(outlier, 2000, 7);
  EXPECT_DOUBLE_EQ(med.low, again.low);  // seeded
  EXPECT_DOUBLE_EQ(med.high, again.high);
}

}  // namespace
}  // namespace actbench::stats
