// A YAML document as a tree that remembers where every key and value was written. yaml-cpp's marks
// are lost on Clone() and on assignment, so the loader converts once into this tree; command-line
// overrides edit it with "<cli>:argN" locations, and the schema reader reports every error at the
// right place.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/files.hpp"

namespace actbench::config {

// Limits on what a config (file or override value) may hold, so that a few hostile bytes cannot
// cost gigabytes or the stack (docs/reliability.md gives the reasons for each number). Nodes are
// the values (scalars, lists, maps; a key counts with its value), counted after YAML aliases are
// expanded.
inline constexpr size_t kMaxConfigBytes = core::kMaxConfigFileBytes;
inline constexpr size_t kMaxConfigNodes = 100000;
inline constexpr size_t kMaxConfigDepth = 64;

struct ConfigNode;
using ConfigNodePtr = std::shared_ptr<ConfigNode>;

struct ConfigEntry {
  std::string key;
  SourceLocation key_where;
  ConfigNodePtr value;
};

struct ConfigNode {
  enum class Kind { Null, Scalar, Sequence, Map };

  Kind kind = Kind::Null;
  std::string scalar;   // Scalar: the text as written
  bool quoted = false;  // Scalar: written in quotes, so a string even if it looks like a number
  std::vector<ConfigNodePtr> items;  // Sequence
  std::vector<ConfigEntry> entries;  // Map, in file order
  SourceLocation where;              // of the value

  static ConfigNodePtr make_map(SourceLocation where);
  ConfigNodePtr clone() const;

  // Map access; nullptr when absent.
  ConfigNodePtr get(const std::string& key) const;
  const ConfigEntry* entry(const std::string& key) const;
  void set(const std::string& key, SourceLocation key_where, ConfigNodePtr value);
  bool erase(const std::string& key);
  std::string kind_name() const;  // "a map", "a list", "a value", "empty"
};

// Parses YAML text; `origin` names the file (or "<cli>") in locations. Syntax errors, duplicate
// keys, non-string keys, alias cycles, a second document and text past the limits above are
// located ConfigErrors.
ConfigNodePtr parse_yaml(const std::string& text, const std::string& origin);
// Reads and parses a file; a missing or unreadable file is a ConfigError naming it.
ConfigNodePtr load_yaml_file(const std::string& path);
// Refuses a config file with nothing in it (empty, or only comments): running every default under
// the file's name is most likely a mistake. `{}` says "all defaults" on purpose.
void require_config_content(const ConfigNode& root, const std::string& path);
// Parses the value of a command-line override, every node located at "<cli>:argN".
ConfigNodePtr parse_override_value(const std::string& text, int arg);

}  // namespace actbench::config
