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
  report->add_option("dirs", o.dirs, "sweep directories (results/<sweep name>)")->required();
  report->add_option("--group-by", o.group_by, "config keys to group by (default: the varied keys)")
      ->delimiter(',');
  report->add_option("--format", o.format, "md, csv, latex or html")
      ->check(CLI::IsMember({"md", "csv", "latex", "html"}));
  report->add_option("--out", o.out, "write to this file instead of stdout");
  report->add_option("--baseline", o.baseline,
                     "compare every group with this one: KEY=VALUE, e.g. model.activation=relu");
  std::vector<std::string> metrics;
  for (const auto& m : report::report_metrics()) metrics.push_back(m.name);
  report->add_option("--metric", o.metric,
                     "what the statistics are on: " + core::join(metrics, ", ") +
                         " (default: test_accuracy, or test_mse for regression sweeps)");
  report->add_flag("--aggregate", o.aggregate,
                   "one table across the sweeps: interquartile mean of normalised scores");
  report->add_option("--resamples", o.resamples, "bootstrap resamples (default 10000)")
      ->check(CLI::Range(100, 10000000));
  report->add_option("--bootstrap-seed", o.bootstrap_seed, "seed of the bootstraps (default 0)")
      ->check(CLI::NonNegativeNumber);
  report->add_flag("--latex-float", o.latex_float,
                   "--format latex: a complete table float with caption and label");
  return report;
}

}  // namespace actbench::app
