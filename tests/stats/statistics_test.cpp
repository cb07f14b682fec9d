// The report statistics against values computed independently with SciPy (fixtures.json, written
// by make_fixtures.py), Holm's adjustment against its textbook worked example, and the bootstraps
// for being seeded (same input and seed, same interval) and sensible (the interval holds the
// estimate and narrows with more runs).
#include "stats/statistics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

namespace actbench::stats {
namespace {

const nlohmann::json& fixtures() {
  static const nlohmann::json loaded = [] {
    std::ifstream in(std::string(ACTBENCH_SOURCE_DIR) + "/tests/stats/fixtures.json");
    return nlohmann::json::parse(in);
  }();
  return loaded;
}

std::vector<double> numbers(const nlohmann::json& j) { return j.get<std::vector<double>>(); }

constexpr double kTight = 1e-10;
// SciPy 1.10's Student t quantile (Cephes stdtrit) is good to about 1e-9; Boost.Math's to about
// 1e-15 (t(0.995, 9) = 3.2498355415921 in both Boost and printed tables; SciPy gives
// 3.2498355440). Values built on t quantiles are compared to within 1e-8.
constexpr double kQuantile = 1e-8;

TEST(StatisticsFixtures, SummaryMatchesScipy) {
  for (const auto& c : fixtures()["cases"]) {
    for (const char* side : {"x", "y"}) {
      SCOPED_TRACE(c["name"].get<std::string>() + " " + side);
      const auto& expected = c["summary"][side];
      const Summary s = summarize(numbers(c[side]));
      EXPECT_EQ(s.n, static_cast<int64_t>(c[side].size()));
      EXPECT_NEAR(s.mean, expected["mean"].get<double>(), kTight);
      EXPECT_NEAR(s.std, expected["std"].get<double>(), kTight);
      EXPECT_NEAR(s.ci.low, expected["ci_low"].get<double>(), kQuantile);
      EXPECT_NEAR(s.ci.high, expected["ci_high"].get<double>(), kQuantile);
      EXPECT_NEAR(s.median, expected["median"].get<double>(), kTight);
      EXPECT_DOUBLE_EQ(s.min, expected["min"].get<double>());
      EXPECT_DOUBLE_EQ(s.max, expected["max"].get<double>());
      EXPECT_NEAR(interquartile_mean(numbers(c[side])), expected["iqm"].get<double>(), kTight);
    }
  }
}

TEST(StatisticsFixtures, WelchTestMatchesScipy) {
  for (const auto& c : fixtures()["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const WelchTest w = welch_test(numbers(c["x"]), numbers(c["y"]));
    EXPECT_NEAR(w.t, c["welch_t"].get<double>(), 1e-9);
    EXPECT_NEAR(w.degrees_of_freedom, c["welch_df"].get<double>(), 1e-9);
    EXPECT_NEAR(w.p, c["welch_p"].get<double>(), 1e-9);
    EXPECT_NEAR(w.ci.low, c["welch_ci_low"].get<double>(), kQuantile);
    EXPECT_NEAR(w.ci.high, c["welch_ci_high"].get<double>(), kQuantile);
  }
}

TEST(StatisticsFixtures, MannWhitneyAndHedgesMatchIndependentValues) {
  for (const auto& c : fixtures()["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    EXPECT_DOUBLE_EQ(mann_whitney_u(numbers(c["x"]), numbers(c["y"])),
                     c["mann_whitney_u"].get<double>());
    EXPECT_NEAR(hedges_g(numbers(c["x"]), numbers(c["y"])), c["hedges_g"].get<double>(), 1e-9);
  }
}

TEST(StatisticsFixtures, StudentTQuantilesMatchScipy) {
  for (const auto& q : fixtures()["t_quantiles"]) {
    EXPECT_NEAR(student_t_quantile(q["df"].get<double>(), q["p"].get<double>()),
                q["t"].get<double>(), kQuantile * std::abs(q["t"].get<double>()))
        << "df " << q["df"] << " p " << q["p"];
  }
}

TEST(StatisticsFixtures, InterquartileMeanAndPercentilesMatchNumpy) {
  for (const auto& c : fixtures()["iqm"])
    EXPECT_NEAR(interquartile_mean(numbers(c["values"])), c["iqm"].get<double>(), kTight)
        << c["values"].size() << " values";
  for (const auto& c : fixtures()["percentiles"])
    EXPECT_NEAR(quantile(numbers(c["values"]), c["q"].get<double>()), c["value"].get<double>(),
                kTight)
        << "q " << c["q"];
}

TEST(StatisticsFixtures, HolmMatchesIndependentImplementation) {
  for (const auto& c : fixtures()["holm"]) {
    const auto adjusted = holm_adjust(numbers(c["p"]));
    const auto expected = numbers(c["adjusted"]);
    ASSERT_EQ(adjusted.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(adjusted[i], expected[i], 1e-15);
  }
}

// Holm (1979) as usually worked: sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 gives 0.02,
// 0.03, 0.06, 0.04, and the step-down maximum lifts the last to 0.06.
TEST(Statistics, HolmWorkedExampleKeepsInputOrderAndSkipsNaN) {
  const auto adjusted = holm_adjust({0.01, 0.04, std::nan(""), 0.03, 0.005});
  EXPECT_NEAR(adjusted[0], 0.03, 1e-15);
  EXPECT_NEAR(adjusted[1], 0.06, 1e-15);
  EXPECT_TRUE(std::isnan(adjusted[2]));
  EXPECT_NEAR(adjusted[3], 0.06, 1e-15);
  EXPECT_NEAR(adjusted[4], 0.02, 1e-15);
}

TEST(Statistics, UndefinedQuantitiesAreNaNNotZero) {
  const Summary one = summarize({0.5});
  EXPECT_EQ(one.std, 0.0);
  EXPECT_TRUE(std::isnan(one.ci.low));
  const WelchTest single = welch_test({0.5}, {0.4, 0.6});
  EXPECT_DOUBLE_EQ(single.difference, 0.0);
  EXPECT_TRUE(std::isnan(single.p));
  const WelchTest constant = welch_test({0.5, 0.5}, {0.4, 0.4});
  EXPECT_TRUE(std::isnan(constant.p));
  EXPECT_TRUE(std::isnan(hedges_g({1.0, 1.0}, {1.0, 1.0})));
  EXPECT_THROW(summarize({}), std::invalid_argument);
}

TEST(Statistics, ProbabilityOfImprovementBootstrapIsSeededAndHoldsTheEstimate) {
  const std::vector<double> x{0.71, 0.74, 0.69, 0.75, 0.72, 0.70, 0.73};
  const std::vector<double> y{0.66, 0.71, 0.64, 0.69, 0.70};
  const auto a = probability_of_improvement(x, y, 2000, 7);
  const auto b = probability_of_improvement(x, y, 2000, 7);
  const auto c = probability_of_improvement(x, y, 2000, 8);
  EXPECT_DOUBLE_EQ(a.estimate, mann_whitney_u(x, y) / 35.0);
  EXPECT_EQ(a.ci.low, b.ci.low);
  EXPECT_EQ(a.ci.high, b.ci.high);
  EXPECT_NE(a.ci.low + a.ci.high, c.ci.low + c.ci.high);
  EXPECT_LE(a.ci.low, a.estimate);
  EXPECT_GE(a.ci.high, a.estimate);
  EXPECT_LE(a.ci.high, 1.0);
  EXPECT_GT(a.ci.high - a.ci.low, 0.05);
}

TEST(Statistics, StratifiedBootstrapResamplesWithinSettings) {
  // One setting with a single value: every resample keeps it, so a setting whose runs are all
  // equal contributes no spread; the interval comes from the other setting only.
  const std::vector<std::vector<double>> settings{{0.5, 0.5, 0.5, 0.5}, {0.1, 0.2, 0.9, 1.0}};
  const Aggregate a = stratified_bootstrap_iqm(settings, 3000, 1);
  const Aggregate b = stratified_bootstrap_iqm(settings, 3000, 1);
  EXPECT_NEAR(a.iqm, interquartile_mean({0.5, 0.5, 0.5, 0.5, 0.1, 0.2, 0.9, 1.0}), 1e-15);
  EXPECT_EQ(a.ci.low, b.ci.low);
  EXPECT_LE(a.ci.low, a.iqm);
  EXPECT_GE(a.ci.high, a.iqm);
  const Aggregate fixed = stratified_bootstrap_iqm({{0.3, 0.3}, {0.7, 0.7}}, 500, 1);
  EXPECT_DOUBLE_EQ(fixed.ci.low, 0.5);
  EXPECT_DOUBLE_EQ(fixed.ci.high, 0.5);
  // More runs per setting, narrower interval.
  std::vector<std::vector<double>> many(2);
  for (int i = 0; i < 40; ++i) {
    many[0].push_back(0.1 * (i % 10));
    many[1].push_back(0.1 * ((i + 3) % 10));
  }
  const Aggregate wide =
      stratified_bootstrap_iqm({{0.0, 0.3, 0.6, 0.9}, {0.3, 0.6, 0.9, 0.0}}, 3000, 1);
  const Aggregate narrow = stratified_bootstrap_iqm(many, 3000, 1);
  EXPECT_LT(narrow.ci.high - narrow.ci.low, 0.6 * (wide.ci.high - wide.ci.low));
}

TEST(Statistics, PerformanceProfileCountsValuesStrictlyAbove) {
  EXPECT_EQ(performance_profile({0.1, 0.5, 0.5, 0.9}, {0.0, 0.5, 0.9}),
            (std::vector<double>{1.0, 0.25, 0.0}));
}

}  // namespace
}  // namespace actbench::stats
