// The verdict mechanism every study shares (study/claims.hpp): a made-up interval inside, outside
// and straddling a rule's band gives agrees, does not agree and inconclusive; runs that cannot
// decide give inconclusive whatever the numbers; a secondary figure or an unmatched configuration
// caps the verdict; the JSON record keeps all of it.
#include "study/claims.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

namespace actbench::study {
namespace {

Claim claim_with(Rule rule) {
  Claim c;
  c.id = "test.claim";
  c.source = "Someone et al. 2020";
  c.statement = "a share is at least 0.2";
  c.quantity = "a share";
  c.rule = rule;
  c.where = "Table 1";
  return c;
}

const Rule kAtLeast{Rule::Direction::kAtLeast, 0.2, 0.05};
const Rule kAtMost{Rule::Direction::kAtMost, 0.0, 0.01};

Verdict verdict_of(const Rule& rule, double low, double high) {
  return decide(claim_with(rule), Measurement::within((low + high) / 2, low, high, "test 95%"))
      .verdict;
}

TEST(Claims, AnIntervalInsideOneRegionDecides) {
  EXPECT_EQ(verdict_of(kAtLeast, 0.25, 0.4), Verdict::kAgrees);
  EXPECT_EQ(verdict_of(kAtLeast, 0.06, 0.15), Verdict::kPartly);
  EXPECT_EQ(verdict_of(kAtLeast, 0.0, 0.04), Verdict::kDoesNotAgree);
  EXPECT_EQ(verdict_of(kAtMost, -0.01, 0.0), Verdict::kAgrees);
  EXPECT_EQ(verdict_of(kAtMost, 0.002, 0.009), Verdict::kPartly);
  EXPECT_EQ(verdict_of(kAtMost, 0.3, 0.5), Verdict::kDoesNotAgree);
}

TEST(Claims, AnIntervalAcrossAThresholdIsInconclusiveAndSaysWhich) {
  const ClaimResult r =
      decide(claim_with(kAtLeast), Measurement::within(0.21, 0.15, 0.27, "Wilson 95%"));
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);  // the point (0.21) alone would agree
  EXPECT_TRUE(r.straddles);
  EXPECT_NE(r.reason.find("straddles 0.2"), std::string::npos) << r.reason;
  // Across both thresholds: both named.
  const ClaimResult wide =
      decide(claim_with(kAtLeast), Measurement::within(0.1, 0.0, 0.5, "t 95% over 2 seeds"));
  EXPECT_EQ(wide.verdict, Verdict::kInconclusive);
  EXPECT_NE(wide.reason.find("0.05"), std::string::npos) << wide.reason;
  EXPECT_EQ(verdict_of(kAtMost, -0.1, 0.005), Verdict::kInconclusive);
}

// A rule whose "partly" band is empty has one threshold: the reason names it once ("straddles 0,
// the threshold of "agrees" and 0, that of "partly agrees"" was in the README).
TEST(Claims, AnIntervalAcrossOneSharedThresholdNamesItOnce) {
  const Rule no_partly_band{Rule::Direction::kAtLeast, 0.0, 0.0};
  const ClaimResult r =
      decide(claim_with(no_partly_band), Measurement::within(0.3, -1.5, 2.1, "t 95%"));
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);
  EXPECT_EQ(r.reason,
            "its interval [-1.5, 2.1] straddles 0, the threshold of \"agrees\" and of \"partly "
            "agrees\"");
}

TEST(Claims, NoIntervalOrRunsThatCannotDecideAreInconclusive) {
  const ClaimResult no_interval = decide(
      claim_with(kAtLeast), Measurement::within(0.5, std::nan(""), std::nan(""), "t 95%, 1 seed"));
  EXPECT_EQ(no_interval.verdict, Verdict::kInconclusive);
  EXPECT_FALSE(no_interval.straddles);  // more seeds would help, but it did not straddle

  const ClaimResult untrained = decide(
      claim_with(kAtLeast),
      Measurement::undecidable(0.97, "the runs did not train: test accuracy 0.101, chance 0.1"));
  EXPECT_EQ(untrained.verdict, Verdict::kInconclusive);
  EXPECT_FALSE(untrained.straddles);
  EXPECT_NE(untrained.reason.find("did not train"), std::string::npos);
  EXPECT_DOUBLE_EQ(untrained.value, 0.97);  // still quoted

  const ClaimResult exact = decide(claim_with(kAtLeast), Measurement::exact(0.3, "theory"));
  EXPECT_EQ(exact.verdict, Verdict::kAgrees);
  EXPECT_EQ(interval_text(exact.interval), "exact: theory");
}

TEST(Claims, ASecondaryFigureOrAnotherConfigurationCapsAtPartly) {
  Claim secondary = claim_with(kAtLeast);
  secondary.reading = Reading::kSecondary;
  const ClaimResult r = decide(secondary, Measurement::within(0.3, 0.25, 0.35, "Wilson 95%"));
  EXPECT_EQ(r.verdict, Verdict::kPartly);
  EXPECT_NE(r.reason.find("secondary"), std::string::npos) << r.reason;

  Claim other = claim_with(kAtLeast);
  other.configuration_differs = "the paper's width is not stated";
  const ClaimResult o = decide(other, Measurement::within(0.3, 0.25, 0.35, "Wilson 95%"));
  EXPECT_EQ(o.verdict, Verdict::kPartly);
  EXPECT_NE(o.reason.find("width is not stated"), std::string::npos) << o.reason;
  // A cap never raises a verdict.
  EXPECT_EQ(decide(other, Measurement::within(0.0, 0.0, 0.01, "Wilson 95%")).verdict,
            Verdict::kDoesNotAgree);
}

TEST(Claims, TheRecordKeepsIntervalReasonAndSource) {
  Claim c = claim_with(kAtLeast);
  c.reading = Reading::kSecondary;
  c.configuration_differs = "pooled over widths";
  ClaimResult r = decide(c, Measurement::within(0.21, 0.15, 0.27, "Wilson 95%"));
  r.measured = "21 of 100";
  r.sentence = "A sentence.";
  const auto file = std::filesystem::temp_directory_path() /
                    ("actbench_claims_" +
                     std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + ".json");
  write_verdicts(file, "test", "quick", {r});
  const StudyVerdicts back = read_verdicts(file);
  std::filesystem::remove(file);
  ASSERT_EQ(back.results.size(), 1u);
  const ClaimResult& b = back.results[0];
  EXPECT_EQ(b.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(b.straddles);
  EXPECT_EQ(b.reason, r.reason);
  EXPECT_DOUBLE_EQ(b.interval.low, 0.15);
  EXPECT_DOUBLE_EQ(b.interval.high, 0.27);
  EXPECT_EQ(b.interval.method, "Wilson 95%");
  EXPECT_EQ(b.claim.where, "Table 1");
  EXPECT_EQ(b.claim.reading, Reading::kSecondary);
  EXPECT_EQ(b.claim.configuration_differs, "pooled over widths");
  const std::string paragraph = verdict_paragraph(b);
  EXPECT_NE(paragraph.find("[0.15, 0.27] (Wilson 95%)"), std::string::npos) << paragraph;
  EXPECT_NE(paragraph.find("inconclusive"), std::string::npos) << paragraph;
  EXPECT_NE(paragraph.find("secondary source"), std::string::npos) << paragraph;
}

// The README's study table: a claim without an interval shows what was measured and, in the
// verdict column, why it cannot decide; it used to read "...; interval no interval".
TEST(Claims, TheReadmeTableLeavesOutAMissingInterval) {
  const auto root = std::filesystem::temp_directory_path() /
                    ("actbench_claims_table_" +
                     std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  ClaimResult none =
      decide(claim_with(kAtLeast), Measurement::undecidable(0.5, "the runs did not train"));
  none.measured = "a made-up reading";
  ClaimResult some = decide(claim_with(kAtLeast), Measurement::within(0.3, 0.25, 0.35, "t 95%"));
  some.measured = "another reading";
  write_verdicts(root / "siren" / "verdicts.json", "siren", "quick", {none, some});
  const std::string table = readme_study_table(root);
  std::filesystem::remove_all(root);
  EXPECT_EQ(table.find("no interval"), std::string::npos) << table;
  EXPECT_NE(table.find("| a made-up reading |"), std::string::npos) << table;
  EXPECT_NE(table.find("the runs did not train"), std::string::npos) << table;
  EXPECT_NE(table.find("another reading; interval [0.25, 0.35] (t 95%)"), std::string::npos)
      << table;
}

}  // namespace
}  // namespace actbench::study
