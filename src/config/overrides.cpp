// Parsing and applying Hydra-style overrides onto the located config tree.
#include "config/overrides.hpp"

#include <fmt/format.h>

#include <cctype>
#include <regex>

#include "core/strings.hpp"

namespace actbench::config {

namespace {

bool is_index(const std::string& segment) {
  if (segment.empty()) return false;
  for (char c : segment)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
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
    const std::vector<std::string> choices = split_sweep_values(override_.value);
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
      if (!is_index(segment) || std::stoul(segment) >= node->items.size()) {
        throw ConfigError(where,
                          fmt::format("'{}' is a list of {} items; '{}' is not an index in it",
                                      walked.substr(0, walked.size() - segment.size() - 1),
                                      node->items.size(), segment),
                          "index list items from 0, e.g. model.conv.0.out_channels=64");
      }
      node = node->items[std::stoul(segment)].get();
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
    if (!is_index(last) || std::stoul(last) >= node->items.size()) {
      throw ConfigError(where, fmt::format("'{}': no list item '{}' (the list has {} items)",
                                           override_.key, last, node->items.size()));
    }
    if (override_.op == Override::Op::Remove) {
      node->items.erase(node->items.begin() + static_cast<long>(std::stoul(last)));
    } else {
      node->items[std::stoul(last)] = value;
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

std::vector<std::string> split_sweep_values(const std::string& value) {
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
  for (const auto& part : parts) {
    std::smatch m;
    if (std::regex_match(part, m, kRange)) {
      const long long from = std::stoll(m[1].str()), to = std::stoll(m[2].str());
      if (to >= from && to - from < 1000000) {
        for (long long i = from; i <= to; ++i) expanded.push_back(std::to_string(i));
        continue;
      }
    }
    expanded.push_back(part);
  }
  return expanded;
}

}  // namespace actbench::config
