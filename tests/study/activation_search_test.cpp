// The activation search study's decide layer fed made-up final rounds: a Swish-like best member
// agrees (capped at partly: the configuration is not the paper's), a best member far above every
// Swish-like one does not agree, overlapping seeds are inconclusive; a finalist that beats relu
// in the second setting transfers, one far below does not, and an untrained relu leaves both
// claims inconclusive with that reason.
#include "study/activation_search.hpp"

#include <gtest/gtest.h>

namespace actbench::study::activation_search_test {
namespace {

FinalMember member(const std::string& name, bool baseline, bool swish_like,
                   std::vector<double> accuracies) {
  FinalMember m;
  m.name = name;
  m.baseline = baseline;
  m.swish_like = swish_like;
  m.accuracies = std::move(accuracies);
  return m;
}

std::vector<double> around(double mean) {
  return {mean - 0.002, mean + 0.001, mean, mean + 0.002, mean - 0.001};
}

SearchFinal final_round(double best, double swish, double second_best, double second_relu) {
  SearchFinal f;
  f.proxy.title = "proxy";
  f.proxy.members = {member("max(x, 0) * tanh(x)", false, false, around(best)),
                     member("relu", true, false, around(0.80)),
                     member("silu", true, true, around(swish))};
  f.has_second = true;
  f.second.title = "second";
  f.second.members = {member("max(x, 0) * tanh(x)", false, false, around(second_best)),
                      member("relu", true, false, around(second_relu)),
                      member("silu", true, true, around(0.9))};
  return f;
}

ClaimResult claim(const std::vector<ClaimResult>& results, const std::string& id) {
  for (const auto& r : results)
    if (r.claim.id == id) return r;
  throw std::runtime_error("no claim " + id);
}

constexpr const char* kSwish = "activation_search.swish_like_rank_among_best";
constexpr const char* kTransfer = "activation_search.best_transfer";

TEST(ActivationSearchDecide, SwishLikeNearTheBestAgreesCappedAtPartly) {
  const auto results = decide_search(final_round(0.85, 0.849, 0.95, 0.90));
  const ClaimResult r = claim(results, kSwish);
  EXPECT_EQ(r.verdict, Verdict::kPartly) << r.reason;
  EXPECT_NE(r.reason.find("capped"), std::string::npos) << r.reason;
  EXPECT_NEAR(r.value, 0.001, 1e-9);
}

TEST(ActivationSearchDecide, ABestFarAboveEverySwishLikeMemberDoesNotAgree) {
  const ClaimResult r = claim(decide_search(final_round(0.85, 0.80, 0.95, 0.9)), kSwish);
  EXPECT_EQ(r.verdict, Verdict::kDoesNotAgree) << r.reason;
}

TEST(ActivationSearchDecide, ASwishLikeBestIsExact) {
  const ClaimResult r = claim(decide_search(final_round(0.80, 0.86, 0.95, 0.9)), kSwish);
  EXPECT_EQ(r.interval.low, 0.0);
  EXPECT_NE(r.interval.method.find("exact"), std::string::npos) << r.interval.method << r.reason;
  EXPECT_NE(r.verdict, Verdict::kInconclusive);
}

TEST(ActivationSearchDecide, AnIntervalAcrossAThresholdIsInconclusive) {
  SearchFinal f = final_round(0.85, 0.845, 0.95, 0.9);
  // Noisy seeds: the difference's interval spans both thresholds.
  f.proxy.members[0].accuracies = {0.80, 0.90, 0.85, 0.83, 0.87};
  const ClaimResult r = claim(decide_search(f), kSwish);
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(r.straddles) << r.reason;
}

TEST(ActivationSearchDecide, TheBestFinalistBeatingReluInTheSecondSettingTransfers) {
  const auto results = decide_search(final_round(0.85, 0.84, 0.95, 0.90));
  const ClaimResult r = claim(results, kTransfer);
  EXPECT_EQ(r.verdict, Verdict::kPartly) << r.reason;  // agrees, capped
  EXPECT_NEAR(r.value, 0.05, 1e-9);
  EXPECT_NE(r.sentence.find("max(x, 0) * tanh(x)"), std::string::npos) << r.sentence;
  const ClaimResult worse = claim(decide_search(final_round(0.85, 0.84, 0.70, 0.90)), kTransfer);
  EXPECT_EQ(worse.verdict, Verdict::kDoesNotAgree) << worse.reason;
}

TEST(ActivationSearchDecide, AnUntrainedReluLeavesTheClaimsInconclusive) {
  SearchFinal f = final_round(0.85, 0.84, 0.95, 0.90);
  f.second.members[1].accuracies = around(0.11);
  const ClaimResult r = claim(decide_search(f), kTransfer);
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);
  EXPECT_NE(r.reason.find("did not train"), std::string::npos) << r.reason << r.sentence;
  f.has_second = false;
  EXPECT_NE(claim(decide_search(f), kTransfer).reason.find("no second setting"), std::string::npos);
}

}  // namespace
}  // namespace actbench::study::activation_search_test
