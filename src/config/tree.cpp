// Conversion from yaml-cpp's nodes into the located ConfigNode tree.
#include "config/tree.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <unordered_map>

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

// Builds the located tree from yaml-cpp's parse events rather than from YAML::Load's node graph.
// Load shares one node for an anchor and every alias to it: an alias inside its own anchor is a
// cycle that any walk follows forever, and nine aliases of nine aliases are 9^9 nodes to any walk
// that expands them ("billion laughs"). Here an alias is a copy made when it is read, so a cycle
// is seen (its anchor is still open) and every copy counts against kMaxConfigNodes before it is
// made. Keys are checked for duplicates with a hash index, not by scanning the map (a 200,000-key
// map took 495 s that way).
class TreeBuilder : public YAML::EventHandler {
 public:
  explicit TreeBuilder(const Locator& locator) : locator_(locator) {}

  ConfigNodePtr root() const { return root_; }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto node = make(mark, ConfigNode::Kind::Null);
    complete(node, anchor, 1, 1);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    auto node = make(mark, ConfigNode::Kind::Scalar);
    node->scalar = value;
    // yaml-cpp tags a quoted scalar without an explicit tag "!", a plain one "?".
    node->quoted = tag == "!";
    complete(node, anchor, 1, 1);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const SourceLocation where = locator_.at(mark);
    const auto found = anchors_.find(anchor);
    if (found == anchors_.end()) {
      // The anchor is still open: the alias is inside what it names.
      throw ConfigError(where, "this alias refers to the anchor that contains it (a cycle)",
                        "an alias can only repeat a value that is complete before it");
    }
    const Anchored& target = found->second;
    count(where, target.size, true);
    if (stack_.size() + target.height > kMaxConfigDepth) throw too_deep(where);
    complete(target.node->clone(), YAML::NullAnchor, target.size, target.height);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(make(mark, ConfigNode::Kind::Sequence), anchor);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(make(mark, ConfigNode::Kind::Map), anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Anchored {
    ConfigNodePtr node;
    size_t size = 0;    // values in it, as counted against kMaxConfigNodes
    size_t height = 0;  // levels in it, itself included
  };
  struct Frame {
    ConfigNodePtr node;
    YAML::anchor_t anchor = YAML::NullAnchor;
    size_t count_at_open = 0;
    size_t height = 0;  // of the tallest child so far
    bool have_key = false;
    std::string key;
    SourceLocation key_where;
    std::unordered_map<std::string, size_t> keys;  // Map: key -> index in entries
  };

  ConfigNodePtr make(const YAML::Mark& mark, ConfigNode::Kind kind) {
    auto node = std::make_shared<ConfigNode>();
    node->kind = kind;
    node->where = locator_.at(mark);
    // A key is counted with its value: a map entry is one value.
    const bool is_key = !stack_.empty() && stack_.back().node->kind == ConfigNode::Kind::Map &&
                        !stack_.back().have_key;
    if (!is_key) count(node->where, 1, false);
    return node;
  }

  void count(const SourceLocation& where, size_t nodes, bool alias) {
    nodes_ += nodes;
    if (nodes_ > kMaxConfigNodes) {
      throw ConfigError(where,
                        alias ? fmt::format("this alias makes the config larger than {} values "
                                            "(aliases expanded)",
                                            kMaxConfigNodes)
                              : fmt::format("the config has more than {} values", kMaxConfigNodes),
                        "a config has a few hundred values; YAML aliases (*name) that repeat "
                        "large anchors (&name) multiply them");
    }
  }

  ConfigError too_deep(const SourceLocation& where) const {
    return ConfigError(where,
                       fmt::format("the config is nested deeper than {} levels", kMaxConfigDepth),
                       "configs nest a few levels (model.conv.0.activation); check the brackets");
  }

  void open(ConfigNodePtr node, YAML::anchor_t anchor) {
    if (stack_.size() >= kMaxConfigDepth) throw too_deep(node->where);
    Frame frame;
    frame.node = std::move(node);
    frame.anchor = anchor;
    frame.count_at_open = nodes_ - 1;  // make() counted the node itself (a key position throws)
    stack_.push_back(std::move(frame));
  }

  void close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    complete(frame.node, frame.anchor, nodes_ - frame.count_at_open, frame.height + 1);
  }

  void complete(ConfigNodePtr node, YAML::anchor_t anchor, size_t size, size_t height) {
    if (anchor != YAML::NullAnchor) anchors_[anchor] = Anchored{node, size, height};
    if (stack_.empty()) {
      root_ = std::move(node);
      return;
    }
    Frame& parent = stack_.back();
    parent.height = std::max(parent.height, height);
    if (parent.node->kind == ConfigNode::Kind::Sequence) {
      parent.node->items.push_back(std::move(node));
      return;
    }
    if (!parent.have_key) {
      if (node->kind != ConfigNode::Kind::Scalar) {
        throw ConfigError(node->where, "a map key must be a plain name, not " + node->kind_name());
      }
      if (const auto previous = parent.keys.find(node->scalar); previous != parent.keys.end()) {
        throw ConfigError(node->where, fmt::format("duplicate key '{}'", node->scalar),
                          fmt::format("'{}' is already set at {}; keep one of them", node->scalar,
                                      parent.node->entries[previous->second].key_where.str()));
      }
      parent.have_key = true;
      parent.key = node->scalar;
      parent.key_where = node->where;
      return;
    }
    parent.keys.emplace(parent.key, parent.node->entries.size());
    parent.node->entries.push_back({std::move(parent.key), parent.key_where, std::move(node)});
    parent.have_key = false;
  }

  const Locator& locator_;
  std::vector<Frame> stack_;
  std::unordered_map<YAML::anchor_t, Anchored> anchors_;
  size_t nodes_ = 0;
  ConfigNodePtr root_;
};

// Refuses a second document: YAML::Load read only the first and ignored the rest silently.
class SecondDocument : public YAML::EventHandler {
 public:
  explicit SecondDocument(const Locator& locator) : locator_(locator) {}
  void OnDocumentStart(const YAML::Mark& mark) override {
    throw ConfigError(locator_.at(mark), "a second YAML document (after ---) in one config",
                      "a config is one document: merge the two, or remove the --- line");
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

 private:
  const Locator& locator_;
};

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
    std::istringstream stream(text);
    YAML::Parser parser(stream);
    TreeBuilder builder(locator);
    if (!parser.HandleNextDocument(builder) || !builder.root()) {
      auto empty = std::make_shared<ConfigNode>();
      empty->where = locator.at(YAML::Mark::null_mark());
      return empty;
    }
    SecondDocument second(locator);
    parser.HandleNextDocument(second);
    return builder.root();
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
  // Read one byte past the limit, no more: /dev/zero or a mistyped data file must not be read
  // whole.
  std::string text(kMaxConfigBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxConfigBytes) {
    throw ConfigError(SourceLocation::in_file(path, 0, 0),
                      fmt::format("this is larger than {} MiB, too large for a config file",
                                  kMaxConfigBytes >> 20),
                      "a config is a YAML file of a few kilobytes; check the path");
  }
  return parse_yaml(text, path);
}

void require_config_content(const ConfigNode& root, const std::string& path) {
  if (root.kind != ConfigNode::Kind::Null) return;
  throw ConfigError(SourceLocation::in_file(path, 1, 1),
                    "the config is empty (or holds only comments)",
                    "to run every default on purpose, write `{}` in it; `actbench validate "
                    "--schema` lists the defaults");
}

}  // namespace actbench::config
