// A search file (experiments/activation_search*.yaml): the space, the de-duplication grid, the
// theory screen, the proxy task and its successive-halving rounds, and the final round against
// baselines on the proxy and a second setting. Read strictly: every key is known or refused with
// a suggestion, every value checked, and each mistake is a ConfigError at its file:line:col; the
// proxy's and the second setting's configs are resolved here, so a bad override fails before
// anything is trained.
//
//   name: activation_search            # the directory results/<name> unless `dir` says
//   space:
//     unary: [x, neg, tanh, "x^2 + 1"]  # builtin names (search_space.hpp) or expressions of x
//     binary: [add, mul, "max(a, b)"]   # builtin names or expressions of a and b
//     depth: 1                          # core units, 1 or 2
//     sample: 0                         # 0: every expression; N: N of them drawn with `seed`
//     seed: 0
//   dedup: {from: -10, to: 10, points: 400, rtol: 1.0e-6, atol: 1.0e-9, flat_share: 0.95}
//   screen: {filter: false, sigma_b2: 0.0, edge_sigma_b2: 0.05, q_low: 1.0e-4, q_high: 1.0e4,
//            audit: 0, audit_seed: 0}
//   proxy: {title: Fashion-MNIST MLP, base: ../configs/fashion_mnist_mlp.yaml, set: {...}}
//   rounds:                             # successive halving on the proxy
//     - {epochs: 2, seeds: 1, keep: 0.1}     # keep a share ...
//     - {epochs: 4, seeds: 2, keep_top: 3}   # ... or a count; the last round's kept are finalists
//   baselines: [relu, gelu, silu]       # trained beside the candidates in every round
//   final: {seeds: 10, epochs: 6, second: {title: ..., base: ..., set: {...}}}
//   pack: 64                            # members per pack at most
//   sweep_size: 1000                    # runs per sweep at most (a larger round is split)
//   workers: 2                          # default: one per core
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "search/deduplicate.hpp"
#include "search/search_space.hpp"
#include "search/theory_screen.hpp"

namespace actbench::search {

// A training setting: a base config with fixed overrides, resolved.
struct SettingSpec {
  std::string title;
  std::string base;           // the base config's path as resolved (relative to the search file)
  std::string resolved_yaml;  // the whole resolved config, output.dir removed: the rounds' base
  int64_t hidden_layers = 0;
  int64_t classes = 10;
};

struct RoundSpec {
  int64_t epochs = 1;
  int64_t seeds = 1;
  double keep = 0.0;     // a share of the round's candidates ...
  int64_t keep_top = 0;  // ... or a count (exactly one of them is set)
};

struct SearchSpec {
  std::string name;
  std::string source_file;
  std::filesystem::path directory;  // results/<name> unless set
  SpaceSpec space;
  DedupOptions dedup;
  ScreenOptions screen;  // screen.depth: the proxy's hidden layers
  bool filter = false;   // drop the candidates the screen fails before round 0
  int64_t audit = 0;     // with the filter: this many screened-out candidates trained anyway
  uint64_t audit_seed = 0;
  SettingSpec proxy;
  std::vector<RoundSpec> rounds;
  std::vector<std::string> baselines;
  int64_t final_seeds = 10;
  int64_t final_epochs = 1;
  bool has_second = false;
  SettingSpec second;
  int64_t pack = 64;
  int64_t workers = 0;
  // Runs one sweep plans at most: a sweep holds its planned runs in memory
  // (sweep::kPlannedRunBytes each), so a larger round is split into parts, round_<r>_part_<k>.
  int64_t sweep_size = 1000;
};

// The keys a search file takes at its top level, for messages and docs.
const std::vector<std::string>& search_file_keys();

SearchSpec read_search_file(const std::string& file);

}  // namespace actbench::search
