// Successive halving (Jamieson and Talwalkar 2016; Li et al. 2017's Hyperband builds on it): every
// candidate trained a little, the best share kept and trained longer with more seeds, round after
// round. Here only the selection, as a pure function of the scores, so that it is tested on
// made-up numbers; search_runner.cpp trains the rounds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace actbench::search {

// How many of `n` a round keeps: `keep_top` when it is > 0 (at most n), else ceil(keep * n), at
// least 1 when n > 0.
int64_t kept_count(int64_t n, double keep, int64_t keep_top);

// A candidate's score in a round: the mean over its seeds, a diverged or failed seed counting as
// `failed_value` (the search's worst score, so a candidate that diverges is not kept for its
// other seeds alone). NaN for no seeds.
double round_score(const std::vector<double>& seed_values, int64_t failed_seeds,
                   double failed_value);

// The indices of the `count` best scores, best first; equal scores keep the lower index first
// (candidates are ordered simplest first, so a tie goes to the simpler function). A NaN score
// ranks below every number.
std::vector<size_t> best_indices(const std::vector<double>& scores, int64_t count);

// One round's promotion: of the round's `members` (candidate indices, simplest first) with their
// `scores` (parallel), those not marked `audit_only` compete, and the kept_count(competing, keep,
// keep_top) best go on, best first. Audited candidates (screened out, trained only to measure the
// screen) never go on.
std::vector<size_t> promote(const std::vector<size_t>& members, const std::vector<double>& scores,
                            const std::vector<bool>& audit_only, double keep, int64_t keep_top);

// 1 + the number of scores strictly above `score`: a rank among them (ties share the best rank).
int64_t rank_among(double score, const std::vector<double>& scores);

}  // namespace actbench::search
