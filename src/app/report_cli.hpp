// The `report` subcommand's arguments (CLI11), kept beside report_command.hpp so main.cpp only
// registers the subcommand and calls report_command(). Header-only: CLI11 is the CLI's library.
#pragma once

#include <CLI/CLI.hpp>

#include "app/report_command.hpp"
#include "core/strings.hpp"
#include "report/sweep_report.hpp"

namespace actbench::app {

inline CLI::App* add_report_command(CLI::App& app, ReportOptions& o) {
  auto* report = app.add_subcommand("report", "tables and figures of sweeps, grouped over seeds");
  report
      ->add_option("dirs", o.dirs,
                   "sweep directories (results/<sweep name>: the folder holding results.db)")
      ->required();
  report
      ->add_option("--group-by", o.group_by,
                   "config keys to group by, comma-separated (default: the keys the sweep varied, "
                   "seed excluded)")
      ->delimiter(',');
  // CLI11 shows a default only where it is captured; the others have none or say it in words.
  report->add_option("--format", o.format, "md, csv, latex or html")
      ->check(CLI::IsMember({"md", "csv", "latex", "html"}))
      ->capture_default_str();
  report->add_option("--out", o.out, "write to this file (default: standard output)");
  report->add_option("--baseline", o.baseline,
                     "compare every group with this one: KEY=VALUE, e.g. model.activation=relu "
                     "(default: none; a parametrised activation may be named without its "
                     "parameters when that is unambiguous)");
  std::vector<std::string> metrics;
  for (const auto& m : report::report_metrics()) metrics.push_back(m.name);
  report->add_option("--metric", o.metric,
                     "what the statistics are on: " + core::join(metrics, ", ") +
                         " (default: test_accuracy, or test_mse for regression sweeps)");
  report->add_flag("--aggregate", o.aggregate,
                   "one table across the sweeps: interquartile mean of normalised scores (default: "
                   "off, one sweep)");
  report
      ->add_option("--resamples", o.resamples,
                   "bootstrap resamples, with --baseline or --aggregate (default: 10000)")
      ->check(CLI::Range(100, 10000000));
  report
      ->add_option("--bootstrap-seed", o.bootstrap_seed,
                   "seed of the bootstraps, with --baseline or --aggregate (default: 0)")
      ->check(CLI::NonNegativeNumber);
  std::vector<std::string> columns;
  for (const auto& c : report::report_columns()) columns.push_back(c.name);
  report->add_option(
      "--columns", o.columns,
      "the table's columns after the group-by keys (md, latex, html; the CSV keeps all), "
      "comma-separated: compact, all, or any of " +
          core::join(columns, ", ") +
          " (default: compact = n, mean_ci, and delta, p_holm, hedges_g with --baseline or "
          "vs_best without; diverged and collapsed where some runs did)");
  report->add_flag("--latex-float", o.latex_float,
                   "--format latex: a complete table float with caption and label (default: the "
                   "tabular alone)");
  return report;
}

}  // namespace actbench::app
