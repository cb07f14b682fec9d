// Result tables for a sweep: runs grouped by any config keys (default: the keys the sweep varied,
// seed excluded), with per group the number of seeds, mean +- std, 95% interval, median and
// min/max of the report's metric (test accuracy, or test MSE for regression, or --metric),
// optional comparisons with a baseline group (report_statistics.hpp), the other summary values
// (test loss; MSE, PSNR and collapsed share for regression), the final dead fraction and
// weight-gradient norm per layer, and the share of diverged runs. Rendered as Markdown, CSV,
// LaTeX (booktabs) or a self-contained HTML page; the Markdown, LaTeX and HTML tables show the
// chosen columns (report_columns.hpp: compact by default, so that they fit a page), the CSV all.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "plot/svg_plot.hpp"
#include "report/report_columns.hpp"
#include "report/report_statistics.hpp"
#include "report/table_format.hpp"
#include "store/results_db.hpp"

namespace actbench::report {

struct Stat {
  int64_t n = 0;
  // std: the sample standard deviation (n - 1), NaN for n < 2 (undefined, not 0).
  double mean = 0.0, std = 0.0, min = 0.0, max = 0.0;
};
Stat describe(const std::vector<double>& values);

struct LayerStat {
  std::string name;
  Stat dead_fraction;
  Stat grad_norm;
};

// What a report's statistics are on (--metric): the final value of one summary field of each
// completed run. The default follows the task: test accuracy for classification, test MSE for
// regression (whose runs have no accuracy).
// Default-constructed: test accuracy (a Report made field by field renders as before).
struct Metric {
  std::string name = "test_accuracy";   // or test_loss, test_mse, psnr, collapsed (CSV prefix)
  std::string label = "test accuracy";  // axes and notes
  std::string header = "test acc";      // the table's column
  std::string format = "{:.4f}";        // of one value
  bool higher_is_better = true;
  bool fraction = true;                        // within [0, 1]: axes keep to it
  std::string epoch_metric = "test_accuracy";  // its per-epoch name ("": none recorded)
};
const std::vector<Metric>& report_metrics();
// Throws ConfigError at `where` for an unknown name, with the known ones.
const Metric& metric_named(const std::string& name,
                           const SourceLocation& where = SourceLocation::cli_arg(0));
// The run's value of the metric, if it has one.
std::optional<double> metric_value(const store::RunRow& run, const Metric& metric);

struct Group {
  std::vector<std::string> key_values;  // in the order of the group-by keys
  std::vector<std::string> run_ids;     // the completed runs, for plots
  int64_t runs = 0, completed = 0, diverged = 0, failed = 0, unfinished = 0;
  // Over completed runs (regression: test_loss is the MSE; psnr only for image data).
  Stat test_accuracy, test_loss, test_mse, psnr;
  int64_t collapsed = 0;         // regression: completed runs whose output collapsed to a constant
  int64_t collapse_known = 0;    // regression: completed runs that say whether they collapsed
  std::vector<double> values{};  // the report's metric for each completed seed, in run order
  std::vector<int64_t> seeds{};  // the seed of each of those runs
  std::vector<LayerStat> layers;
};

// Groups beyond this many get one colour key in the HTML report instead of legends inside charts.
constexpr size_t kMaxInChartLegend = 5;

struct Figure {
  std::string name;                 // file name stem, e.g. "learning_curves"
  std::string caption;              // what it shows, under the figure
  std::string svg;                  // one document, for the plots/ files
  std::vector<std::string> panels;  // the same charts one by one, for the HTML page to reflow
};

struct Report {
  std::string title;
  Metric metric;            // what the statistics, the strip chart and the aggregate are on
  bool regression = false;  // the runs fit a function (no accuracy): MSE, PSNR, collapse
  std::vector<std::string> keys;
  std::vector<Group> groups;
  std::vector<Figure> figures;  // filled by add_figures; shown by the HTML format
  ReportStatistics statistics;  // filled by add_statistics (load_report: without a baseline)
};

// Groups `runs` by `keys` (dotted config keys), in the order groups first appear. `metric` empty:
// the task's (test_mse when the runs are regression runs, else test_accuracy); a metric no
// completed run has is a ConfigError at `where`, naming the ones they have.
Report build_report(const std::vector<store::RunRow>& runs, const std::vector<std::string>& keys,
                    const std::string& metric = "",
                    const SourceLocation& where = SourceLocation::cli_arg(0));

// Opens <dir>/results.db; `group_by` empty means the sweep's varied keys without seed.
Report load_report(const std::filesystem::path& dir, std::vector<std::string> group_by,
                   const std::string& metric = "",
                   const SourceLocation& where = SourceLocation::cli_arg(0));

// Computes report.statistics; throws ConfigError when the baseline key is not a group-by key or
// no group has the baseline value.
void add_statistics(Report& report, const StatisticsOptions& options);

// md | csv | latex | html; `latex` applies to the LaTeX format only, `columns` to every format but
// the CSV (which keeps every column: it is data, not a page).
std::string render(const Report& report, const std::string& format, const LatexOptions& latex = {},
                   const ColumnChoice& columns = {});

// Learning curves (mean with a +-std band over seeds; accuracy and cross-entropy, or for
// regression MSE and PSNR), the per-seed values of the report's metric in each group with their
// mean and 95% interval, per-layer weight-gradient norm against depth (log scale) and
// dead fraction per layer over epochs, from the database's per-epoch metrics.
void add_figures(Report& report, const store::ResultsDb& db);

// The table that the md, latex and html formats render (same cells): the group-by keys, then the
// chosen columns (default: compact; a column the report cannot fill is a ConfigError at
// columns.where), with notes that explain those columns. The CSV: one row per group, every
// column, one number per column (docs/reporting.md lists the columns).
TextTable report_table(const Report& report, const ColumnChoice& columns = {});
std::string report_csv(const Report& report);

// A self-contained HTML page: title, the table with its notes, a colour key whose entries toggle
// their group's series in every chart, and the figures (each panel its own SVG, so they reflow
// to the window); values show on hover.
std::string html_page(const std::string& title, const std::string& tables,
                      const std::vector<std::string>& key_labels,
                      const std::vector<Figure>& figures);

// Figure helpers shared by the sweep and aggregate reports.
std::string inline_svg(const std::string& document);  // the <svg> element without the XML header
Figure make_figure(const std::string& name, const std::string& caption,
                   const std::vector<plot::Chart>& panels, int columns);
// One row per group: the per-seed values as dots, the mean and its interval below them; a dot's
// tooltip names its seed (seeds[k][i], parallel to values).
plot::Chart strip_chart(const std::vector<std::string>& labels,
                        const std::vector<std::vector<double>>& values,
                        const std::vector<std::vector<int64_t>>& seeds,
                        const std::vector<stats::Summary>& summaries,
                        const std::string& value_label, double confidence);

}  // namespace actbench::report
