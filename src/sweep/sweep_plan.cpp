// Expansion and validation of sweep plans (see sweep_plan.hpp).
#include "sweep/sweep_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "config/overrides.hpp"
#include "core/display.hpp"
#include "core/strings.hpp"
#include "store/run_directory.hpp"

namespace actbench::sweep {

const std::vector<SweepFileKey>& sweep_file_keys() {
  static const std::vector<SweepFileKey> keys{
      {"name", "NAME", "the sweep's name and directory results/<name> (default: the file's name)"},
      {"base", "CONFIG", "the config every run starts from, relative to the sweep file (required)"},
      {"set", "{KEY: VALUE}", "fixed overrides"},
      {"grid", "{KEY: [A, B]}", "axes: every combination of their values"},
      {"zip", "{K1: [A, B], K2: [C, D]}", "lists varied together (one axis)"},
      {"seeds", "[0, 1, 2]", "the seed axis, varied fastest"},
      {"workers", "N", "parallel runs (default: one per core)"},
      {"threads", "N", "intra-op threads per run"},
      {"dir", "PATH", "the sweep directory (default: results/<name>)"},
  };
  return keys;
}

namespace {

using config::ConfigNode;
using config::ConfigNodePtr;

// One dimension of the sweep: one key (grid, seeds) or several varied together (zip).
struct Axis {
  std::vector<config::Override> keys;
  std::vector<SourceLocation> key_where;  // where each key is written, for errors about the key
  std::vector<std::vector<ConfigNodePtr>> choices;  // choices[i][k]: value of keys[k] in choice i
};

std::vector<std::string> sweep_key_names() {
  std::vector<std::string> names;
  for (const auto& key : sweep_file_keys()) names.push_back(key.name);
  return names;
}

const std::vector<std::string> kSweepKeys = sweep_key_names();

bool has_sweep_keys(const ConfigNode& root) {
  return root.kind == ConfigNode::Kind::Map &&
         (root.get("base") || root.get("grid") || root.get("zip") || root.get("seeds"));
}

config::Override key_override(const std::string& key, const SourceLocation& where) {
  config::Override o;
  o.op = config::Override::Op::Set;
  o.key = key;
  o.text = key;
  std::string segment;
  for (char c : key + ".") {
    if (c == '.') {
      if (segment.empty())
        throw ConfigError(where, fmt::format("bad key '{}'", key), "keys are dotted names");
      o.path.push_back(segment);
      segment.clear();
    } else {
      segment += c;
    }
  }
  return o;
}

const ConfigNode& expect(const ConfigNode& node, ConfigNode::Kind kind, const std::string& what) {
  if (node.kind != kind)
    throw ConfigError(node.where, fmt::format("{} must be {}", what,
                                              kind == ConfigNode::Kind::Map ? "a map" : "a list"));
  return node;
}

int64_t read_int(const ConfigNode& node, const std::string& what, int64_t min) {
  if (node.kind == ConfigNode::Kind::Scalar) {
    char* end = nullptr;
    const long long v = std::strtoll(node.scalar.c_str(), &end, 10);
    if (!node.scalar.empty() && *end == '\0' && v >= min) return v;
  }
  throw ConfigError(node.where, fmt::format("{} must be an integer >= {}", what, min));
}

std::string node_text(const ConfigNode& node) {
  switch (node.kind) {
    case ConfigNode::Kind::Scalar:
      return node.scalar;
    case ConfigNode::Kind::Sequence: {
      std::vector<std::string> items;
      for (const auto& i : node.items) items.push_back(node_text(*i));
      return "[" + core::join(items) + "]";
    }
    case ConfigNode::Kind::Map: {
      std::vector<std::string> items;
      for (const auto& e : node.entries) items.push_back(e.key + ": " + node_text(*e.value));
      return "{" + core::join(items) + "}";
    }
    case ConfigNode::Kind::Null:
      break;
  }
  return "null";
}

}  // namespace

bool is_sweep_file(const std::string& file) {
  const ConfigNodePtr source = config::load_yaml_file(file);
  return has_sweep_keys(*source);
}

SweepPlan plan_sweep(const std::string& file, const std::vector<config::CliOverride>& overrides) {
  SweepPlan plan;
  plan.source_file = file;
  ConfigNodePtr source = config::load_yaml_file(file);
  config::require_config_content(*source, file);
  std::vector<Axis> axes;
  struct Fixed {
    config::Override key;
    ConfigNodePtr value;  // nullptr for a removal
    SourceLocation where;
  };
  std::vector<Fixed> fixed;
  std::filesystem::path base_path = file;
  ConfigNodePtr base;

  std::string stem = std::filesystem::path(file).stem().string();
  plan.name = stem;

  if (has_sweep_keys(*source)) {
    for (const auto& e : source->entries) {
      if (std::find(kSweepKeys.begin(), kSweepKeys.end(), e.key) == kSweepKeys.end()) {
        throw ConfigError(e.key_where,
                          fmt::format("unknown key '{}' in a sweep file{}", e.key,
                                      core::did_you_mean(e.key, kSweepKeys)),
                          "a sweep file takes: " + core::join(kSweepKeys));
      }
    }
    const auto base_entry = source->entry("base");
    if (base_entry == nullptr || base_entry->value->kind != ConfigNode::Kind::Scalar) {
      throw ConfigError(base_entry ? base_entry->value->where : source->where,
                        "a sweep file needs `base: <config file>`",
                        "e.g. base: ../configs/mnist_mlp.yaml (relative to the sweep file)");
    }
    base_path = std::filesystem::path(file).parent_path() / base_entry->value->scalar;
    if (!std::filesystem::exists(base_path)) {
      throw ConfigError(base_entry->value->where,
                        fmt::format("base config {} does not exist", base_path.string()));
    }
    base = config::load_yaml_file(base_path.string());
    config::require_config_content(*base, base_path.string());
    if (auto n = source->get("name")) {
      // The name becomes a directory under results/ and a word in job scripts and report headers:
      // a path or a line break would write elsewhere or end the line it is put in.
      if (n->kind != ConfigNode::Kind::Scalar || n->scalar.empty() || n->scalar == "." ||
          n->scalar == ".." || n->scalar.find_first_of("/\\") != std::string::npos ||
          core::has_control_character(n->scalar))
        throw ConfigError(n->where, "name must be a plain name",
                          "no slashes, no line breaks or other control characters, not . or ..; "
                          "choose where the sweep goes with dir:");
      plan.name = n->scalar;
    }
    if (auto n = source->get("workers")) plan.workers = read_int(*n, "workers", 1);
    if (auto n = source->get("threads")) {
      plan.threads = read_int(*n, "threads", 1);
      if (plan.threads > config::max_threads())
        throw ConfigError(n->where, config::too_many_threads_message("threads", plan.threads),
                          config::too_many_threads_hint());
    }
    if (auto n = source->get("dir")) plan.directory = node_text(*n);
    if (auto set = source->get("set")) {
      for (const auto& e : expect(*set, ConfigNode::Kind::Map, "set").entries)
        fixed.push_back({key_override(e.key, e.key_where), e.value, e.key_where});
    }
    if (auto grid = source->get("grid")) {
      for (const auto& e : expect(*grid, ConfigNode::Kind::Map, "grid").entries) {
        expect(*e.value, ConfigNode::Kind::Sequence, "grid." + e.key);
        if (e.value->items.empty())
          throw ConfigError(e.value->where, "grid." + e.key + " is empty");
        Axis axis;
        axis.keys.push_back(key_override(e.key, e.key_where));
        axis.key_where.push_back(e.key_where);
        for (const auto& item : e.value->items) axis.choices.push_back({item});
        axes.push_back(axis);
      }
    }
    if (auto zip = source->get("zip")) {
      Axis axis;
      size_t length = 0;
      for (const auto& e : expect(*zip, ConfigNode::Kind::Map, "zip").entries) {
        expect(*e.value, ConfigNode::Kind::Sequence, "zip." + e.key);
        if (axis.keys.empty()) length = e.value->items.size();
        if (e.value->items.size() != length || length == 0) {
          throw ConfigError(e.value->where,
                            fmt::format("zip.{} has {} values, but the zipped lists must all have "
                                        "{}",
                                        e.key, e.value->items.size(), length));
        }
        axis.keys.push_back(key_override(e.key, e.key_where));
        axis.key_where.push_back(e.key_where);
      }
      axis.choices.resize(length);
      for (size_t k = 0; k < axis.keys.size(); ++k)
        for (size_t i = 0; i < length; ++i)
          axis.choices[i].push_back(zip->entries[k].value->items[i]);
      if (length > 0) axes.push_back(axis);
    }
    if (auto seeds = source->get("seeds")) {
      Axis axis;
      axis.keys.push_back(key_override("seed", seeds->where));
      axis.key_where.push_back(seeds->where);
      for (const auto& item : expect(*seeds, ConfigNode::Kind::Sequence, "seeds").items) {
        read_int(*item, "a seed", 0);
        axis.choices.push_back({item});
      }
      // An empty list would make the whole plan empty: zero runs, and a sweep that "succeeds".
      if (axis.choices.empty())
        throw ConfigError(seeds->where, "seeds is empty", "list at least one seed, e.g. [0]");
      axes.push_back(axis);
    }
  } else {
    base = source;
  }
  plan.base_config = base_path.string();

  // Command-line overrides: `key=a,b` adds an axis, anything else is fixed. Either replaces a
  // sweep-file axis over the same key (a fixed value would otherwise be overwritten by the axis,
  // silently); one key of a zip cannot be replaced alone.
  for (const auto& o : overrides) {
    const config::Override parsed = config::parse_override(o.text, o.arg);
    const auto choices = config::split_sweep_values(parsed.value, o.arg);
    for (const Axis& a : axes) {
      if (a.keys.size() < 2) continue;
      for (const auto& key : a.keys)
        if (key.key == parsed.key) {
          std::vector<std::string> names;
          for (const auto& k : a.keys) names.push_back(k.key);
          throw ConfigError(SourceLocation::cli_arg(o.arg),
                            fmt::format("{} is varied together with {} by the sweep file's zip",
                                        parsed.key, core::join(names)),
                            "edit the zip in the sweep file, or run a config file instead");
        }
    }
    axes.erase(std::remove_if(axes.begin(), axes.end(),
                              [&](const Axis& a) {
                                return a.keys.size() == 1 && a.keys[0].key == parsed.key;
                              }),
               axes.end());
    if (parsed.op == config::Override::Op::Set && choices.size() > 1) {
      Axis axis;
      axis.keys.push_back(parsed);
      axis.key_where.push_back(SourceLocation::cli_arg(o.arg));
      for (const auto& c : choices)
        axis.choices.push_back({config::parse_override_value(c, o.arg)});
      axes.push_back(axis);
    } else {
      fixed.push_back({parsed,
                       parsed.op == config::Override::Op::Remove
                           ? nullptr
                           : config::parse_override_value(parsed.value, o.arg),
                       SourceLocation::cli_arg(o.arg)});
    }
  }
  for (const auto& axis : axes)
    for (const auto& key : axis.keys) plan.varied_keys.push_back(key.key);

  // Cartesian product of the axes, the last axis (seeds, when given) varying fastest. Its size is
  // checked before any run is planned, with a product that cannot wrap around: four axes of
  // 65,536 values made 2^64, which is 0 in size_t, and the sweep planned nothing and succeeded.
  size_t total = 1;
  long double shown_total = 1;
  for (const auto& axis : axes) shown_total *= static_cast<long double>(axis.choices.size());
  for (const auto& axis : axes) {
    if (__builtin_mul_overflow(total, axis.choices.size(), &total) || total > kMaxPlannedRuns) {
      throw ConfigError(
          axis.key_where.front(),
          fmt::format("this sweep would plan {:.0f} runs, more than the {} a plan may hold",
                      static_cast<double>(shown_total), kMaxPlannedRuns),
          fmt::format("every run is resolved and validated before the first one starts (about "
                      "{} KB each); split it into several sweeps",
                      kPlannedRunBytes >> 10));
    }
  }
  std::vector<size_t> index(axes.size(), 0);
  std::map<std::string, std::string> seen_ids;
  for (size_t n = 0; n < total; ++n) {
    ConfigNodePtr tree = base->clone();
    for (const auto& f : fixed)
      config::apply_override(*tree, f.key, f.value ? f.value->clone() : nullptr, f.where);
    std::vector<std::string> label;
    for (size_t a = 0; a < axes.size(); ++a) {
      for (size_t k = 0; k < axes[a].keys.size(); ++k) {
        const ConfigNodePtr& value = axes[a].choices[index[a]][k];
        config::apply_override(*tree, axes[a].keys[k], value->clone(), axes[a].key_where[k]);
        label.push_back(axes[a].keys[k].key + "=" + node_text(*value));
      }
    }
    config::RunSpec spec = config::read_run_spec(*tree);
    config::check_machine_limits(spec);
    // A sweep puts every run under its own directory; a run's output.dir would be ignored.
    if (const auto set = spec.where.find("output.dir"); set != spec.where.end()) {
      throw ConfigError(set->second,
                        "output.dir is not used in a sweep: its runs go to <dir>/runs/",
                        "choose the sweep's directory with --dir (or `dir:` in a sweep file), and "
                        "remove output.dir (~output.dir on the command line)");
    }
    spec.config_file = plan.base_config;
    if (tree->get("name") == nullptr) spec.name = plan.name;
    spec.overrides = label;
    SweepRun run;
    run.prepared = experiment::prepare_spec(std::move(spec));
    run.label = core::join(label, " ");
    run.planned.run_id = store::run_id(run.prepared.spec);
    run.planned.position = static_cast<int64_t>(n);
    run.planned.seed = run.prepared.spec.seed;
    run.planned.directory = "runs/" + run.planned.run_id;
    run.planned.config_json = config::to_json(run.prepared.spec).dump();
    for (const auto& key : plan.varied_keys)
      run.planned.params[key] = config::value_at(run.prepared.spec, key);
    auto [it, inserted] = seen_ids.emplace(run.planned.run_id, run.label);
    if (!inserted) {
      throw ConfigError(
          SourceLocation::in_file(file, 0, 0),
          fmt::format("runs '{}' and '{}' resolve to the same config", it->second, run.label),
          "remove the duplicate value from the grid");
    }
    plan.runs.push_back(std::move(run));
    for (size_t a = axes.size(); a-- > 0;) {
      if (++index[a] < axes[a].choices.size()) break;
      index[a] = 0;
    }
  }
  if (plan.directory.empty()) plan.directory = std::filesystem::path("results") / plan.name;
  return plan;
}

std::string describe_plan(const SweepPlan& plan, bool every_run) {
  std::string out = fmt::format("sweep {}: {} runs from {} into {}\n", plan.name, plan.runs.size(),
                                plan.base_config, plan.directory.string());
  out += fmt::format("  varied: {}\n",
                     plan.varied_keys.empty() ? "(nothing)" : core::join(plan.varied_keys));
  const size_t n = plan.runs.size();
  const bool elide = !every_run && n > kPlanLinesShown;
  const size_t head = elide ? kPlanLinesShown - 4 : n;
  for (size_t i = 0; i < n; ++i) {
    if (elide && i == head)
      out += fmt::format("  ... {} more runs (--dry-run lists every run; configs in {})\n",
                         n - head - 4, (plan.directory / "configs").string());
    if (elide && i >= head && i < n - 4) continue;
    const auto& run = plan.runs[i];
    out += fmt::format("  {:>4} {}  {}\n", run.planned.position, run.planned.run_id,
                       run.label.empty() ? "(base config)" : core::readable_value(run.label));
  }
  return out;
}

}  // namespace actbench::sweep
