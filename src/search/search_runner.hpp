// An activation search end to end, on the sweep machinery: the space enumerated, de-duplicated
// and screened; then each successive-halving round is a sweep of its own (<dir>/round_<r>.yaml,
// trained in <dir>/round_<r>/ as mixed packs), and the final round two more (final_proxy/,
// final_second/). Every trained candidate is therefore a run in a results database like any
// other, and a search killed at any moment resumes as sweeps do: the same command again plans
// the same rounds (their members follow from the finished rounds' results, which a resumed sweep
// reproduces), finds the finished runs in each round's database and trains only the rest.
#pragma once

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "search/deduplicate.hpp"
#include "search/search_file.hpp"
#include "search/theory_screen.hpp"

namespace actbench::search {

struct SearchRunOptions {
  std::filesystem::path out;         // the search's directory; empty: the spec's
  int workers = 0;                   // 0: the spec's, else one per core
  std::filesystem::path executable;  // the actbench binary the sweep workers run
  std::FILE* log = stdout;
  bool count_only = false;  // enumerate, de-duplicate and stop: nothing screened or trained
};

// One unique function and what happened to it.
struct CandidateRecord {
  UniqueFunction function;
  ScreenResult screen;
  bool audited = false;  // screened out, trained anyway to measure the screen (filter on)
  // Per round it was trained in: the completed seeds' test accuracies and the failed seeds.
  std::vector<std::vector<double>> accuracies;
  std::vector<int64_t> failed;
  std::vector<double> scores;  // round_score per round trained
  bool finalist = false;
};

// A baseline's scores in each round (it is trained in every round, never eliminated).
struct BaselineRecord {
  std::string name;
  std::vector<double> scores;
};

struct SearchOutcome {
  SearchSpec spec;
  std::filesystem::path directory;
  int64_t space_size = 0;
  int64_t enumerated = 0;
  std::map<std::string, int64_t> dropped_by_reason;  // degeneracy_name -> candidates
  int64_t merged = 0;
  int64_t refused = 0;       // unique functions the expr activation refuses
  int64_t screened_out = 0;  // unique functions the screen fails (refused ones excluded)
  int64_t filtered_out = 0;  // of those, not trained (filter on, not audited)
  std::vector<CandidateRecord> candidates;         // the unique functions, simplest first
  std::vector<std::vector<size_t>> round_members;  // indices into candidates, per round
  std::vector<BaselineRecord> baselines;
  std::vector<size_t> finalists;  // best first
  std::vector<std::filesystem::path> round_directories;
  std::filesystem::path final_proxy_directory, final_second_directory;  // "" when not run
  std::map<std::string, double> seconds;  // wall time per stage: "enumerate", "screen", ...
  int64_t runs_trained_now = 0;           // runs this invocation started (0 after a full resume)
};

// The scores of a round's runs: per activation (an expression's text or a baseline's name), the
// completed seeds' test accuracies and the count of diverged or failed seeds.
struct RoundScores {
  std::map<std::string, std::vector<double>> accuracies;
  std::map<std::string, int64_t> failed;
  int64_t unfinished = 0;
};
RoundScores read_round_scores(const std::filesystem::path& sweep_dir);

// The expression text or the activation name a run's resolved config trains.
std::string activation_key(const std::string& config_json);

// Runs the search (or resumes it); throws Error when interrupted, saying how to resume.
SearchOutcome run_search(const SearchSpec& spec, const SearchRunOptions& options);

}  // namespace actbench::search
