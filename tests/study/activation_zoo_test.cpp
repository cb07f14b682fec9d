// The activation zoo's decide layer fed made-up seeds: the depth claim's bootstrap interval of the
// IQR ratio inside the band, outside it and straddling a threshold gives agrees (capped: the claim
// names no configuration), does not agree and inconclusive; a shallow setting that did not train,
// or one whose every run diverged, gives inconclusive.
#include "study/activation_zoo.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "study/claims.hpp"

namespace actbench::study::zoo_tests {
namespace {

bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Eight activations whose means are evenly spaced `step` apart around `centre`, each with three
// seeds `noise` either side of its mean.
ZooSetting setting(const std::string& key, double centre, double step, double noise) {
  ZooSetting s;
  s.key = key;
  for (int i = 0; i < 8; ++i) {
    const double mean = centre + (i - 3.5) * step;
    s.activations.push_back("a" + std::to_string(i));
    s.accuracies.push_back({mean - noise, mean, mean + noise});
    s.runs.push_back(3);
    s.diverged.push_back(0);
  }
  return s;
}

ClaimResult depth_claim(const ZooSetting& shallow, const ZooSetting& deep) {
  std::map<std::string, ZooSetting> settings{{"mnist", shallow}, {"deep_narrow", deep}};
  return decide_zoo(settings).front();
}

TEST(ActivationZooDecide, TheDepthVerdictFollowsTheBootstrapIntervalOfTheRatio) {
  const ZooSetting shallow = setting("mnist", 0.97, 0.002, 0.0005);  // IQR 0.007
  // Inside "agrees" (5x): capped at partly, the claim is a secondary, configuration-free one.
  const ClaimResult inside = depth_claim(shallow, setting("deep_narrow", 0.9, 0.01, 0.0005));
  EXPECT_EQ(inside.verdict, Verdict::kPartly);
  EXPECT_TRUE(mentions(inside.reason, "capped")) << inside.reason;
  EXPECT_GE(inside.interval.low, 2.0);
  EXPECT_NEAR(inside.value, 5.0, 1e-9);
  EXPECT_TRUE(mentions(inside.sentence, "5.0 times")) << inside.sentence;
  EXPECT_TRUE(mentions(inside.sentence, "depth widens the differences between activations"))
      << inside.sentence;
  // In "partly" (1.5x): partly without a cap.
  const ClaimResult partly = depth_claim(shallow, setting("deep_narrow", 0.9, 0.003, 0.0002));
  EXPECT_EQ(partly.verdict, Verdict::kPartly);
  EXPECT_FALSE(mentions(partly.reason, "capped")) << partly.reason;
  // Outside (0.5x): does not agree.
  const ClaimResult outside = depth_claim(shallow, setting("deep_narrow", 0.9, 0.001, 0.0002));
  EXPECT_EQ(outside.verdict, Verdict::kDoesNotAgree);
  EXPECT_TRUE(mentions(outside.sentence, "does not widen")) << outside.sentence;
  // Seeds as noisy as the spread: the interval straddles.
  const ClaimResult straddling = depth_claim(shallow, setting("deep_narrow", 0.9, 0.004, 0.02));
  EXPECT_EQ(straddling.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(straddling.straddles) << straddling.reason;
  EXPECT_TRUE(mentions(straddling.interval.method, "bootstrap")) << straddling.interval.method;
}

TEST(ActivationZooDecide, RunsThatDidNotTrainOrDivergedCannotDecide) {
  const ZooSetting deep = setting("deep_narrow", 0.9, 0.01, 0.0005);
  // The shallow MLP at chance: its spread is noise.
  const ClaimResult chance = depth_claim(setting("mnist", 0.1, 0.002, 0.0005), deep);
  EXPECT_EQ(chance.verdict, Verdict::kInconclusive);
  EXPECT_FALSE(chance.straddles);
  EXPECT_TRUE(mentions(chance.reason, "did not train")) << chance.reason;
  // No activation trained in the deep MLP.
  const ClaimResult deep_chance =
      depth_claim(setting("mnist", 0.97, 0.002, 0.0005), setting("deep_narrow", 0.1, 0.001, 0));
  EXPECT_EQ(deep_chance.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(mentions(deep_chance.reason, "no activation trained")) << deep_chance.reason;
  // Every run of the deep MLP diverged: no completed run.
  ZooSetting diverged = deep;
  for (auto& seeds : diverged.accuracies) seeds.clear();
  const ClaimResult none = depth_claim(setting("mnist", 0.97, 0.002, 0.0005), diverged);
  EXPECT_EQ(none.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(mentions(none.reason, "diverged")) << none.reason;
}

TEST(ActivationZooDecide, TheClaimNamesItsSourceAsData) {
  const ClaimResult r =
      depth_claim(setting("mnist", 0.97, 0.002, 0.0005), setting("deep_narrow", 0.9, 0.01, 0.0005));
  EXPECT_FALSE(r.claim.where.empty());
  EXPECT_EQ(r.claim.reading, Reading::kSecondary);
  EXPECT_FALSE(r.claim.configuration_differs.empty());
}

}  // namespace
}  // namespace actbench::study::zoo_tests
