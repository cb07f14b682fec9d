// Conversion from yaml-cpp's nodes into the located ConfigNode tree.
#include "config/tree.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
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

// Offset of the first byte that is not part of well-formed UTF-8 (no overlong forms, surrogates
// or code points above U+10FFFF), or npos. Every config string ends up in JSON (the run id,
// meta.json, the results database), and JSON is UTF-8: a stray Latin-1 byte must be a located
// config error, not an exception from the JSON writer after the run has started.
size_t invalid_utf8_offset(const std::string& text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  for (size_t i = 0; i < size;) {
    const unsigned char lead = bytes[i];
    size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (lead < 0x80) {
      ++i;
      continue;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;   // overlong
      if (lead == 0xED) high = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;   // overlong
      if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
    } else {
      return i;
    }
    if (i + length > size || bytes[i + 1] < low || bytes[i + 1] > high) return i;
    for (size_t k = 2; k < length; ++k)
      if (bytes[i + k] < 0x80 || bytes[i + k] > 0xBF) return i;
    i += length;
  }
  return std::string::npos;
}

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
  if (const size_t bad = invalid_utf8_offset(text); bad != std::string::npos) {
    const auto before = text.begin() + static_cast<std::ptrdiff_t>(bad);
    const auto line = 1 + std::count(text.begin(), before, '\n');
    const size_t line_start = bad == 0 ? std::string::npos : text.rfind('\n', bad - 1);
    const size_t column = line_start == std::string::npos ? bad + 1 : bad - line_start;
    throw ConfigError(
        locator.cli_arg > 0 ? SourceLocation::cli_arg(locator.cli_arg)
                            : SourceLocation::in_file(locator.origin, static_cast<int>(line),
                                                      static_cast<int>(column)),
        fmt::format("byte 0x{:02X} is not valid UTF-8", static_cast<unsigned char>(text[bad])),
        "save the config as UTF-8");
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

void require_config_content(const ConfigNode& root, const std::string& path) {
  if (root.kind != ConfigNode::Kind::Null) return;
  throw ConfigError(SourceLocation::in_file(path, 1, 1),
                    "the config is empty (or holds only comments)",
                    "to run every default on purpose, write `{}` in it; `actbench validate "
                    "--schema` lists the defaults");
}

}  // namespace actbench::config
