// One table across several sweeps (settings), e.g. the zoo's five: which group (activation) does
// best over all of them. Per setting, each run's test accuracy is normalised so that 0 is the
// lowest and 1 the highest group mean in that setting; per group, the interquartile mean of its
// normalised runs over all settings, with a stratified bootstrap interval (runs resampled within
// each setting, percentile method, as rliable does), and a performance profile: the share of its
// runs x settings whose normalised score is above each threshold.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "report/sweep_report.hpp"

namespace actbench::report {

struct AggregateOptions {
  int resamples = 10000;
  uint64_t seed = 0;
  double confidence = 0.95;
};

struct AggregateGroup {
  std::string label;
  std::vector<std::vector<double>> normalised;  // per setting, the completed runs' scores
  std::vector<double> means;                    // per setting, the raw mean accuracy (NaN: none)
  int64_t runs = 0, diverged = 0, settings = 0;
  stats::Aggregate iqm;  // of the normalised scores
};

struct AggregateReport {
  std::vector<std::string> settings;  // the sweeps' titles
  std::string group_key;              // e.g. "model.activation"
  Metric metric;                      // the sweeps' (one for all)
  std::vector<AggregateGroup> groups;
  std::vector<Figure> figures;
  AggregateOptions options;
};

// `reports` must be grouped alike (the same group-by keys); groups are matched by their values.
AggregateReport aggregate(const std::vector<Report>& reports, const AggregateOptions& options);

TextTable aggregate_table(const AggregateReport& report);
std::string render(const AggregateReport& report, const std::string& format,
                   const LatexOptions& latex = {});

}  // namespace actbench::report
