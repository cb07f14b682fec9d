// Named parameters of a component (an activation's negative_slope, an initialiser's gain, ...): the
// values a config wrote, with their locations, and each component's schema of parameters with
// defaults and valid ranges. Resolution is strict: unknown names, wrong types and out-of-range
// values are located ConfigErrors.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace actbench::core {

// Text is free text (an expression), unlike a Choice among names; a List holds names or values
// as `[a, b]`.
enum class ParamKind { Number, Integer, Flag, Choice, Text, List };

// One value as written in a config (or filled from a default during resolution).
struct ParamValue {
  ParamKind kind = ParamKind::Number;
  double number = 0.0;            // Number and Integer
  bool flag = false;              // Flag
  std::string text;               // Choice and Text
  std::vector<ParamValue> items;  // List, each item located on its own
  SourceLocation where;
};

// A component reference as a config writes it: `relu` or `{name: leaky_relu, negative_slope: 0.1}`.
// Before resolution `params` holds what the config wrote, kind Number for numbers, Flag for
// booleans, Choice for strings and List for lists (and Text for an `expr:`, see schema.cpp); after
// resolution it holds every parameter of the schema.
struct ComponentSpec {
  std::string name;
  SourceLocation where;  // of the name
  std::map<std::string, ParamValue> params;
};

// The schema of one parameter. Build with the named constructors.
struct ParamSpec {
  std::string name;
  ParamKind kind = ParamKind::Number;
  std::string help;
  double default_number = 0.0;
  bool default_flag = false;
  std::string default_text;
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;  // (min, max] instead of [min, max]
  std::vector<std::string> choices;

  static ParamSpec number(std::string name, double default_value, std::string help,
                          double min = -std::numeric_limits<double>::infinity(),
                          double max = std::numeric_limits<double>::infinity());
  // A number that must be strictly greater than `lower` (a scale, a width, an omega_0).
  static ParamSpec positive(std::string name, double default_value, std::string help,
                            double lower = 0.0);
  static ParamSpec integer(std::string name, int64_t default_value, std::string help,
                           int64_t min = std::numeric_limits<int32_t>::min(),
                           int64_t max = std::numeric_limits<int32_t>::max());
  static ParamSpec flag(std::string name, bool default_value, std::string help);
  static ParamSpec choice(std::string name, std::string default_value,
                          std::vector<std::string> choices, std::string help);
  // Any text; the component checks it (an expression is parsed by its activation).
  static ParamSpec text(std::string name, std::string default_value, std::string help);
  // A list, empty by default; the component checks its items.
  static ParamSpec list(std::string name, std::string help);

  std::string default_string() const;  // for listings and docs
};

// Every parameter of a component, resolved against its schema.
class ParamValues {
 public:
  double number(const std::string& name) const;
  int64_t integer(const std::string& name) const;
  bool flag(const std::string& name) const;
  const std::string& text(const std::string& name) const;
  const std::vector<ParamValue>& list(const std::string& name) const;
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  const std::map<std::string, ParamValue>& all() const { return values_; }
  std::map<std::string, ParamValue>& all() { return values_; }

 private:
  const ParamValue& at(const std::string& name) const;
  std::map<std::string, ParamValue> values_;
};

// Checks `spec.params` against `schema` and fills defaults. `kind` names the component type in
// messages
// ("activation 'leaky_relu'"). Throws ConfigError at the offending value's location.
ParamValues resolve_params(const std::string& kind, const std::vector<ParamSpec>& schema,
                           const ComponentSpec& spec);

// "0.01", "true", "tanh", "[beta, gamma]" — the value as a config would write it.
std::string param_value_string(const ParamValue& value);

}  // namespace actbench::core
