// Successive halving's selection (src/search/halving.hpp) on made-up scores: the share or count
// kept, ties to the simpler candidate, failed seeds counted as the worst score, audited
// candidates never promoted, and over several rounds of noisy scores whose noise shrinks with the
// training budget, the truly best candidates are the ones left.
#include "search/halving.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace actbench::search::halving_test {
namespace {

TEST(SuccessiveHalving, KeptCountIsAShareRoundedUpOrACount) {
  EXPECT_EQ(kept_count(100, 0.25, 0), 25);
  EXPECT_EQ(kept_count(101, 0.25, 0), 26);
  EXPECT_EQ(kept_count(3, 0.1, 0), 1) << "at least one goes on";
  EXPECT_EQ(kept_count(10, 1.0, 0), 10);
  EXPECT_EQ(kept_count(10, 0.5, 3), 3) << "a count wins over a share";
  EXPECT_EQ(kept_count(2, 0.5, 3), 2) << "never more than there are";
  EXPECT_EQ(kept_count(0, 0.5, 0), 0);
}

TEST(SuccessiveHalving, BestIndicesAreBestFirstWithTiesToTheLowerIndexAndNanLast) {
  const std::vector<double> scores{0.5, std::nan(""), 0.9, 0.7, 0.9, 0.1};
  EXPECT_EQ(best_indices(scores, 3), (std::vector<size_t>{2, 4, 3}));
  EXPECT_EQ(best_indices(scores, 6), (std::vector<size_t>{2, 4, 3, 0, 5, 1}));
  EXPECT_EQ(rank_among(0.9, scores), 1);
  EXPECT_EQ(rank_among(0.6, scores), 4);
}

TEST(SuccessiveHalving, AFailedSeedCountsAsTheWorstScore) {
  EXPECT_DOUBLE_EQ(round_score({0.8, 0.6}, 0, 0.0), 0.7);
  EXPECT_DOUBLE_EQ(round_score({0.9}, 1, 0.0), 0.45);
  EXPECT_TRUE(std::isnan(round_score({}, 0, 0.0)));
  EXPECT_DOUBLE_EQ(round_score({}, 2, 0.0), 0.0);
}

TEST(SuccessiveHalving, AuditedCandidatesAreTrainedButNeverPromoted) {
  const std::vector<size_t> members{10, 11, 12, 13};
  const std::vector<double> scores{0.2, 0.99, 0.5, 0.4};
  const std::vector<bool> audited{false, true, false, false};
  // The audited 11 has the best score; the share is of the three that compete.
  EXPECT_EQ(promote(members, scores, audited, 0.5, 0), (std::vector<size_t>{12, 13}));
  EXPECT_EQ(promote(members, scores, {}, 0.5, 0), (std::vector<size_t>{11, 12}));
}

// Candidates with made-up true qualities; a round's score is the quality plus noise that shrinks
// as the round trains longer with more seeds. The halving must end on the best few.
TEST(SuccessiveHalving, RoundsOfNoisyScoresEndOnTheTrulyBestCandidates) {
  constexpr size_t kCandidates = 400;
  std::mt19937_64 generator(11);
  std::uniform_real_distribution<double> quality_of(0.1, 0.9);
  std::vector<double> quality(kCandidates);
  for (auto& q : quality) q = quality_of(generator);
  // Five clearly best candidates, scattered through the order.
  const std::vector<size_t> best{17, 123, 200, 311, 398};
  for (size_t k = 0; k < best.size(); ++k) quality[best[k]] = 0.95 + 0.005 * static_cast<double>(k);

  std::vector<size_t> members(kCandidates);
  for (size_t i = 0; i < kCandidates; ++i) members[i] = i;
  struct Round {
    double noise, keep;
    int64_t keep_top;
  };
  for (const Round& round : {Round{0.02, 0.1, 0}, Round{0.0005, 0.0, 5}}) {
    std::normal_distribution<double> noise(0.0, round.noise);
    std::vector<double> scores;
    for (size_t i : members) scores.push_back(quality[i] + noise(generator));
    members = promote(members, scores, {}, round.keep, round.keep_top);
  }
  // Best first: the qualities rise with k, ten times the last round's noise apart.
  EXPECT_EQ(members, (std::vector<size_t>{398, 311, 200, 123, 17}));
}

}  // namespace
}  // namespace actbench::search::halving_test
