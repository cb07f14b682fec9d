// Conversion from yaml-cpp's nodes into the located ConfigNode tree.
#include "config/tree.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

namespace actbench::config {

ConfigNodePtr ConfigNode::make_map(SourceLocation where) {
  auto node = std::make_shared<ConfigNode>();
  node->kind = Kind::Map;
  node->where = std::move(where);
  return node;
}

ConfigNodePtr ConfigNode::clone() const {
  auto copy = std::make_shared<ConfigNode>(*this);
  for (auto& item : copy->items) item = item->clone();
  for (auto& e : copy->entries) e.value = e.value->clone();
  return copy;
}

const ConfigEntry* ConfigNode::entry(const std::string& key) const {
  for (const auto& e : entries)
    if (e.key == key) return &e;
  return nullptr;
}

ConfigNodePtr ConfigNode::get(const std::string& key) const {
  const ConfigEntry* e = entry(key);
  return e ? e->value : nullptr;
}

void ConfigNode::set(const std::string& key, SourceLocation key_where, ConfigNodePtr value) {
  for (auto& e : entries) {
    if (e.key == key) {
      e.key_where = std::move(key_where);
      e.value = std::move(value);
      return;
    }
  }
  entries.push_back({key, std::move(key_where), std::move(value)});
}

bool ConfigNode::erase(const std::string& key) {
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    if (it->key == key) {
      entries.erase(it);
      return true;
    }
  }
  return false;
}

std::string ConfigNode::kind_name() const {
  switch (kind) {
    case Kind::Null:
      return "empty";
    case Kind::Scalar:
      return "a value";
    case Kind::Sequence:
      return "a list";
    case Kind::Map:
      return "a map";
  }
  return "?";
}

namespace {

// Locations for nodes parsed from an override all point at the argument, not into its text.
struct Locator {
  std::string origin;
  int cli_arg = 0;
  SourceLocation at(const YAML::Mark& mark) const {
    if (cli_arg > 0) return SourceLocation::cli_arg(cli_arg);
    // yaml-cpp marks are 0-based; editors and compilers count from 1.
    return SourceLocation::in_file(origin, mark.line + 1, mark.column + 1);
  }
};

ConfigNodePtr convert(const YAML::Node& yaml, const Locator& locator) {
  auto node = std::make_shared<ConfigNode>();
  node->where = locator.at(yaml.Mark());
  switch (yaml.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      node->kind = ConfigNode::Kind::Null;
      break;
    case YAML::NodeType::Scalar:
      node->kind = ConfigNode::Kind::Scalar;
      node->scalar = yaml.Scalar();
      node->quoted = yaml.Tag() == "!";
      break;
    case YAML::NodeType::Sequence:
      node->kind = ConfigNode::Kind::Sequence;
      for (const auto& item : yaml) node->items.push_back(convert(item, locator));
      break;
    case YAML::NodeType::Map:
      node->kind = ConfigNode::Kind::Map;
      for (const auto& kv : yaml) {
        const SourceLocation key_where = locator.at(kv.first.Mark());
        if (!kv.first.IsScalar()) {
          throw ConfigError(key_where, "a map key must be a plain name, not " +
                                           std::string(kv.first.IsMap() ? "a map" : "a list"));
        }
        const std::string key = kv.first.Scalar();
        if (const ConfigEntry* previous = node->entry(key)) {
          throw ConfigError(key_where, fmt::format("duplicate key '{}'", key),
                            fmt::format("'{}' is already set at {}; keep one of them", key,
                                        previous->key_where.str()));
        }
        node->entries.push_back({key, key_where, convert(kv.second, locator)});
      }
      break;
  }
  return node;
}

ConfigNodePtr parse(const std::string& text, const Locator& locator) {
  if (text.find('\0') != std::string::npos) {
    throw ConfigError(locator.cli_arg > 0 ? SourceLocation::cli_arg(locator.cli_arg)
                                          : SourceLocation::in_file(locator.origin, 1, 1),
                      "this is not a text file (it contains NUL bytes)",
                      "a config is a YAML text file");
  }
  try {
    return convert(YAML::Load(text), locator);
  } catch (const YAML::Exception& e) {
    // e.msg is yaml-cpp's message without the position it prefixes to what().
    throw ConfigError(locator.at(e.mark), "YAML syntax: " + e.msg,
                      "check indentation, colons and brackets near this position");
  }
}

}  // namespace

ConfigNodePtr parse_yaml(const std::string& text, const std::string& origin) {
  return parse(text, Locator{origin, 0});
}

ConfigNodePtr parse_override_value(const std::string& text, int arg) {
  return parse(text, Locator{"<cli>", arg});
}

ConfigNodePtr load_yaml_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError(SourceLocation::in_file(path, 0, 0), "cannot read config file",
                      "check the path; ready-made configs are in configs/");
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_yaml(buffer.str(), path);
}

}  // namespace actbench::config
