// The activation zoo's statistics (src/stats/ through the report): relu as the baseline in every
// setting, and the aggregate across the settings (interquartile mean of normalised accuracy with a
// stratified bootstrap interval, and a performance profile).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "report/sweep_report.hpp"

namespace actbench::study {

// Compares every activation of one setting's report with relu (Welch, Holm, Hedges' g, P(X>Y)).
void add_zoo_baseline(report::Report& setting);

// The README section on the aggregate across `settings` (titled as given, in `directories` under
// `out`); writes
// <out>/performance_profile.svg and <out>/aggregate.csv.
std::string zoo_aggregate_section(const std::filesystem::path& out,
                                  std::vector<report::Report> settings,
                                  const std::vector<std::string>& titles,
                                  const std::vector<std::string>& directories);

}  // namespace actbench::study
