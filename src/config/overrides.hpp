// Hydra-style command-line overrides, the subset researchers already type: `key=value` sets
// (creating the key if needed), `+key=value` adds a key that must not exist yet, `~key` removes
// one. Keys are dotted paths (`model.conv.0.out_channels`); values are YAML (`[256,256]`, `{name:
// elu, alpha: 0.5}`). `key=a,b,c` is a sweep: `split_sweep_values` separates the choices for the
// sweep stage.
#pragma once

#include <string>
#include <vector>

#include "config/tree.hpp"

namespace actbench::config {

struct Override {
  enum class Op { Set, Add, Remove };
  Op op = Op::Set;
  std::vector<std::string> path;  // dotted key, split
  std::string key;                // the dotted key as written
  std::string value;              // YAML text of the value (empty for Remove)
  int arg = 0;                    // position on the command line, for "<cli>:argN"
  std::string text;               // the whole argument as written
};

// Parses one argument; a malformed one is a ConfigError at "<cli>:argN".
Override parse_override(const std::string& text, int arg);

// Applies an override to a config tree (a map), with Hydra's messages when it cannot.
void apply_override(ConfigNode& root, const Override& override_);
// The same with the value already parsed (a sweep's grid value, located in its sweep file); errors
// are reported at `where`.
void apply_override(ConfigNode& root, const Override& override_, ConfigNodePtr value,
                    const SourceLocation& where);

// Values one `a..b` range may stand for: a sweep plans at most sweep::kMaxPlannedRuns runs, so a
// longer range can never be planned, and expanding it first would cost the memory the limit saves.
inline constexpr unsigned long long kMaxRangeValues = 50000;

// The top-level comma-separated choices of a value: "relu,gelu" -> {relu, gelu};
// "[256,256]" -> {"[256,256]"} (commas inside brackets, braces or quotes do not split);
// an integer range "0..3" -> {0, 1, 2, 3} (inclusive; a reversed range stays one value). A range
// with a bound past 64 bits or more than kMaxRangeValues values is a ConfigError at <cli>:argN.
std::vector<std::string> split_sweep_values(const std::string& value, int arg = 0);

}  // namespace actbench::config
