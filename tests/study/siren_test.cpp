// The SIREN study's decide layer fed made-up seeds: for each claim, an interval inside the band,
// outside it and straddling a threshold gives agrees, does not agree and inconclusive; image fits
// that did not train or diverged give inconclusive.
#include "study/siren.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "study/claims.hpp"

namespace actbench::study::siren_tests {
namespace {

bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Five init seeds and three training seeds where every claim's interval lies in its "agrees"
// region.
SirenSummary agreeing() {
  SirenSummary s;
  s.depth = 10;
  s.depth_spread = {0.05, 0.06, 0.05, 0.06, 0.055};
  s.zero_bias_arg_std = {0.99, 1.0, 1.01, 1.0, 0.995};
  s.uniform_bias_arg_std = {1.45, 1.46, 1.47, 1.45, 1.46};
  s.zero_bias_post_std = {0.7};
  s.uniform_bias_post_std = {0.71};
  s.zero_bias_ks = {0.05};
  s.xavier_w30_last_arg_std = {21, 20, 22, 21, 19};
  s.xavier_w1_last_arg_std = {0.04, 0.05, 0.045, 0.04, 0.05};
  s.siren_w1_first_arg_std = {0.3, 0.3, 0.3, 0.3, 0.3};
  s.siren_w1_last_arg_std = {1e-12, 1e-13, 1e-12, 1e-11, 1e-12};
  s.siren_psnr = {60, 61, 59};
  s.relu_psnr = {15, 15.5, 14.5};
  s.tanh_psnr = {13, 13.2, 12.8};
  s.constant_psnr = 10.5;
  return s;
}

const ClaimResult& claim(const std::vector<ClaimResult>& results, const std::string& id) {
  for (const auto& r : results)
    if (r.claim.id == id) return r;
  throw std::runtime_error("no claim " + id);
}

TEST(SirenDecide, DepthStabilityFollowsItsInterval) {
  SirenSummary s = agreeing();
  EXPECT_EQ(claim(decide_siren(s), "siren.depth_stable").verdict, Verdict::kAgrees);
  s.depth_spread = {0.5, 0.52, 0.51, 0.5, 0.49};
  EXPECT_EQ(claim(decide_siren(s), "siren.depth_stable").verdict, Verdict::kDoesNotAgree);
  s.depth_spread = {0.05, 0.4, 0.1, 0.3, 0.2};
  const ClaimResult r = claim(decide_siren(s), "siren.depth_stable");
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(r.straddles) << r.reason;
  EXPECT_TRUE(mentions(r.interval.method, "5 init seeds")) << r.interval.method;
  s.depth_spread = {0.05};  // one seed: no t interval
  EXPECT_EQ(claim(decide_siren(s), "siren.depth_stable").verdict, Verdict::kInconclusive);
}

TEST(SirenDecide, UnitArgumentFollowsTheDistanceOfItsIntervalFromOne) {
  SirenSummary s = agreeing();
  EXPECT_EQ(claim(decide_siren(s), "siren.unit_argument").verdict, Verdict::kAgrees);
  s.zero_bias_arg_std = {0.6, 0.61, 0.59, 0.6, 0.6};
  EXPECT_EQ(claim(decide_siren(s), "siren.unit_argument").verdict, Verdict::kDoesNotAgree);
  s.zero_bias_arg_std = {0.885, 0.89, 0.895, 0.89, 0.89};  // the fixed point below 1
  const ClaimResult partly = claim(decide_siren(s), "siren.unit_argument");
  EXPECT_EQ(partly.verdict, Verdict::kPartly);
  EXPECT_TRUE(mentions(partly.sentence, "near 0.89")) << partly.sentence;
  s.zero_bias_arg_std = {0.9, 1.1, 0.7, 1.2, 0.95};
  const ClaimResult r = claim(decide_siren(s), "siren.unit_argument");
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(r.straddles) << r.reason;
}

TEST(SirenDecide, NaiveInitsFailFromTheWilsonIntervalOfTheirShare) {
  SirenSummary s = agreeing();
  const ClaimResult all = claim(decide_siren(s), "siren.naive_inits_fail");
  EXPECT_EQ(all.verdict, Verdict::kAgrees);  // 15 of 15: [0.796, 1]
  EXPECT_TRUE(mentions(all.interval.method, "15 of 15")) << all.interval.method;
  s.xavier_w30_last_arg_std = {1, 1, 1, 1, 1};
  s.xavier_w1_last_arg_std = {1, 1, 1, 1, 1};
  s.siren_w1_last_arg_std = {1, 1, 1, 1, 1};
  EXPECT_EQ(claim(decide_siren(s), "siren.naive_inits_fail").verdict,
            Verdict::kDoesNotAgree);  // 0 of 15: [0, 0.204]
  s.xavier_w30_last_arg_std = {21, 20, 22, 21, 19};
  s.siren_w1_last_arg_std = {1e-12, 1e-13, 1e-12, 1e-11, 1e-12};
  const ClaimResult r = claim(decide_siren(s), "siren.naive_inits_fail");
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);  // 10 of 15: [0.417, 0.848] straddles 0.75
  EXPECT_TRUE(r.straddles) << r.reason;
  EXPECT_TRUE(mentions(r.sentence, "10 of the 15")) << r.sentence;
}

TEST(SirenDecide, ImageFitFollowsWelchsIntervalAndIsCappedByItsConfiguration) {
  SirenSummary s = agreeing();
  const ClaimResult inside = claim(decide_siren(s), "siren.image_fit");
  // Inside the "agrees" region, capped at partly: the paper's image and network are not ours.
  EXPECT_EQ(inside.verdict, Verdict::kPartly);
  EXPECT_TRUE(mentions(inside.reason, "capped")) << inside.reason;
  EXPECT_GE(inside.interval.low, 10.0);
  EXPECT_TRUE(mentions(inside.sentence, "45.0 dB above")) << inside.sentence;
  EXPECT_TRUE(mentions(inside.sentence, "far ahead")) << inside.sentence;
  s.siren_psnr = {15.1, 15.3, 14.9};
  const ClaimResult outside = claim(decide_siren(s), "siren.image_fit");
  EXPECT_EQ(outside.verdict, Verdict::kDoesNotAgree) << outside.reason;
  EXPECT_TRUE(mentions(outside.sentence, "not ahead")) << outside.sentence;
  s.siren_psnr = {20, 35, 50};
  const ClaimResult straddling = claim(decide_siren(s), "siren.image_fit");
  EXPECT_EQ(straddling.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(straddling.straddles) << straddling.reason;
}

TEST(SirenDecide, ImageFitsThatDidNotTrainOrDivergedCannotDecide) {
  SirenSummary s = agreeing();
  s.siren_psnr = {60, 10.9, 59};  // one SIREN seed within 1 dB of a constant output
  ClaimResult r = claim(decide_siren(s), "siren.image_fit");
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);
  EXPECT_FALSE(r.straddles);
  EXPECT_TRUE(mentions(r.reason, "did not train")) << r.reason;
  s = agreeing();
  s.relu_psnr = {10.6, 10.7, 10.5};  // the better baseline is a constant
  s.tanh_psnr = {10.5, 10.5, 10.6};
  r = claim(decide_siren(s), "siren.image_fit");
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(mentions(r.reason, "did not train")) << r.reason;
  s = agreeing();
  s.siren_psnr.clear();
  s.relu_psnr.clear();
  s.tanh_psnr.clear();
  s.siren_diverged = s.relu_diverged = s.tanh_diverged = 3;
  r = claim(decide_siren(s), "siren.image_fit");
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(mentions(r.reason, "every image fit diverged")) << r.reason;
}

TEST(SirenDecide, EveryClaimNamesWhereInTheSourceItIs) {
  for (const auto& r : decide_siren(agreeing())) EXPECT_FALSE(r.claim.where.empty()) << r.claim.id;
}

}  // namespace
}  // namespace actbench::study::siren_tests
