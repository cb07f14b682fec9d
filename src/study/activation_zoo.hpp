// The activation zoo: every activation in the registry on five settings (MNIST and Fashion-MNIST,
// MLP and CNN, and a deep narrow MLP). Measuring (activation_zoo.cpp: the sweeps), deciding
// (activation_zoo_decide.cpp) and writing (activation_zoo_write.cpp) are separate layers; the
// decide layer is public so that the tests can feed it made-up numbers. Its claim: differences
// between activations grow with depth, measured as the ratio of the interquartile ranges of the
// activations' mean test accuracies, deep narrow MLP over the shallow one, with a stratified
// bootstrap interval over seeds.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "report/sweep_report.hpp"
#include "study/claims.hpp"

namespace actbench::study {

// One setting's runs, per activation (in table order).
struct ZooSetting {
  std::string key, title;  // sweep key ("mnist", "deep_narrow"); column heading
  std::vector<std::string> activations;
  std::vector<std::vector<double>> accuracies;  // the completed seeds' test accuracies
  std::vector<int64_t> runs, diverged;
  double chance = 0.1;  // 1 / classes
};

// An activation trained in a setting when its mean test accuracy is at least this many times
// chance; the depth claim needs half of the shallow setting's activations and one of the deep
// setting's to have trained.
inline constexpr double kZooTrainedFactor = 2.0;
// Bootstrap resamples of the depth claim's interval, and the generator's seed.
inline constexpr int kZooResamples = 10000;
inline constexpr uint64_t kZooBootstrapSeed = 0;

// `settings`: sweep key -> its runs; the claim reads "mnist" (shallow) and "deep_narrow".
std::vector<ClaimResult> decide_zoo(const std::map<std::string, ZooSetting>& settings);

// ---- The measurements the write layer prints (activation_zoo.cpp fills them in).

struct ZooSweepResult {
  ZooSetting setting;
  std::filesystem::path directory;  // the sweep's
  report::Report report;            // with relu as the baseline
  std::string table;                // the sweep report's Markdown
  std::string config_json;          // one run's resolved config: the setup the prose quotes
  std::vector<int64_t> seeds;       // the seeds its runs used
};

struct ZooMeasurements {
  bool full = false;
  std::vector<ZooSweepResult> sweeps;
};

// Writes zoo.csv, spread.svg, the aggregate, verdicts.json's companion README.md into `out`;
// returns the README's path.
std::filesystem::path write_zoo(const std::filesystem::path& out, const ZooMeasurements& m,
                                const std::vector<ClaimResult>& claims);

}  // namespace actbench::study
