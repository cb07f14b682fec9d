// The one CSV writer (RFC 4180): every CSV file actbench writes (metrics.csv, report --format csv,
// activations --format csv, the studies' tables) quotes its cells through here, so a name or
// value holding a comma, a quote or a line break reads back as one cell.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace actbench::core {

// The cell as CSV: quoted when it holds a comma, a double quote, CR or LF, with quotes doubled;
// otherwise as it is.
std::string csv_cell(std::string_view text);

// The cells as one CSV line, each through csv_cell, ending in "\n".
std::string csv_row(const std::vector<std::string>& cells);

}  // namespace actbench::core
