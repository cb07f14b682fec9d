// Loading a run's config: parse the YAML file, apply command-line overrides, read every key
// strictly into a RunSpec; and the reverse, writing a RunSpec as the resolved config (JSON or YAML)
// and documenting the schema. Any mistake is a ConfigError with file:line:col or <cli>:argN.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "config/run_spec.hpp"
#include "config/tree.hpp"

namespace actbench::config {

// An override as given on the command line, with its position there (for "<cli>:argN").
struct CliOverride {
  std::string text;
  int arg = 0;
};

// Reads `file` (may be empty: all defaults), applies `overrides` in order and reads the result.
RunSpec load_run_spec(const std::string& file, const std::vector<CliOverride>& overrides);

// Reads a config tree (a map) into a RunSpec, strictly.
RunSpec read_run_spec(const ConfigNode& root);

// The whole spec, defaults included, in schema order.
nlohmann::ordered_json to_json(const RunSpec& spec);
std::string to_yaml(const RunSpec& spec);
std::string json_to_yaml(const nlohmann::ordered_json& value);

// Value of a dotted key in the resolved spec as text ("relu", "0.1", "[256, 256]"); for tables.
std::string value_at(const RunSpec& spec, const std::string& dotted_key);

struct SchemaRow {
  std::string key;            // dotted
  std::string type;           // "int", "float", "bool", "string", "int list", "component", ...
  std::string default_value;  // as YAML would write it
  std::string help;
};
std::vector<SchemaRow> schema_rows();
std::string schema_markdown();

}  // namespace actbench::config
