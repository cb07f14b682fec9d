// Test helper: run a config (and command-line overrides located from arg3 on) through the same
// preparation as `actbench run`, and return the ConfigError's text with the temporary directory cut
// off, so tests can compare "c.yaml:2:15: error: ..." exactly.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "app/commands.hpp"
#include "support/temp_dir.hpp"

namespace actbench::testing {

// Fails the test (and returns "") if `yaml` raises no ConfigError.
inline std::string config_error_of(const std::string& yaml,
                                   const std::vector<std::string>& overrides = {}) {
  TempDir dir;
  const auto file = dir.write("c.yaml", yaml);
  std::vector<config::CliOverride> located;
  for (size_t i = 0; i < overrides.size(); ++i)
    located.push_back({overrides[i], static_cast<int>(i + 3)});
  try {
    app::prepare_run(file.string(), located);
  } catch (const ConfigError& e) {
    std::string text = e.what();
    const std::string prefix = file.string();
    if (text.rfind(prefix, 0) == 0) text = "c.yaml" + text.substr(prefix.size());
    return text;
  }
  ADD_FAILURE() << "no ConfigError for:\n" << yaml;
  return "";
}

}  // namespace actbench::testing
