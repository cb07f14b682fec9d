// Parsing and applying Hydra-style overrides onto the located config tree.
#include "config/overrides.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <regex>

#include "core/strings.hpp"

namespace actbench::config {

namespace {

// The list index a path segment names, if it is one within `size`. Digits only, and compared as
// text length first: std::stoul threw a bare "stoul" at a 20-digit index.
std::optional<size_t> list_index(const std::string& segment, size_t size) {
  if (segment.empty() || segment.size() > 9) return std::nullopt;
  for (char c : segment)
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  const size_t index = std::stoul(segment);
  if (index >= size) return std::nullopt;
  return index;
}

std::vector<std::string> split_path(const std::string& key, const SourceLocation& where,
                                    const std::string& text) {
  std::vector<std::string> path;
  std::string segment;
  for (char c : key + ".") {
    if (c != '.') {
      segment += c;
      continue;
    }
    if (segment.empty()) {
      throw ConfigError(where, fmt::format("bad key '{}' in override '{}'", key, text),
                        "keys are dotted names like model.activation or model.conv.0.pool");
    }
    for (char s : segment) {
      if (!(std::isalnum(static_cast<unsigned char>(s)) || s == '_' || s == '-')) {
        throw ConfigError(where, fmt::format("bad character '{}' in key '{}'", s, key),
                          "keys are dotted names like model.activation; write overrides as "
                          "key=value");
      }
    }
    path.push_back(segment);
    segment.clear();
  }
  // Each segment is a level of maps the override may create; the tree's walks recurse.
  if (path.size() > kMaxConfigDepth) {
    throw ConfigError(where,
                      fmt::format("key '{}...' has {} levels, more than {}", key.substr(0, 40),
                                  path.size(), kMaxConfigDepth),
                      "keys are dotted names like model.conv.0.pool");
  }
  return path;
}

}  // namespace

Override parse_override(const std::string& text, int arg) {
  const SourceLocation where = SourceLocation::cli_arg(arg);
  Override result;
  result.arg = arg;
  result.text = text;
  std::string rest = text;
  if (!rest.empty() && rest[0] == '~') {
    result.op = Override::Op::Remove;
    rest = rest.substr(1);
  } else if (!rest.empty() && rest[0] == '+') {
    result.op = Override::Op::Add;
    rest = rest.substr(1);
  }
  const auto equals = rest.find('=');
  if (result.op == Override::Op::Remove) {
    if (equals != std::string::npos) {
      throw ConfigError(where, fmt::format("'{}': a removal takes no value", text),
                        fmt::format("write ~{}", rest.substr(0, equals)));
    }
    result.key = rest;
  } else {
    if (equals == std::string::npos) {
      throw ConfigError(where, fmt::format("'{}' is not an override", text),
                        "overrides are key=value (set), +key=value (add) or ~key (remove)");
    }
    result.key = rest.substr(0, equals);
    result.value = rest.substr(equals + 1);
    if (result.value.empty()) {
      throw ConfigError(where, fmt::format("override '{}' has no value", text),
                        fmt::format("to remove the key write ~{}", result.key));
    }
  }
  result.path = split_path(result.key, where, text);
  return result;
}

void apply_override(ConfigNode& root, const Override& override_) {
  if (override_.op != Override::Op::Remove) {
    const std::vector<std::string> choices = split_sweep_values(override_.value, override_.arg);
    if (choices.size() > 1) {
      throw ConfigError(
          SourceLocation::cli_arg(override_.arg),
          fmt::format("'{}' gives {} values: that is a sweep", override_.text, choices.size()),
          "run it with `actbench sweep`, or quote a single value");
    }
  }
  apply_override(root, override_,
                 override_.op == Override::Op::Remove
                     ? nullptr
                     : parse_override_value(override_.value, override_.arg),
                 SourceLocation::cli_arg(override_.arg));
}

void apply_override(ConfigNode& root, const Override& override_, ConfigNodePtr value,
                    const SourceLocation& where) {
  ConfigNode* node = &root;
  std::string walked;
  for (size_t i = 0; i + 1 < override_.path.size(); ++i) {
    const std::string& segment = override_.path[i];
    walked += (walked.empty() ? "" : ".") + segment;
    if (node->kind == ConfigNode::Kind::Sequence) {
      const auto index = list_index(segment, node->items.size());
      if (!index) {
        throw ConfigError(where,
                          fmt::format("'{}' is a list of {} items; '{}' is not an index in it",
                                      walked.substr(0, walked.size() - segment.size() - 1),
                                      node->items.size(), segment),
                          "index list items from 0, e.g. model.conv.0.out_channels=64");
      }
      node = node->items[*index].get();
      continue;
    }
    if (node->kind == ConfigNode::Kind::Null) *node = *ConfigNode::make_map(where);
    if (node->kind != ConfigNode::Kind::Map) {
      throw ConfigError(where, fmt::format("cannot set '{}': '{}' is {}, not a map", override_.key,
                                           walked, node->kind_name()));
    }
    ConfigNodePtr child = node->get(segment);
    if (!child) {
      child = ConfigNode::make_map(where);
      node->set(segment, where, child);
    }
    node = child.get();
  }

  const std::string& last = override_.path.back();
  if (node->kind == ConfigNode::Kind::Sequence) {
    const auto index = list_index(last, node->items.size());
    if (!index) {
      throw ConfigError(where, fmt::format("'{}': no list item '{}' (the list has {} items)",
                                           override_.key, last, node->items.size()));
    }
    if (override_.op == Override::Op::Remove) {
      node->items.erase(node->items.begin() + static_cast<long>(*index));
    } else {
      node->items[*index] = value;
    }
    return;
  }
  if (node->kind == ConfigNode::Kind::Null) *node = *ConfigNode::make_map(where);
  if (node->kind != ConfigNode::Kind::Map) {
    throw ConfigError(where, fmt::format("cannot set '{}': its parent is {}, not a map",
                                         override_.key, node->kind_name()));
  }
  const bool exists = node->get(last) != nullptr;
  switch (override_.op) {
    case Override::Op::Remove:
      if (!exists) {
        throw ConfigError(
            where, fmt::format("cannot remove '{}': it is not in the config", override_.key));
      }
      node->erase(last);
      return;
    case Override::Op::Add:
      if (exists) {
        throw ConfigError(
            where, fmt::format("cannot add '{}': it is already in the config", override_.key),
            fmt::format("to change it write {}={}", override_.key, override_.value));
      }
      break;
    case Override::Op::Set:
      break;
  }
  node->set(last, where, value);
}

std::vector<std::string> split_sweep_values(const std::string& value, int arg) {
  std::vector<std::string> parts;
  std::string current;
  int depth = 0;
  char quote = 0;
  for (char c : value) {
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{' || c == '(') {
      ++depth;
    } else if (c == ']' || c == '}' || c == ')') {
      --depth;
    } else if (c == ',' && depth == 0) {
      parts.push_back(current);
      current.clear();
      continue;
    }
    current += c;
  }
  parts.push_back(current);
  // An integer range `a..b` (inclusive, as in `seed=0..199`) stands for every integer in it.
  static const std::regex kRange(R"((-?[0-9]+)\.\.(-?[0-9]+))");
  std::vector<std::string> expanded;
  const SourceLocation where =
      arg > 0 ? SourceLocation::cli_arg(arg) : SourceLocation::in_file("<cli>", 0, 0);
  for (const auto& part : parts) {
    std::smatch m;
    if (std::regex_match(part, m, kRange)) {
      long long bounds[2] = {0, 0};
      for (int b = 0; b < 2; ++b) {
        errno = 0;
        bounds[b] = std::strtoll(m[b + 1].str().c_str(), nullptr, 10);
        if (errno == ERANGE) {
          throw ConfigError(
              where, fmt::format("range {}: {} is too large for an integer", part, m[b + 1].str()),
              "range bounds are 64-bit integers");
        }
      }
      const long long from = bounds[0], to = bounds[1];
      if (to >= from) {
        // Compared in unsigned arithmetic: to - from overflows for -9e18..9e18.
        const unsigned long long values =
            static_cast<unsigned long long>(to) - static_cast<unsigned long long>(from) + 1;
        if (values == 0 || values > kMaxRangeValues) {
          throw ConfigError(
              where,
              fmt::format("range {} has {} values, more than the {} a range may have", part,
                          values == 0 ? "2^64" : std::to_string(values), kMaxRangeValues),
              "a sweep plans at most that many runs; split it into several sweeps");
        }
        expanded.reserve(expanded.size() + values);
        for (long long i = from;; ++i) {
          expanded.push_back(std::to_string(i));
          if (i == to) break;
        }
        continue;
      }
    }
    expanded.push_back(part);
  }
  return expanded;
}

}  // namespace actbench::config
