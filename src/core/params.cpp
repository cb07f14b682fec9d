// Strict resolution of component parameters against their schemas.
#include "core/params.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/strings.hpp"

namespace actbench::core {

ParamSpec ParamSpec::number(std::string name, double default_value, std::string help, double min,
                            double max) {
  ParamSpec spec;
  spec.name = std::move(name);
  spec.kind = ParamKind::Number;
  spec.default_number = default_value;
  spec.help = std::move(help);
  spec.min = min;
  spec.max = max;
  return spec;
}

ParamSpec ParamSpec::positive(std::string name, double default_value, std::string help,
                              double lower) {
  ParamSpec spec = number(std::move(name), default_value, std::move(help), lower);
  spec.min_exclusive = true;
  return spec;
}

ParamSpec ParamSpec::integer(std::string name, int64_t default_value, std::string help, int64_t min,
                             int64_t max) {
  ParamSpec spec = number(std::move(name), static_cast<double>(default_value), std::move(help),
                          static_cast<double>(min), static_cast<double>(max));
  spec.kind = ParamKind::Integer;
  return spec;
}

ParamSpec ParamSpec::flag(std::string name, bool default_value, std::string help) {
  ParamSpec spec;
  spec.name = std::move(name);
  spec.kind = ParamKind::Flag;
  spec.default_flag = default_value;
  spec.help = std::move(help);
  return spec;
}

ParamSpec ParamSpec::choice(std::string name, std::string default_value,
                            std::vector<std::string> choices, std::string help) {
  ParamSpec spec;
  spec.name = std::move(name);
  spec.kind = ParamKind::Choice;
  spec.default_text = std::move(default_value);
  spec.choices = std::move(choices);
  spec.help = std::move(help);
  return spec;
}

ParamSpec ParamSpec::text(std::string name, std::string default_value, std::string help) {
  ParamSpec spec;
  spec.name = std::move(name);
  spec.kind = ParamKind::Text;
  spec.default_text = std::move(default_value);
  spec.help = std::move(help);
  return spec;
}

ParamSpec ParamSpec::list(std::string name, std::string help) {
  ParamSpec spec;
  spec.name = std::move(name);
  spec.kind = ParamKind::List;
  spec.help = std::move(help);
  return spec;
}

std::string ParamSpec::default_string() const {
  ParamValue value;
  value.kind = kind;
  value.number = default_number;
  value.flag = default_flag;
  value.text = default_text;
  return param_value_string(value);
}

std::string param_value_string(const ParamValue& value) {
  switch (value.kind) {
    case ParamKind::Flag:
      return value.flag ? "true" : "false";
    case ParamKind::Choice:
    case ParamKind::Text:
      return value.text;
    case ParamKind::List: {
      std::vector<std::string> items;
      for (const auto& item : value.items) items.push_back(param_value_string(item));
      return "[" + join(items) + "]";
    }
    case ParamKind::Integer:
      return fmt::format("{}", static_cast<int64_t>(value.number));
    case ParamKind::Number:
      break;
  }
  return fmt::format("{}", value.number);
}

const ParamValue& ParamValues::at(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw std::logic_error("component has no parameter '" + name + "'");
  return it->second;
}

double ParamValues::number(const std::string& name) const { return at(name).number; }
int64_t ParamValues::integer(const std::string& name) const {
  return static_cast<int64_t>(at(name).number);
}
bool ParamValues::flag(const std::string& name) const { return at(name).flag; }
const std::string& ParamValues::text(const std::string& name) const { return at(name).text; }
const std::vector<ParamValue>& ParamValues::list(const std::string& name) const {
  return at(name).items;
}

static const char* kind_word(ParamKind kind) {
  switch (kind) {
    case ParamKind::Number:
      return "a number";
    case ParamKind::Integer:
      return "an integer";
    case ParamKind::Flag:
      return "true or false";
    case ParamKind::Choice:
      return "one of its choices";
    case ParamKind::Text:
      return "a text";
    case ParamKind::List:
      return "a list like [a, b]";
  }
  return "?";
}

static std::string range_text(const ParamSpec& spec) {
  const bool has_min = std::isfinite(spec.min), has_max = std::isfinite(spec.max);
  if (has_min && has_max)
    return fmt::format("{}{}, {}]", spec.min_exclusive ? "(" : "[", spec.min, spec.max);
  if (has_min) return fmt::format("{} {}", spec.min_exclusive ? ">" : ">=", spec.min);
  if (has_max) return fmt::format("<= {}", spec.max);
  return "any number";
}

ParamValues resolve_params(const std::string& kind, const std::vector<ParamSpec>& schema,
                           const ComponentSpec& spec) {
  std::vector<std::string> known;
  for (const auto& p : schema) known.push_back(p.name);
  const std::string subject = fmt::format("{} '{}'", kind, spec.name);

  for (const auto& [name, value] : spec.params) {
    bool found = false;
    for (const auto& p : schema) found = found || p.name == name;
    if (!found) {
      throw ConfigError(
          value.where,
          fmt::format("{} has no parameter '{}'{}", subject, name, did_you_mean(name, known)),
          known.empty() ? subject + " takes no parameters; write just its name"
                        : subject + " takes: " + join(known));
    }
  }

  ParamValues resolved;
  for (const auto& p : schema) {
    ParamValue value;
    value.kind = p.kind;
    auto it = spec.params.find(p.name);
    if (it == spec.params.end()) {
      value.number = p.default_number;
      value.flag = p.default_flag;
      value.text = p.default_text;
      value.where = SourceLocation::defaulted();
      resolved.all()[p.name] = value;
      continue;
    }
    const ParamValue& given = it->second;
    value.where = given.where;
    const auto wrong_type = [&]() {
      return ConfigError(given.where,
                         fmt::format("parameter '{}' of {} must be {}, got '{}'", p.name, subject,
                                     kind_word(p.kind), param_value_string(given)),
                         p.help.empty() ? "" : p.name + ": " + p.help);
    };
    switch (p.kind) {
      case ParamKind::Number:
      case ParamKind::Integer: {
        if (given.kind != ParamKind::Number && given.kind != ParamKind::Integer) throw wrong_type();
        if (!std::isfinite(given.number)) throw wrong_type();
        if (p.kind == ParamKind::Integer && std::floor(given.number) != given.number)
          throw wrong_type();
        const bool below = p.min_exclusive ? given.number <= p.min : given.number < p.min;
        if (below || given.number > p.max) {
          throw ConfigError(given.where,
                            fmt::format("parameter '{}' of {} is {}, outside its range {}", p.name,
                                        subject, param_value_string(given), range_text(p)),
                            p.help.empty() ? "" : p.name + ": " + p.help);
        }
        value.number = given.number;
        break;
      }
      case ParamKind::Flag:
        if (given.kind != ParamKind::Flag) throw wrong_type();
        value.flag = given.flag;
        break;
      case ParamKind::Choice: {
        if (given.kind != ParamKind::Choice) throw wrong_type();
        bool ok = false;
        for (const auto& c : p.choices) ok = ok || c == given.text;
        if (!ok) {
          throw ConfigError(given.where,
                            fmt::format("parameter '{}' of {} is '{}'{}", p.name, subject,
                                        given.text, did_you_mean(given.text, p.choices)),
                            "choose one of: " + join(p.choices));
        }
        value.text = given.text;
        break;
      }
      case ParamKind::Text:
        // A string the reader took for a choice is text all the same.
        if (given.kind != ParamKind::Text && given.kind != ParamKind::Choice) throw wrong_type();
        value.text = given.text;
        break;
      case ParamKind::List:
        if (given.kind != ParamKind::List) throw wrong_type();
        value.items = given.items;
        break;
    }
    resolved.all()[p.name] = value;
  }
  return resolved;
}

}  // namespace actbench::core
