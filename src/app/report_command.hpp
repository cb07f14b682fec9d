// `actbench report`: tables and figures of one sweep, optionally against a baseline group, or of
// several sweeps aggregated (--aggregate). The CLI only parses arguments into ReportOptions
// (add_report_command in report_cli.hpp); everything happens here.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace actbench::app {

struct ReportOptions {
  std::vector<std::string> dirs;      // sweep directories; several need `aggregate`
  std::vector<std::string> group_by;  // config keys; empty: the sweeps' varied keys without seed
  std::string format = "md";          // md, csv, latex or html
  std::string out;                    // a file instead of stdout
  std::string baseline;               // KEY=VALUE, e.g. model.activation=relu
  std::string metric;                 // test_accuracy, test_mse, ...; empty: the task's
  bool aggregate = false;             // one table across the sweeps (one setting each)
  int resamples = -1;                 // bootstrap resamples; -1: 10000 (only with a bootstrap)
  int64_t bootstrap_seed = -1;        // -1: 0 (only with a bootstrap)
  bool latex_float = false;           // --format latex: a complete table float
  std::string columns;                // --columns: the table's columns; empty: compact
  std::vector<std::string> argv;      // the command line, to locate errors as <cli>:argN
};

struct ReportOutput {
  std::string text;                            // the report, for stdout or `out`
  std::vector<std::filesystem::path> written;  // files written (figures, the report)
};

// Throws ConfigError (exit 2) for options that do not go together or a bad --baseline, before
// writing anything.
ReportOutput report_command(const ReportOptions& options);

}  // namespace actbench::app
