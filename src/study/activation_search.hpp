// The activation search study (Ramachandran, Zoph and Le 2017, "Searching for Activation
// Functions"): the search of src/search/ run from experiments/activation_search_quick.yaml (or
// _full.yaml with --full), then its claims decided from the final round's intervals. Measuring
// (activation_search.cpp), deciding (activation_search_decide.cpp) and writing
// (activation_search_write.cpp) are separate layers; the decide layer is public so that the tests
// can feed it made-up numbers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "search/search_runner.hpp"
#include "study/claims.hpp"

namespace actbench::study {

// A function is Swish-like when some x * sigmoid(beta x) (beta in search::kSwishBetaMin..Max)
// is within this share of its largest value of it on |x| <= search::kSwishRange.
inline constexpr double kSwishLikeTolerance = 0.02;
// A setting's runs trained when the baseline relu's mean accuracy reaches this many times chance.
inline constexpr double kSearchTrainedFactor = 2.0;

// One member of the final round (a finalist or a baseline) in one setting.
struct FinalMember {
  std::string name;  // the expression, or the baseline's activation name
  bool baseline = false;
  bool swish_like = false;
  double swish_beta = 0.0, swish_error = 0.0;
  std::vector<double> accuracies;  // completed seeds
  int64_t failed = 0;              // diverged or failed seeds
};

struct FinalSetting {
  std::string title;
  std::filesystem::path directory;
  double chance = 0.1;
  std::vector<FinalMember> members;  // finalists best first (by the last round), then baselines
};

// What the decide layer reads.
struct SearchFinal {
  FinalSetting proxy, second;
  bool has_second = false;
};

// "activation_search.swish_like_rank_among_best" and "activation_search.best_transfer".
std::vector<ClaimResult> decide_search(const SearchFinal& final_round);

struct SearchStudyMeasurements {
  bool full = false;
  std::string search_file;
  search::SearchOutcome outcome;
  SearchFinal final_round;
  double seconds = 0.0;                                  // the whole search, this invocation
  std::map<std::string, search::Curve> baseline_curves;  // f, f' of the baselines on the grid
};

// Writes README.md, leaderboard.csv, stages.csv, functions.svg and the aggregate into `out`;
// returns the README's path.
std::filesystem::path write_search_study(const std::filesystem::path& out,
                                         const SearchStudyMeasurements& m,
                                         const std::vector<ClaimResult>& claims);

}  // namespace actbench::study
