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

// Reads a config tree (a map) into a RunSpec, strictly. A model whose hidden layers alone hold more
// than kMaxParameters weights, or a CUDA device index LibTorch cannot hold, is a ConfigError.
RunSpec read_run_spec(const ConfigNode& root);

// About 4 GB of float32 weights, 16 GB with gradients and Adam's two moments: past what a run of
// this harness trains, and far below the terabytes that used to reach LibTorch.
inline constexpr double kMaxParameters = 1e9;

// Intra-op threads a run may ask for: kThreadsPerCore x this machine's cores (a fixed number where
// the core count is unknown). More threads than cores never speed a run up; 64 threads never
// finished under an address-space limit (each reserves a stack and a malloc arena). The check is
// on the machine that runs or plans (check_machine_limits), not in read_run_spec: a report reads
// stored configs written on bigger machines.
inline constexpr int64_t kThreadsPerCore = 4;
inline constexpr int64_t kMaxThreadsUnknownCores = 256;
int64_t max_threads();
std::string too_many_threads_message(const std::string& key, int64_t threads);
std::string too_many_threads_hint();
// Limits that depend on this machine (threads); load_run_spec and the sweep planner call it.
void check_machine_limits(const RunSpec& spec);

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
