// The search file's strict reader (search_file.hpp): one small reader per value kind, each
// throwing a located ConfigError, and the settings resolved through the config loader as a run's
// are.
#include "search/search_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "config/loader.hpp"
#include "config/overrides.hpp"
#include "config/tree.hpp"
#include "core/strings.hpp"
#include "experiment/experiment.hpp"
#include "expression/expression.hpp"
#include "model/activation.hpp"

namespace actbench::search {

const std::vector<std::string>& search_file_keys() {
  static const std::vector<std::string> keys{"name",   "dir",   "space",   "dedup",
                                             "screen", "proxy", "rounds",  "baselines",
                                             "final",  "pack",  "workers", "sweep_size"};
  return keys;
}

namespace search_file_internal {

using config::ConfigNode;
using config::ConfigNodePtr;

const ConfigNode& expect_map(const ConfigNode& node, const std::string& what) {
  if (node.kind != ConfigNode::Kind::Map)
    throw ConfigError(node.where, fmt::format("{} must be a map, not {}", what, node.kind_name()));
  return node;
}

const ConfigNode& expect_list(const ConfigNode& node, const std::string& what) {
  if (node.kind != ConfigNode::Kind::Sequence)
    throw ConfigError(node.where, fmt::format("{} must be a list, not {}", what, node.kind_name()));
  return node;
}

// Refuses keys of `node` (a map) outside `known`, with a suggestion.
void only_keys(const ConfigNode& node, const std::vector<std::string>& known,
               const std::string& what) {
  for (const auto& e : node.entries)
    if (std::find(known.begin(), known.end(), e.key) == known.end())
      throw ConfigError(
          e.key_where,
          fmt::format("unknown key '{}' in {}{}", e.key, what, core::did_you_mean(e.key, known)),
          what + " takes: " + core::join(known));
}

std::string read_text(const ConfigNode& node, const std::string& what) {
  if (node.kind != ConfigNode::Kind::Scalar || node.scalar.empty())
    throw ConfigError(node.where, fmt::format("{} must be a non-empty text", what));
  return node.scalar;
}

int64_t read_int(const ConfigNode& node, const std::string& what, int64_t min, int64_t max) {
  if (node.kind == ConfigNode::Kind::Scalar && !node.quoted && !node.scalar.empty()) {
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(node.scalar.c_str(), &end, 10);
    if (*end == '\0' && errno == 0 && v >= min && v <= max) return v;
  }
  throw ConfigError(node.where, fmt::format("{} must be an integer from {} to {}", what, min, max));
}

double read_number(const ConfigNode& node, const std::string& what, double min, double max) {
  if (node.kind == ConfigNode::Kind::Scalar && !node.quoted && !node.scalar.empty()) {
    char* end = nullptr;
    const double v = std::strtod(node.scalar.c_str(), &end);
    if (*end == '\0' && std::isfinite(v) && v >= min && v <= max) return v;
  }
  throw ConfigError(node.where,
                    fmt::format("{} must be a number from {:g} to {:g}", what, min, max));
}

bool read_bool(const ConfigNode& node, const std::string& what) {
  if (node.kind == ConfigNode::Kind::Scalar && !node.quoted) {
    if (node.scalar == "true") return true;
    if (node.scalar == "false") return false;
  }
  throw ConfigError(node.where, fmt::format("{} must be true or false", what));
}

// The identifiers of an expression text other than function names: x for a unary, a and b for
// a binary, and nothing else (a candidate has no parameters: packs train none).
void check_primitive_text(const ConfigNode& node, const std::string& text, bool binary) {
  std::string probe = text;
  if (binary) probe = substitute(substitute(text, "a", "x"), "b", "x");
  if (!uses_input(probe)) probe = "x + (" + probe + ")";
  const bool uses_a = substitute(text, "a", "x") != text;
  const bool uses_b = substitute(text, "b", "x") != text;
  expression::Expression parsed = expression::Expression::parse("x");
  try {
    parsed = expression::Expression::parse(probe);
  } catch (const expression::SyntaxError& e) {
    throw ConfigError(node.where,
                      fmt::format("the {} \"{}\" is not an expression: {}",
                                  binary ? "binary" : "unary", text, e.message()),
                      e.hint());
  }
  if (!parsed.parameters().empty())
    throw ConfigError(node.where,
                      fmt::format("the {} \"{}\" names '{}', which is neither {} nor a function",
                                  binary ? "binary" : "unary", text,
                                  parsed.parameters().front().name, binary ? "a, b" : "x"),
                      "candidates have no parameters (a pack trains none): write numbers instead");
  if (binary && !(uses_a && uses_b))
    throw ConfigError(node.where, fmt::format("the binary \"{}\" must use both a and b", text));
}

std::vector<Primitive> read_primitives(const ConfigNode& node, bool binary) {
  const std::string what = binary ? "space.binary" : "space.unary";
  const std::vector<Primitive>& builtin = binary ? builtin_binaries() : builtin_unaries();
  std::vector<std::string> names;
  for (const auto& p : builtin) names.push_back(p.name);
  std::vector<Primitive> out;
  std::set<std::string> seen;
  for (const auto& item : expect_list(node, what).items) {
    const std::string text = read_text(*item, "an entry of " + what);
    const auto found = std::find_if(builtin.begin(), builtin.end(),
                                    [&](const Primitive& p) { return p.name == text; });
    Primitive p{text, text};
    if (found != builtin.end()) {
      p = *found;
    } else {
      const bool word = std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
      });
      if (word && text != "x")
        throw ConfigError(item->where,
                          fmt::format("unknown {} '{}'{}", binary ? "binary" : "unary", text,
                                      core::did_you_mean(text, names)),
                          fmt::format("the builtin ones: {}; or write an expression of {}",
                                      core::join(names), binary ? "a and b" : "x"));
      check_primitive_text(*item, text, binary);
    }
    if (!seen.insert(p.text).second)
      throw ConfigError(item->where, fmt::format("{} lists \"{}\" twice", what, p.text));
    out.push_back(p);
  }
  if (out.empty()) throw ConfigError(node.where, what + " is empty");
  return out;
}

void read_space(const ConfigNode& node, SearchSpec& spec) {
  expect_map(node, "space");
  only_keys(node, {"unary", "binary", "depth", "sample", "seed"}, "space");
  const auto unary = node.get("unary");
  const auto binary = node.get("binary");
  if (!unary || !binary)
    throw ConfigError(node.where, "space needs unary and binary",
                      "e.g. space: {unary: [x, tanh, sigmoid], binary: [add, mul]}");
  spec.space.unary = read_primitives(*unary, false);
  spec.space.binary = read_primitives(*binary, true);
  if (auto n = node.get("depth")) spec.space.depth = static_cast<int>(read_int(*n, "depth", 1, 2));
  if (auto n = node.get("sample"))
    spec.space.sample = read_int(*n, "space.sample", 0, kMaxEnumerated);
  if (auto n = node.get("seed"))
    spec.space.seed = static_cast<uint64_t>(read_int(*n, "space.seed", 0, INT64_MAX));
  const int64_t size = space_size(spec.space);
  if (spec.space.sample == 0 && size > kMaxEnumerated)
    throw ConfigError(node.where,
                      fmt::format("this space holds {} expressions, more than the {} an "
                                  "exhaustive search enumerates",
                                  size, kMaxEnumerated),
                      "draw a sample of it: space.sample: N");
}

void read_dedup(const ConfigNode& node, DedupOptions& o) {
  expect_map(node, "dedup");
  only_keys(node, {"from", "to", "points", "rtol", "atol", "flat_share"}, "dedup");
  if (auto n = node.get("from")) o.from = read_number(*n, "dedup.from", -1e3, 1e3);
  if (auto n = node.get("to")) o.to = read_number(*n, "dedup.to", -1e3, 1e3);
  if (auto n = node.get("points")) o.points = read_int(*n, "dedup.points", 8, 100000);
  if (auto n = node.get("rtol")) o.rtol = read_number(*n, "dedup.rtol", 0.0, 0.5);
  if (auto n = node.get("atol")) o.atol = read_number(*n, "dedup.atol", 0.0, 1.0);
  if (auto n = node.get("flat_share")) o.flat_share = read_number(*n, "dedup.flat_share", 0.5, 1.0);
  if (!(o.from < o.to))
    throw ConfigError(node.get("to") ? node.get("to")->where : node.where,
                      fmt::format("dedup.to ({:g}) must be above dedup.from ({:g})", o.to, o.from));
}

void read_screen(const ConfigNode& node, SearchSpec& spec) {
  expect_map(node, "screen");
  only_keys(node, {"filter", "sigma_b2", "edge_sigma_b2", "q_low", "q_high", "audit", "audit_seed"},
            "screen");
  if (auto n = node.get("filter")) spec.filter = read_bool(*n, "screen.filter");
  if (auto n = node.get("sigma_b2"))
    spec.screen.sigma_b2 = read_number(*n, "screen.sigma_b2", 0.0, 100.0);
  if (auto n = node.get("edge_sigma_b2"))
    spec.screen.edge_sigma_b2 = read_number(*n, "screen.edge_sigma_b2", 0.0, 100.0);
  if (auto n = node.get("q_low")) spec.screen.q_low = read_number(*n, "screen.q_low", 0.0, 1.0);
  if (auto n = node.get("q_high"))
    spec.screen.q_high = read_number(*n, "screen.q_high", 1.0, 1e300);
  if (auto n = node.get("audit")) spec.audit = read_int(*n, "screen.audit", 0, 1000000);
  if (auto n = node.get("audit_seed"))
    spec.audit_seed = static_cast<uint64_t>(read_int(*n, "screen.audit_seed", 0, INT64_MAX));
  if (spec.audit > 0 && !spec.filter)
    throw ConfigError(node.get("audit")->where,
                      "screen.audit samples the candidates the filter drops, but the filter is off",
                      "set screen.filter: true, or remove screen.audit (without the filter every "
                      "screened-out candidate is trained)");
}

// Keys a setting's `set` may not hold: the search varies or places them itself.
const std::map<std::string, std::string>& reserved_keys() {
  static const std::map<std::string, std::string> keys{
      {"model.activation", "the search sets each run's activation"},
      {"seed", "the rounds and the final set the seeds"},
      {"output.dir", "the runs go to the search's round directories"},
  };
  return keys;
}

SettingSpec read_setting(const ConfigNode& node, const std::string& what, const std::string& file,
                         bool epochs_from_rounds) {
  expect_map(node, what);
  only_keys(node, {"title", "base", "set"}, what);
  SettingSpec s;
  const auto base = node.get("base");
  if (!base)
    throw ConfigError(node.where, what + " needs `base: <config file>`",
                      "e.g. base: ../configs/fashion_mnist_mlp.yaml (relative to the search file)");
  s.base = (std::filesystem::path(file).parent_path() / read_text(*base, what + ".base"))
               .lexically_normal()
               .string();
  if (!std::filesystem::exists(s.base))
    throw ConfigError(base->where, fmt::format("base config {} does not exist", s.base));
  s.title = node.get("title") ? read_text(*node.get("title"), what + ".title")
                              : std::filesystem::path(s.base).stem().string();
  ConfigNodePtr tree = config::load_yaml_file(s.base);
  config::require_config_content(*tree, s.base);
  if (auto set = node.get("set")) {
    for (const auto& e : expect_map(*set, what + ".set").entries) {
      const auto reserved = reserved_keys().find(e.key);
      if (reserved != reserved_keys().end())
        throw ConfigError(e.key_where,
                          fmt::format("{}.set cannot set {}: {}", what, e.key, reserved->second));
      if (epochs_from_rounds && e.key == "train.epochs")
        throw ConfigError(e.key_where, "the proxy's train.epochs is each round's `epochs`",
                          "set the epochs in rounds: and final.epochs");
      config::Override o = config::parse_override(e.key + "=0", 0);
      config::apply_override(*tree, o, e.value->clone(), e.key_where);
    }
  }
  config::RunSpec spec = config::read_run_spec(*tree);
  spec.config_file = s.base;
  if (spec.task != "classification")
    throw ConfigError(
        spec.location_of("task"),
        fmt::format("{} is a {} task; the search scores test accuracy", what, spec.task),
        "use a classification setting");
  const experiment::PreparedRun prepared = experiment::prepare_spec(spec);
  s.hidden_layers = static_cast<int64_t>(prepared.plan.hidden.size());
  s.classes = prepared.shape.num_classes;
  nlohmann::ordered_json resolved = config::to_json(prepared.spec);
  resolved["output"].erase("dir");
  s.resolved_yaml = config::json_to_yaml(resolved);
  return s;
}

RoundSpec read_round(const ConfigNode& node, size_t index) {
  const std::string what = fmt::format("rounds[{}]", index);
  expect_map(node, what);
  only_keys(node, {"epochs", "seeds", "keep", "keep_top"}, what);
  RoundSpec r;
  const auto epochs = node.get("epochs");
  if (!epochs) throw ConfigError(node.where, what + " needs epochs");
  r.epochs = read_int(*epochs, what + ".epochs", 1, 100000);
  if (auto n = node.get("seeds")) r.seeds = read_int(*n, what + ".seeds", 1, 1000);
  const auto keep = node.get("keep");
  const auto keep_top = node.get("keep_top");
  if ((keep != nullptr) == (keep_top != nullptr))
    throw ConfigError(keep_top ? keep_top->where : node.where,
                      what + " needs exactly one of keep (a share) and keep_top (a count)",
                      "e.g. {epochs: 2, seeds: 1, keep: 0.25}");
  if (keep) r.keep = read_number(*keep, what + ".keep", 1e-9, 1.0);
  if (keep_top) r.keep_top = read_int(*keep_top, what + ".keep_top", 1, 1000000);
  return r;
}

}  // namespace search_file_internal
using namespace search_file_internal;

SearchSpec read_search_file(const std::string& file) {
  const ConfigNodePtr root = config::load_yaml_file(file);
  config::require_config_content(*root, file);
  expect_map(*root, "a search file");
  only_keys(*root, search_file_keys(), "a search file");
  SearchSpec spec;
  spec.source_file = file;
  spec.name = std::filesystem::path(file).stem().string();
  if (auto n = root->get("name")) {
    spec.name = read_text(*n, "name");
    if (spec.name == "." || spec.name == ".." ||
        spec.name.find_first_of("/\\") != std::string::npos ||
        core::has_control_character(spec.name))
      throw ConfigError(n->where, "name must be a plain name",
                        "no slashes or control characters; choose the directory with dir:");
  }
  if (auto n = root->get("dir")) spec.directory = read_text(*n, "dir");
  if (spec.directory.empty()) spec.directory = std::filesystem::path("results") / spec.name;
  const auto space = root->get("space");
  if (!space) throw ConfigError(root->where, "a search file needs space: {unary, binary}");
  read_space(*space, spec);
  if (auto n = root->get("dedup")) read_dedup(*n, spec.dedup);
  if (auto n = root->get("screen")) read_screen(*n, spec);
  const auto proxy = root->get("proxy");
  if (!proxy) throw ConfigError(root->where, "a search file needs proxy: {base, set}");
  spec.proxy = read_setting(*proxy, "proxy", file, true);
  spec.screen.depth = spec.proxy.hidden_layers;
  const auto rounds = root->get("rounds");
  if (!rounds)
    throw ConfigError(root->where, "a search file needs rounds: [{epochs, seeds, keep}]");
  for (const auto& item : expect_list(*rounds, "rounds").items)
    spec.rounds.push_back(read_round(*item, spec.rounds.size()));
  if (spec.rounds.empty()) throw ConfigError(rounds->where, "rounds is empty");
  if (auto n = root->get("baselines")) {
    for (const auto& item : expect_list(*n, "baselines").items) {
      const std::string name = read_text(*item, "a baseline");
      // The activation must exist: resolved as a run resolves it, located here.
      core::ComponentSpec component;
      component.name = name;
      component.where = item->where;
      model::resolve_activation(component);
      if (std::find(spec.baselines.begin(), spec.baselines.end(), name) != spec.baselines.end())
        throw ConfigError(item->where, fmt::format("baselines lists {} twice", name));
      spec.baselines.push_back(name);
    }
  }
  if (auto final_node = root->get("final")) {
    expect_map(*final_node, "final");
    only_keys(*final_node, {"seeds", "epochs", "second"}, "final");
    if (auto n = final_node->get("seeds")) spec.final_seeds = read_int(*n, "final.seeds", 2, 1000);
    const auto epochs = final_node->get("epochs");
    spec.final_epochs =
        epochs ? read_int(*epochs, "final.epochs", 1, 100000) : spec.rounds.back().epochs;
    if (auto n = final_node->get("second")) {
      spec.second = read_setting(*n, "final.second", file, false);
      spec.has_second = true;
    }
  }
  if (auto n = root->get("pack")) spec.pack = read_int(*n, "pack", 1, 100000);
  if (auto n = root->get("workers")) spec.workers = read_int(*n, "workers", 1, 1024);
  if (auto n = root->get("sweep_size")) {
    spec.sweep_size = read_int(*n, "sweep_size", 1, 50000);
    // Every round's baselines and one candidate, with all of the round's seeds, fit in a part.
    int64_t most_seeds = spec.final_seeds;
    for (const auto& r : spec.rounds) most_seeds = std::max(most_seeds, r.seeds);
    const int64_t smallest = (static_cast<int64_t>(spec.baselines.size()) + 1) * most_seeds;
    if (spec.sweep_size < smallest)
      throw ConfigError(n->where,
                        fmt::format("sweep_size {} cannot hold the baselines and one candidate "
                                    "with {} seeds each ({} runs)",
                                    spec.sweep_size, most_seeds, smallest));
  }
  return spec;
}

}  // namespace actbench::search
