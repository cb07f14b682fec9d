// Result tables for a sweep: runs grouped by any config keys (default: the keys the sweep varied,
// seed excluded), with per group the number of seeds, mean +- std and min/max of test accuracy and
// loss, the final dead fraction and weight-gradient norm per layer, the share of diverged runs, and
// for regression runs the share that collapsed to a constant.
// Rendered as Markdown, CSV, LaTeX (booktabs) or a self-contained HTML page.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "store/results_db.hpp"

namespace actbench::report {

struct Stat {
  int64_t n = 0;
  double mean = 0.0, std = 0.0, min = 0.0, max = 0.0;  // std: sample standard deviation (n - 1)
};
Stat describe(const std::vector<double>& values);

struct LayerStat {
  std::string name;
  Stat dead_fraction;
  Stat grad_norm;
};

struct Group {
  std::vector<std::string> key_values;  // in the order of the group-by keys
  std::vector<std::string> run_ids;     // the completed runs, for plots
  int64_t runs = 0, completed = 0, diverged = 0, failed = 0, unfinished = 0;
  Stat test_accuracy, test_loss;  // over completed runs (regression: test_loss is the MSE)
  int64_t collapsed = 0;          // regression: completed runs whose output collapsed to a constant
  int64_t collapse_known = 0;     // regression: completed runs that say whether they collapsed
  std::vector<LayerStat> layers;
};

// Groups beyond this many get one colour key in the HTML report instead of legends inside charts.
constexpr size_t kMaxInChartLegend = 5;

struct Figure {
  std::string name;     // file name stem, e.g. "learning_curves"
  std::string caption;  // what it shows, under the figure
  std::string svg;
};

struct Report {
  std::string title;
  std::vector<std::string> keys;
  std::vector<Group> groups;
  std::vector<Figure> figures;  // filled by add_figures; shown by the HTML format
};

// Groups `runs` by `keys` (dotted config keys), in the order groups first appear.
Report build_report(const std::vector<store::RunRow>& runs, const std::vector<std::string>& keys);

// Opens <dir>/results.db; `group_by` empty means the sweep's varied keys without seed.
Report load_report(const std::filesystem::path& dir, std::vector<std::string> group_by);

std::string render(const Report& report, const std::string& format);  // md | csv | latex | html

// Learning curves (mean with a +-std band over seeds), per-layer weight-gradient norm against depth
// (log scale) and dead fraction per layer over epochs, from the database's per-epoch metrics.
void add_figures(Report& report, const store::ResultsDb& db);

}  // namespace actbench::report
