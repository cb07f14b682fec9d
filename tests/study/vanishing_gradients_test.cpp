// The vanishing-gradient study's decide layer fed made-up numbers: for each claim family, seeds
// whose interval lies inside the band (agrees), outside it (does not agree) and across a
// threshold (inconclusive), and runs that did not train (inconclusive whatever the numbers).
#include "study/vanishing_gradients.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "study/claims.hpp"

namespace actbench::study {
namespace {

bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const ClaimResult& vanishing_claim(const std::vector<ClaimResult>& results, const std::string& id) {
  for (const auto& r : results)
    if (r.claim.id == "vanishing_gradients." + id) return r;
  throw std::runtime_error("no claim " + id);
}

// Five-layer gradients whose bottom/top ratio is `ratio` for each seed.
std::vector<std::vector<double>> layers_with_ratio(const std::vector<double>& ratios) {
  std::vector<std::vector<double>> out;
  for (double r : ratios) out.push_back({r, 0.7, 0.8, 0.9, 1.0});
  return out;
}

// A study where every claim agrees with three seeds; the tests change one part.
VanishingMeasurements agreeing() {
  VanishingMeasurements m;
  m.width = 256;
  m.activations = {"sigmoid", "tanh", "softsign"};
  m.inits = {{"standard", "", "standard"}, {"Xavier", "", "xavier"}};
  GradientsAtInit s, x;
  s.backprop = {0.1, 0.5, 1.0};
  x.backprop = {0.8, 0.9, 1.0};
  s.backprop_by_seed = layers_with_ratio({0.09, 0.1, 0.11});
  x.backprop_by_seed = layers_with_ratio({0.8, 0.82, 0.78});
  s.weight_grad = {2.0, 1.0, 1.0, 1.05};
  x.weight_grad = {2.0, 1.0, 1.1, 1.0};
  s.weight_grad_by_seed = {{2.0, 1.0, 1.0, 1.05}, {2.0, 1.0, 1.02, 1.05}, {2.0, 1.0, 1.0, 1.1}};
  x.weight_grad_by_seed = {{2.0, 1.0, 1.1, 1.0}, {2.0, 1.0, 1.05, 1.0}, {2.0, 1.0, 1.0, 1.08}};
  m.at_init[{"tanh", "standard"}] = s;
  m.at_init[{"tanh", "Xavier"}] = x;
  m.training[{"tanh", "standard"}].errors = {3.0, 3.1, 2.9};
  m.training[{"tanh", "Xavier"}].errors = {2.5, 2.6, 2.4};  // down, as in Table 1
  m.training[{"softsign", "standard"}].errors = {3.0, 3.1, 2.9};
  m.training[{"softsign", "Xavier"}].errors = {3.5, 3.6, 3.4};  // Table 1: up
  m.training[{"sigmoid", "standard"}].errors = {10.0, 11.0, 12.0};
  // Sigmoid's top layer: pushed to 0.05 at step 50, back up by step 100.
  const std::vector<double> lowest = {0.04, 0.05, 0.06};
  for (int seed = 0; seed < 3; ++seed) {
    const std::string run = "run" + std::to_string(seed);
    m.post_mean_runs[{"sigmoid", "standard"}][run]["fc5"] = {
        {0, 0.5}, {50, lowest[seed]}, {100, 0.2}};
    m.saturated_runs[{"tanh", "standard"}][run]["fc1"] = {{0, 0.0}, {50, 0.4 + 0.01 * seed}};
    m.saturated_runs[{"tanh", "Xavier"}][run]["fc1"] = {{0, 0.0}, {50, 0.1 + 0.01 * seed}};
  }
  m.post_mean[{"sigmoid", "standard"}]["fc5"] = {{0, {0.5}}, {50, lowest}, {100, {0.2}}};
  m.saturated[{"tanh", "standard"}]["fc1"] = {{0, {0.0}}, {50, {0.41}}};
  m.saturated[{"tanh", "Xavier"}]["fc1"] = {{0, {0.0}}, {50, {0.11}}};
  return m;
}

TEST(VanishingGradientsDecide, EveryClaimAgreesWhenItsIntervalLiesInTheBand) {
  const auto results = decide_vanishing(agreeing());
  ASSERT_EQ(results.size(), 6u);
  for (const auto& r : results) {
    EXPECT_EQ(r.verdict, Verdict::kAgrees) << r.claim.id << ": " << r.reason << " " << r.sentence;
    EXPECT_FALSE(r.claim.where.empty()) << r.claim.id;
    EXPECT_LE(r.interval.low, r.interval.high) << r.claim.id;
  }
  EXPECT_TRUE(mentions(vanishing_claim(results, "standard_shrinks").sentence, "0.1 times"));
}

TEST(VanishingGradientsDecide, AtInitClaimsFollowTheirSeedIntervals) {
  VanishingMeasurements m = agreeing();
  // Outside the band: every seed's bottom layer has 1.5 times the top's gradient.
  m.at_init[{"tanh", "standard"}].backprop_by_seed = layers_with_ratio({1.45, 1.5, 1.55});
  EXPECT_EQ(vanishing_claim(decide_vanishing(m), "standard_shrinks").verdict,
            Verdict::kDoesNotAgree);
  // Across the 0.5 threshold: seeds at 0.2, 0.5 and 0.8.
  m.at_init[{"tanh", "standard"}].backprop_by_seed = layers_with_ratio({0.2, 0.5, 0.8});
  const auto straddling = vanishing_claim(decide_vanishing(m), "standard_shrinks");
  EXPECT_EQ(straddling.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(straddling.straddles) << straddling.reason;
  // Xavier 10-fold: does not agree; 3.3-fold: partly.
  m = agreeing();
  m.at_init[{"tanh", "Xavier"}].backprop_by_seed = layers_with_ratio({0.1, 0.1, 0.1});
  EXPECT_EQ(vanishing_claim(decide_vanishing(m), "xavier_flat").verdict, Verdict::kDoesNotAgree);
  m.at_init[{"tanh", "Xavier"}].backprop_by_seed = layers_with_ratio({0.3, 0.3, 0.31});
  EXPECT_EQ(vanishing_claim(decide_vanishing(m), "xavier_flat").verdict, Verdict::kPartly);
}

TEST(VanishingGradientsDecide, TableDirectionNeedsTrainedRunsAndSeeds) {
  VanishingMeasurements m = agreeing();
  // Softsign the other way, surely: one of two activations.
  m.training[{"softsign", "Xavier"}].errors = {2.0, 2.1, 1.9};
  const auto half = vanishing_claim(decide_vanishing(m), "table1_direction");
  EXPECT_EQ(half.verdict, Verdict::kPartly) << half.reason;
  EXPECT_TRUE(mentions(half.measured, "the opposite direction")) << half.measured;
  // Softsign's change within its noise: inconclusive.
  m.training[{"softsign", "Xavier"}].errors = {2.0, 3.1, 4.0};
  EXPECT_EQ(vanishing_claim(decide_vanishing(m), "table1_direction").verdict,
            Verdict::kInconclusive);
  // One seed per arm: no interval, inconclusive.
  m = agreeing();
  for (auto& [key, training] : m.training) training.errors.resize(1);
  EXPECT_EQ(vanishing_claim(decide_vanishing(m), "table1_direction").verdict,
            Verdict::kInconclusive);
  // An arm that did not train decides nothing.
  m = agreeing();
  m.training[{"tanh", "standard"}].errors = {89.7, 90.0, 88.0};
  const auto untrained = vanishing_claim(decide_vanishing(m), "table1_direction");
  EXPECT_EQ(untrained.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(mentions(untrained.reason, "did not train")) << untrained.reason;
}

TEST(VanishingGradientsDecide, SigmoidNeedsATrainedNetAndAMinimumBeforeTheEnd) {
  VanishingMeasurements m = agreeing();
  m.training[{"sigmoid", "standard"}].errors = {89.7};
  auto r = vanishing_claim(decide_vanishing(m), "sigmoid_top_saturates");
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(mentions(r.reason, "did not train: test error 89.7%")) << r.reason;
  // Trained, but still falling at the last record.
  m = agreeing();
  m.post_mean[{"sigmoid", "standard"}]["fc5"][100] = {0.01};
  r = vanishing_claim(decide_vanishing(m), "sigmoid_top_saturates");
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(mentions(r.reason, "still falling")) << r.reason;
  // Trained, its minimum well above the band: does not agree.
  m = agreeing();
  m.post_mean[{"sigmoid", "standard"}]["fc5"][50] = {0.45, 0.46, 0.44};
  for (auto& [run, layers] : m.post_mean_runs[{"sigmoid", "standard"}])
    layers["fc5"][50] = 0.45 + (run == "run0" ? 0.01 : 0.0);
  m.post_mean[{"sigmoid", "standard"}]["fc5"][100] = {0.48};
  EXPECT_EQ(vanishing_claim(decide_vanishing(m), "sigmoid_top_saturates").verdict,
            Verdict::kDoesNotAgree);
}

TEST(VanishingGradientsDecide, SaturationComparesTheArmsOverSeeds) {
  VanishingMeasurements m = agreeing();
  // Xavier saturates as much as the standard init: does not agree.
  for (auto& [run, layers] : m.saturated_runs[{"tanh", "Xavier"}])
    layers["fc1"][50] = m.saturated_runs[{"tanh", "standard"}][run]["fc1"][50] * 1.2;
  EXPECT_EQ(vanishing_claim(decide_vanishing(m), "xavier_less_saturation").verdict,
            Verdict::kDoesNotAgree);
  // Did not train: inconclusive.
  m = agreeing();
  m.training[{"tanh", "Xavier"}].errors = {90.0};
  EXPECT_EQ(vanishing_claim(decide_vanishing(m), "xavier_less_saturation").verdict,
            Verdict::kInconclusive);
}

}  // namespace
}  // namespace actbench::study
