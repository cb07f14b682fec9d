// Everything the CLI does, as library calls: the CLI only parses arguments and maps exceptions to
// exit codes, so the tests run exactly what users run.
#pragma once

#include <string>

#include "experiment/experiment.hpp"

namespace actbench::app {

// The run itself lives in experiment/; the CLI and the tests reach it through these names.
using experiment::execute_run;
using experiment::prepare_run;
using experiment::prepare_spec;
using experiment::PreparedRun;
using experiment::result_table;
using experiment::RunOptions;
using experiment::RunOutcome;

// `actbench validate`: the check's one-line verdict, or the resolved config when `print_resolved`.
std::string validate_report(const PreparedRun& prepared, bool print_resolved);

// `actbench data list`.
std::string datasets_table();

}  // namespace actbench::app
