// `actbench activations`: the catalogue of registered activations with properties computed from
// their modules (model/properties.hpp) as a Markdown, CSV or JSON table, and optionally their
// plots. The CLI only parses arguments into ActivationsOptions; everything happens here.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "model/properties.hpp"

namespace actbench::app {

struct ActivationsOptions {
  std::string format = "md";         // md, csv or json
  std::vector<std::string> only;     // names or aliases to list; empty lists every activation
  std::string plot_dir;              // write <dir>/<name>.svg per listed activation; empty: none
  std::string range = "-6:6";        // x range of the plots, "lo:hi"
  std::vector<std::string> compare;  // names for <plot_dir>/compare.svg; needs plot_dir
};

struct ActivationsOutput {
  std::string table;
  std::vector<std::filesystem::path> written;  // the SVG files, in the order written
};

// Throws ConfigError (exit 2) for an unknown name (with a did-you-mean), a bad range or format,
// and --compare without a plot directory; nothing is written then.
ActivationsOutput activations_command(const ActivationsOptions& options);

// The table alone, for properties already computed.
std::string activations_table(const std::vector<model::ActivationProperties>& rows,
                              const std::string& format);

// "-6:6" -> {-6, 6}; throws ConfigError unless both are finite numbers with lo < hi.
std::pair<double, double> parse_range(const std::string& text);

}  // namespace actbench::app
