// Which columns a sweep report's Markdown, LaTeX and HTML table shows (--columns): their names, the
// compact set a paper prints (the default) and the full set (`all`), and the strict reading of a
// comma-separated list. The CSV is data and keeps every column whatever is chosen here.
#pragma once

#include <string>
#include <vector>

#include "core/error.hpp"

namespace actbench::report {

struct ReportColumn {
  std::string name;         // what --columns takes
  std::string description;  // for --help and the error that lists the names
};

// Every column name, in the order of `all`; each is shown where the report has its numbers.
const std::vector<ReportColumn>& report_columns();

// The names --columns takes: the columns, `compact` and `all`.
std::vector<std::string> column_names();

// The table's columns after the group-by keys (which always come first): names from
// report_columns(), `compact` or `all`, in the order to show them. `where` locates errors about
// a column the report cannot fill (e.g. `delta` without a baseline).
struct ColumnChoice {
  std::vector<std::string> names{"compact"};
  SourceLocation where = SourceLocation::cli_arg(0);
};

// Reads "n,mean_ci,p_holm" (or "all", "compact,median"); an empty list, an empty item or an
// unknown name is a ConfigError at `where` listing the known names, with a did-you-mean.
ColumnChoice parse_columns(const std::string& list,
                           const SourceLocation& where = SourceLocation::cli_arg(0));

}  // namespace actbench::report
