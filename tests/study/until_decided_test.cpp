// `actbench study NAME --until-decided`: the loop that reruns a study with more seeds while a
// claim's interval straddles its rule (study/study.hpp run_until_decided), driven by a made-up
// study whose interval narrows as seeds are added: it stops once decided, and at the cap.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "study/claims.hpp"
#include "study/study.hpp"

namespace actbench::study {
namespace {

struct FakeStudy {
  double centre = 0.3;      // the true value; the rule agrees at >= 0.2
  double spread = 0.4;      // the interval's half-width with 2 seeds
  std::vector<int> passes;  // added_seeds of each pass

  std::filesystem::path operator()(const StudyOptions& options) {
    passes.push_back(options.added_seeds);
    const double seeds = 2.0 + options.added_seeds;
    const double half = spread * std::sqrt(2.0 / seeds);
    Claim claim;
    claim.id = "fake.claim";
    claim.rule = {Rule::Direction::kAtLeast, 0.2, 0.05};
    const ClaimResult r =
        decide(claim, Measurement::within(centre, centre - half, centre + half, "made up"));
    write_verdicts(options.out / "verdicts.json", "fake", "quick", {r});
    return options.out / "README.md";
  }
};

StudyOptions options_in(const std::filesystem::path& dir, int cap) {
  std::filesystem::create_directories(dir);
  StudyOptions options;
  options.out = dir;
  options.until_decided_cap = cap;
  options.log = std::fopen("/dev/null", "w");
  return options;
}

std::filesystem::path temp_dir(const char* name) {
  return std::filesystem::temp_directory_path() /
         (std::string("actbench_until_decided_") + name + "_" +
          std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
}

TEST(UntilDecided, AddsSeedsUntilNoClaimStraddles) {
  const auto dir = temp_dir("decides");
  FakeStudy fake;
  // Half-width 0.4 sqrt(2 / n) clears 0.3 - 0.2 = 0.1 once n > 32: added 2, 4, 8, 16, 32.
  const StudyOptions options = options_in(dir, 64);
  run_until_decided(options, std::ref(fake));
  std::fclose(options.log);
  EXPECT_EQ(fake.passes, (std::vector<int>{0, 2, 4, 8, 16, 32}));
  const StudyVerdicts verdicts = read_verdicts(dir / "verdicts.json");
  EXPECT_EQ(verdicts.results.at(0).verdict, Verdict::kAgrees);
  std::filesystem::remove_all(dir);
}

TEST(UntilDecided, StopsAtTheCapStillInconclusive) {
  const auto dir = temp_dir("cap");
  FakeStudy fake;
  const StudyOptions options = options_in(dir, 5);
  run_until_decided(options, std::ref(fake));
  std::fclose(options.log);
  EXPECT_EQ(fake.passes, (std::vector<int>{0, 2, 4, 5}));
  const StudyVerdicts verdicts = read_verdicts(dir / "verdicts.json");
  EXPECT_EQ(verdicts.results.at(0).verdict, Verdict::kInconclusive);
  EXPECT_TRUE(verdicts.results.at(0).straddles);
  std::filesystem::remove_all(dir);
}

TEST(UntilDecided, WithoutTheFlagRunsOnceAndADecidedStudyStopsAtOnce) {
  const auto dir = temp_dir("once");
  FakeStudy straddling;
  StudyOptions once = options_in(dir, 0);
  run_until_decided(once, std::ref(straddling));
  EXPECT_EQ(straddling.passes, (std::vector<int>{0}));
  FakeStudy decided;
  decided.spread = 0.01;
  once.until_decided_cap = 64;
  run_until_decided(once, std::ref(decided));
  std::fclose(once.log);
  EXPECT_EQ(decided.passes, (std::vector<int>{0}));
  EXPECT_EQ(next_added_seeds(0, 10), 2);
  EXPECT_EQ(next_added_seeds(8, 10), 10);
  EXPECT_EQ(next_added_seeds(10, 10), -1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace actbench::study
