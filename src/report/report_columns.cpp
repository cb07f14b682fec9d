// The column names of a sweep report and the reading of --columns (see report_columns.hpp).
#include "report/report_columns.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/strings.hpp"

namespace actbench::report {

const std::vector<ReportColumn>& report_columns() {
  static const std::vector<ReportColumn> columns = {
      {"n", "completed seeds"},
      {"mean_ci", "mean with its 95% interval, 0.9712 [0.9690, 0.9734]"},
      {"mean_std", "mean ± sample std"},
      {"ci", "95% interval of the mean"},
      {"median", "median"},
      {"min_max", "min / max"},
      {"delta", "difference of means from the baseline"},
      {"delta_ci", "difference from the baseline with its 95% Welch interval"},
      {"p", "Welch's t-test against the baseline"},
      {"p_holm", "its p Holm-adjusted across the comparisons"},
      {"hedges_g", "effect size against the baseline (Hedges' g)"},
      {"p_improvement", "P(a seed beats one of the baseline) with its bootstrap interval"},
      {"vs_best", "best, n.s. (not significantly worse than the best), lower or higher"},
      {"test_accuracy", "test accuracy, mean ± std (when it is not the metric)"},
      {"test_loss", "test loss, mean ± std"},
      {"test_mse", "test MSE, mean ± std"},
      {"psnr", "PSNR (dB), mean ± std"},
      {"diverged", "diverged runs / runs"},
      {"collapsed", "regression: collapsed runs / runs that report it"},
      {"layers", "per hidden layer: dead fraction and weight-gradient norm"},
      {"dead", "per hidden layer: dead fraction"},
      {"grad_norm", "per hidden layer: weight-gradient norm"}};
  return columns;
}

std::vector<std::string> column_names() {
  std::vector<std::string> names{"compact", "all"};
  for (const auto& column : report_columns()) names.push_back(column.name);
  return names;
}

ColumnChoice parse_columns(const std::string& list, const SourceLocation& where) {
  const std::vector<std::string> known = column_names();
  const std::string hint =
      "use compact (the default: n, mean_ci, and delta, p_holm, hedges_g "
      "with --baseline or vs_best without), all, or a comma-separated list "
      "of: " +
      core::join(std::vector<std::string>(known.begin() + 2, known.end()));
  ColumnChoice choice;
  choice.names.clear();
  choice.where = where;
  size_t start = 0;
  while (true) {
    const size_t comma = list.find(',', start);
    std::string name = list.substr(start, comma == std::string::npos ? comma : comma - start);
    while (!name.empty() && name.front() == ' ') name.erase(name.begin());
    while (!name.empty() && name.back() == ' ') name.pop_back();
    if (name.empty())
      throw ConfigError(where, fmt::format("--columns '{}' has an empty column name", list), hint);
    if (std::find(known.begin(), known.end(), name) == known.end())
      throw ConfigError(
          where, fmt::format("unknown report column '{}'{}", name, core::did_you_mean(name, known)),
          hint + " (the group-by keys are always the first columns)");
    choice.names.push_back(name);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return choice;
}

}  // namespace actbench::report
