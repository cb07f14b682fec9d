// `actbench report` (see report_command.hpp): checks the options, loads the sweeps, computes the
// statistics and renders the report; the HTML format also writes its figures as SVG files.
#include "app/report_command.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/files.hpp"
#include "report/aggregate_report.hpp"
#include "report/sweep_report.hpp"

namespace actbench::app {

namespace {

// Where an argument is on the command line: "<cli>:argN" for the first that is `text` or starts
// with `text=`.
SourceLocation locate(const std::vector<std::string>& argv, const std::string& text) {
  for (size_t i = 1; i < argv.size(); ++i)
    if (argv[i] == text || argv[i].rfind(text + "=", 0) == 0)
      return SourceLocation::cli_arg(static_cast<int>(i));
  return SourceLocation::cli_arg(0);
}

void write_figures(const std::vector<report::Figure>& figures, const std::filesystem::path& dir,
                   std::vector<std::filesystem::path>& written) {
  for (const auto& figure : figures) {
    const auto file = dir / "plots" / (figure.name + ".svg");
    std::filesystem::create_directories(file.parent_path());
    core::write_file_atomic(file, figure.svg);
    written.push_back(file);
  }
}

}  // namespace

ReportOutput report_command(const ReportOptions& o) {
  if (o.dirs.empty()) throw ConfigError(SourceLocation::cli_arg(0), "no sweep directory given");
  if (o.dirs.size() > 1 && !o.aggregate)
    throw ConfigError(locate(o.argv, o.dirs[1]), "several sweep directories need --aggregate",
                      "report one sweep at a time, or add --aggregate for one table across them");
  if (o.aggregate && !o.baseline.empty())
    throw ConfigError(locate(o.argv, "--baseline"), "--baseline does not apply to --aggregate",
                      "the aggregate ranks groups on normalised scores; compare with a baseline "
                      "in each sweep's own report");
  const bool bootstraps = o.aggregate || !o.baseline.empty();
  if (!bootstraps && o.resamples != -1)
    throw ConfigError(locate(o.argv, "--resamples"), "--resamples needs --baseline or --aggregate",
                      "only their intervals are bootstrapped");
  if (!bootstraps && o.bootstrap_seed != -1)
    throw ConfigError(locate(o.argv, "--bootstrap-seed"),
                      "--bootstrap-seed needs --baseline or --aggregate",
                      "only their intervals are bootstrapped");
  if (o.latex_float && o.format != "latex")
    throw ConfigError(locate(o.argv, "--latex-float"), "--latex-float needs --format latex");
  report::ColumnChoice columns;
  const SourceLocation columns_where = locate(o.argv, "--columns");
  // Given empty (--columns ''), it is refused by parse_columns like an empty name in a list.
  if (!o.columns.empty() || columns_where.arg != 0) {
    const SourceLocation& where = columns_where;
    if (o.aggregate)
      throw ConfigError(where, "--columns does not apply to --aggregate",
                        "the aggregate's table has its own columns: one per setting");
    if (o.format == "csv")
      throw ConfigError(where, "--columns does not apply to --format csv",
                        "the CSV keeps every column (it is data): select them where you read it");
    columns = report::parse_columns(o.columns, where);  // before any file is read
  }
  report::StatisticsOptions statistics;
  if (!o.baseline.empty()) {
    const auto equals = o.baseline.find('=');
    statistics.baseline_where = locate(o.argv, "--baseline");
    if (equals == std::string::npos || equals == 0 || equals + 1 == o.baseline.size())
      throw ConfigError(statistics.baseline_where,
                        fmt::format("--baseline '{}' is not KEY=VALUE", o.baseline),
                        "e.g. --baseline model.activation=relu");
    statistics.baseline_key = o.baseline.substr(0, equals);
    statistics.baseline_value = o.baseline.substr(equals + 1);
  }
  statistics.resamples = o.resamples == -1 ? 10000 : o.resamples;
  statistics.seed = o.bootstrap_seed == -1 ? 0 : static_cast<uint64_t>(o.bootstrap_seed);
  const report::LatexOptions latex{o.latex_float};
  const SourceLocation metric_where = locate(o.argv, "--metric");
  if (!o.metric.empty()) report::metric_named(o.metric, metric_where);  // before any file is read

  ReportOutput output;
  if (o.aggregate) {
    std::vector<report::Report> reports;
    for (const auto& dir : o.dirs)
      reports.push_back(report::load_report(dir, o.group_by, o.metric, metric_where));
    const auto aggregated =
        report::aggregate(reports, {statistics.resamples, statistics.seed, statistics.confidence});
    output.text = report::render(aggregated, o.format, latex);
    // Without --out the figures have no obvious home: they are in the page only.
    if (o.format == "html" && !o.out.empty())
      write_figures(aggregated.figures, std::filesystem::path(o.out).parent_path(), output.written);
  } else {
    auto loaded = report::load_report(o.dirs.front(), o.group_by, o.metric, metric_where);
    report::add_statistics(loaded, statistics);
    output.text = report::render(loaded, o.format, latex, columns);
    // The figures also go next to the sweep as SVG files, for papers and slides.
    if (o.format == "html") write_figures(loaded.figures, o.dirs.front(), output.written);
  }
  if (!o.out.empty()) {
    core::write_file_atomic(o.out, output.text);
    output.written.push_back(o.out);
  }
  return output;
}

}  // namespace actbench::app
