// The config schema: one `describe` per struct lists its keys with help text and valid values, and
// three visitors walk it — a strict reader from the located tree, a writer to JSON, and a
// documenter for the README and `actbench validate --schema`.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <thread>

#include "config/loader.hpp"
#include "config/overrides.hpp"
#include "core/strings.hpp"

namespace actbench::config {

using nlohmann::ordered_json;

ComponentSpec component(std::string name) {
  ComponentSpec spec;
  spec.name = std::move(name);
  spec.where = SourceLocation::defaulted();
  return spec;
}

SourceLocation RunSpec::location_of(const std::string& path) const {
  std::string key = path;
  while (!key.empty()) {
    auto it = where.find(key);
    if (it != where.end()) return it->second;
    const auto dot = key.rfind('.');
    if (dot == std::string::npos) break;
    key = key.substr(0, dot);
  }
  if (!config_file.empty()) return SourceLocation::in_file(config_file, 0, 0);
  return SourceLocation::defaulted();
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
const std::vector<std::string> kNoChoices;

// ---- The schema --------------------------------------------------------------------------------

template <class V>
void describe(V& v, ConvBlockSpec& s) {
  v.field("out_channels", s.out_channels, "output channels of the convolution", 1, 65536);
  v.field("kernel_size", s.kernel_size, "square kernel size", 1, 64);
  v.field("stride", s.stride, "convolution stride", 1, 64);
  v.field("padding", s.padding, "zero padding on each side", 0, 64);
  v.field("pool", s.pool, "max-pool window (and stride) after the activation; 0: no pooling", 0,
          64);
  v.field("activation", s.activation, "activation of this block; default model.activation");
}

template <class V>
void describe(V& v, FunctionDataSpec& s) {
  v.field("target", s.target,
          "the function fitted: abs (|x|, dims 1), xsin5x (x sin 5x, dims 1), step_sine "
          "(1{x > 0} + 0.2 sin 5x, dims 1), sum_abs (sum of |x_i|, dims >= 2), or an expression "
          "of x in the activation language, {expr: \"x * sin(5 * x)\"} (dims 1)");
  v.field("dims", s.dims, "input dimension d; inputs uniform in [-sqrt 3, sqrt 3]^d", 1, 4096);
  v.field("n_train", s.n_train, "training points", 1, 1e8);
  v.field("n_test", s.n_test, "test points", 1, 1e8);
  v.field("seed", s.seed,
          "seed of the points (not the run's seed: every seed fits the same points)", 0, 9.2e18);
}

template <class V>
void describe(V& v, ImageDataSpec& s) {
  v.field("file", s.file,
          "a greyscale PGM (P2/P5, 8 or 16 bits) or PNG file (colour converted to grey, no "
          "alpha), or builtin (a generated test image); fitted as intensity in [-1, 1] from pixel "
          "coordinates in [-1, 1]^2");
  v.field("size", s.size, "side of the built-in image in pixels; 0: 64 (a file keeps its size)", 0,
          4096);
}

template <class V>
void describe(V& v, DataSpec& s) {
  v.field("dataset", s.dataset,
          "dataset: mnist, fashion_mnist, cifar10, synthetic, function or image (`actbench data "
          "list`)");
  v.field("root", s.root,
          "directory holding one folder per dataset (`actbench data fetch`); `data` follows "
          "$ACTBENCH_DATA when that is set");
  v.field("batch_size", s.batch_size, "training mini-batch size; 0: the whole training set", 0,
          1 << 20);
  v.field("eval_batch_size", s.eval_batch_size, "batch size for evaluation and probes", 1, 1 << 20);
  v.field("train_subset", s.train_subset, "use only the first N training samples; 0: all", 0, 1e9);
  v.field("test_subset", s.test_subset, "use only the first N test samples; 0: all", 0, 1e9);
  v.field("normalize", s.normalize, "subtract the per-channel mean and divide by the std");
  v.field("input_scale", s.input_scale,
          "multiply every input by this after normalisation (sqrt(q*) puts a normalised input's "
          "second moment at an edge-of-chaos fixed point q*)",
          1e-6, 1e6);
  v.field("shuffle", s.shuffle, "reshuffle the training set every epoch (seeded)");
  v.section("function", s.function);
  v.section("image", s.image);
}

template <class V>
void describe(V& v, ModelSpec& s) {
  v.field("type", s.type, "mlp or cnn", std::vector<std::string>{"mlp", "cnn"});
  v.field("hidden", s.hidden, "widths of the hidden fully connected layers", 1, 1 << 20);
  v.field("conv", s.conv,
          "cnn: conv blocks, each {out_channels, kernel_size, stride, padding, "
          "pool, activation}, before the hidden layers");
  v.field("activation", s.activation,
          "activation of every hidden layer: a name, {name: ..., params} (`actbench "
          "activations`) or {expr: \"x * sigmoid(beta * x)\", beta: 1, learnable: [beta]}");
  v.field("layer_activations", s.layer_activations,
          "per-layer activation overrides: {layer index: activation}, layers counted from 0 over "
          "conv blocks then hidden layers");
  v.field("init", s.init,
          "weight initialiser: a name or {name: ..., params} (xavier_uniform, kaiming_normal, "
          "siren, ...)");
  v.field("bias_init", s.bias_init, "bias initialiser: zeros, constant, normal, uniform");
  v.field("dropout", s.dropout, "dropout probability after each hidden activation", 0.0, 0.999);
  v.field("norm", s.norm, "normalisation before each hidden activation: none or batch",
          std::vector<std::string>{"none", "batch"});
}

template <class V>
void describe(V& v, ScheduleSpec& s) {
  v.field("name", s.name,
          "learning-rate schedule: constant, step (x gamma every step_size epochs), cosine (to "
          "min_lr), linear (to min_lr)",
          std::vector<std::string>{"constant", "step", "cosine", "linear"});
  v.field("warmup_steps", s.warmup_steps, "linear warm-up from 0 over this many steps", 0, 1e9);
  v.field("step_size", s.step_size, "step: epochs between decays", 1, 1e6);
  v.field("gamma", s.gamma, "step: decay factor", 0.0, 1.0);
  v.field("min_lr", s.min_lr, "cosine, linear: final learning rate", 0.0, kInf);
}

template <class V>
void describe(V& v, OptimSpec& s) {
  v.field("name", s.name, "optimiser: sgd, adam, adamw or rmsprop",
          std::vector<std::string>{"sgd", "adam", "adamw", "rmsprop"});
  v.field("lr", s.lr, "learning rate", 0.0, 1e6);
  v.field("momentum", s.momentum, "sgd, rmsprop: momentum", 0.0, 0.9999);
  v.field("nesterov", s.nesterov, "sgd: Nesterov momentum (needs momentum > 0)");
  v.field("weight_decay", s.weight_decay, "L2 penalty (decoupled for adamw)", 0.0, 10.0);
  v.field("beta1", s.beta1, "adam, adamw: first-moment decay", 0.0, 0.9999);
  v.field("beta2", s.beta2, "adam, adamw: second-moment decay", 0.0, 0.99999999);
  v.field("eps", s.eps, "adam, adamw, rmsprop: denominator epsilon", 0.0, 1.0);
  v.field("alpha", s.alpha, "rmsprop: smoothing constant", 0.0, 0.99999999);
  v.field("clip_grad_norm", s.clip_grad_norm, "clip the global gradient norm to this; 0: off", 0.0,
          kInf);
  v.section("schedule", s.schedule);
}

template <class V>
void describe(V& v, TrainSpec& s) {
  v.field("epochs", s.epochs, "training epochs", 0, 100000);
  v.field("threads", s.threads, "intra-op threads (LibTorch and OpenBLAS)", 1, 1024);
  v.field("device", s.device, "cpu, cuda or cuda:N");
  v.field("progress", s.progress,
          "progress bar: auto (when the terminal is interactive), always, never",
          std::vector<std::string>{"auto", "always", "never"});
  v.field("divergence_threshold", s.divergence_threshold,
          "a training loss above this ends the run as diverged, like a NaN (chance-level "
          "cross-entropy for 10 classes is ln 10 = 2.3); 0: only NaN and infinity",
          0.0, kInf);
  v.field("eval_every", s.eval_every,
          "epochs between epoch records (test evaluation, probes, a metrics row); the last epoch "
          "always has one",
          1, 1e9);
}

template <class V>
void describe(V& v, ProbeSpec& s) {
  v.field("enabled", s.enabled, "record per-layer probes");
  v.field("every_steps", s.every_steps, "also probe every N training steps; 0: per epoch only", 0,
          1e9);
  v.field(
      "step_source", s.step_source,
      "what the every_steps records measure: probe_set (the fixed probe set in eval mode, as "
      "the epoch records: one more forward and backward per record) or train_batch (the "
      "training batches since the previous record, taken from the steps' own forward and backward: "
      "no extra pass)",
      std::vector<std::string>{"probe_set", "train_batch"});
  v.field("probe_samples", s.probe_samples,
          "the probe set: this many samples from the start of the training split", 1, 1e6);
  v.field("saturation_threshold", s.saturation_threshold,
          "saturated: |f'(z)| below this share of the activation's largest |f'|", 0.0, 1.0);
}

template <class V>
void describe(V& v, OutputSpec& s) {
  v.field("dir", s.dir, "where run directories are created");
  v.field("save_weights", s.save_weights, "write the final weights (weights.pt)");
}

template <class V>
void describe(V& v, RunSpec& s) {
  v.field("name", s.name,
          "run name, the prefix of the run directory; default: the config's file name");
  v.field("seed", s.seed, "seed for initialisation, shuffling and dropout", 0, 9.2e18);
  v.field("task", s.task,
          "classification (cross-entropy, accuracy) or regression (MSE); the dataset must be of "
          "this kind",
          std::vector<std::string>{"classification", "regression"});
  v.section("data", s.data);
  v.section("model", s.model);
  v.section("optim", s.optim);
  v.section("train", s.train);
  v.section("probes", s.probes);
  v.section("output", s.output);
}

// ---- Reader: located tree -> structs
// -------------------------------------------------------------

std::string join_path(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

std::string shown(const ConfigNode& node) {
  if (node.kind == ConfigNode::Kind::Scalar) return "'" + node.scalar + "'";
  return node.kind_name();
}

class Reader {
 public:
  Reader(const ConfigNode& map, std::string prefix, RunSpec& spec)
      : map_(map), prefix_(std::move(prefix)), spec_(spec) {}

  template <class T>
  void field(const char* key, T& value, const char* /*help*/) {
    if (const ConfigNode* node = take(key)) read(*node, join_path(prefix_, key), value);
  }
  void field(const char* key, std::string& value, const char* /*help*/,
             const std::vector<std::string>& choices) {
    if (const ConfigNode* node = take(key)) {
      const std::string path = join_path(prefix_, key);
      read(*node, path, value);
      if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
        throw ConfigError(
            node->where,
            fmt::format("{} is '{}'{}", path, value, core::did_you_mean(value, choices)),
            "choose one of: " + core::join(choices));
      }
    }
  }
  template <class T>
  void field(const char* key, T& value, const char* /*help*/, double min, double max) {
    if (const ConfigNode* node = take(key)) {
      const std::string path = join_path(prefix_, key);
      read(*node, path, value);
      check_range(*node, path, value, min, max);
    }
  }
  template <class T>
  void section(const char* key, T& value) {
    const ConfigNode* node = take(key);
    if (node == nullptr) return;
    const std::string path = join_path(prefix_, key);
    if (node->kind == ConfigNode::Kind::Null) return;  // `optim:` with nothing under it
    expect_map(*node, path);
    Reader nested(*node, path, spec_);
    describe(nested, value);
    nested.finish();
  }

  // Every key of the map must have been read.
  void finish() const {
    for (const auto& e : map_.entries) {
      if (std::find(taken_.begin(), taken_.end(), e.key) != taken_.end()) continue;
      const std::string where_text = prefix_.empty() ? "at the top level" : "in " + prefix_;
      const std::string full = join_path(prefix_, e.key);
      throw ConfigError(e.key_where,
                        fmt::format("unknown key '{}' {}{}", e.key, where_text,
                                    core::did_you_mean(e.key, known_)),
                        fmt::format("{} takes: {}. To add a key not in the schema is not "
                                    "possible; check the spelling (`actbench validate --schema`)",
                                    prefix_.empty() ? "a config" : prefix_, core::join(known_)));
    }
  }

 private:
  const ConfigNode* take(const char* key) {
    known_.push_back(key);
    const ConfigEntry* e = map_.entry(key);
    if (e == nullptr) return nullptr;
    taken_.push_back(key);
    spec_.where[join_path(prefix_, key)] = e->value->where;
    return e->value.get();
  }

  static void expect_map(const ConfigNode& node, const std::string& path) {
    if (node.kind != ConfigNode::Kind::Map) {
      throw ConfigError(node.where,
                        fmt::format("{} must be a map of keys, got {}", path, shown(node)));
    }
  }

  static const std::string& scalar(const ConfigNode& node, const std::string& path,
                                   const char* what) {
    if (node.kind != ConfigNode::Kind::Scalar) {
      throw ConfigError(node.where, fmt::format("{} must be {}, got {}", path, what, shown(node)));
    }
    return node.scalar;
  }

  static void read(const ConfigNode& node, const std::string& path, std::string& value) {
    value = scalar(node, path, "a string");
    if (value.empty()) throw ConfigError(node.where, path + " must not be empty");
  }

  static void read(const ConfigNode& node, const std::string& path, bool& value) {
    const std::string& text = scalar(node, path, "true or false");
    if (!node.quoted && (text == "true" || text == "True" || text == "TRUE")) {
      value = true;
    } else if (!node.quoted && (text == "false" || text == "False" || text == "FALSE")) {
      value = false;
    } else {
      throw ConfigError(node.where, fmt::format("{} must be true or false, got '{}'", path, text));
    }
  }

  static void read(const ConfigNode& node, const std::string& path, int64_t& value) {
    const std::string& text = scalar(node, path, "an integer");
    errno = 0;
    char* end = nullptr;
    const long long parsed = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0') {
      throw ConfigError(node.where, fmt::format("{} must be an integer, got '{}'", path, text));
    }
    if (errno == ERANGE) {
      throw ConfigError(node.where, fmt::format("{} = {} is too large", path, text));
    }
    value = parsed;
  }

  static void read(const ConfigNode& node, const std::string& path, double& value) {
    const std::string& text = scalar(node, path, "a number");
    errno = 0;
    char* end = nullptr;
    const double parsed = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !std::isfinite(parsed) || errno == ERANGE) {
      throw ConfigError(node.where,
                        fmt::format("{} must be a finite number, got '{}'", path, text));
    }
    value = parsed;
  }

  static void read(const ConfigNode& node, const std::string& path, std::vector<int64_t>& value) {
    if (node.kind != ConfigNode::Kind::Sequence) {
      throw ConfigError(
          node.where,
          fmt::format("{} must be a list of integers like [256, 256], got {}", path, shown(node)));
    }
    value.clear();
    for (size_t i = 0; i < node.items.size(); ++i) {
      int64_t item = 0;
      read(*node.items[i], fmt::format("{}[{}]", path, i), item);
      value.push_back(item);
    }
  }

  static core::ParamValue read_param(const ConfigNode& node, const std::string& path) {
    core::ParamValue value;
    value.where = node.where;
    if (node.kind == ConfigNode::Kind::Sequence) {
      // `learnable: [beta]`; each item keeps its own location for errors about it.
      value.kind = core::ParamKind::List;
      for (size_t i = 0; i < node.items.size(); ++i)
        value.items.push_back(read_param(*node.items[i], fmt::format("{}[{}]", path, i)));
      return value;
    }
    const std::string& text = scalar(node, path, "a single value or a list");
    char* end = nullptr;
    const double number = std::strtod(text.c_str(), &end);
    if (!node.quoted && (text == "true" || text == "false")) {
      value.kind = core::ParamKind::Flag;
      value.flag = text == "true";
    } else if (!node.quoted && !text.empty() && *end == '\0') {
      // Parameters end up in float32 tensors (weights, biases, activation parameters): a value
      // float32 cannot hold failed deep in LibTorch ("cannot be converted to type float without
      // overflow"), with no location.
      if (!std::isfinite(number) || std::abs(number) > std::numeric_limits<float>::max()) {
        throw ConfigError(node.where,
                          fmt::format("{} = {} is beyond the range of a float32 (+-{:.4g})", path,
                                      text, std::numeric_limits<float>::max()),
                          "parameters are used in float32 tensors");
      }
      value.kind = core::ParamKind::Number;
      value.number = number;
    } else {
      value.kind = core::ParamKind::Choice;
      value.text = text;
    }
    return value;
  }

  // An activation's `expr:` text, taken as written even where it looks like a number, and located
  // at its first character (past the opening quote), so that the activation can point at the
  // column inside it that is wrong.
  static core::ParamValue read_expression(const ConfigNode& node, const std::string& path) {
    core::ParamValue value;
    value.kind = core::ParamKind::Text;
    value.text = scalar(node, path, "an expression such as \"x * sigmoid(beta * x)\"");
    if (value.text.empty()) throw ConfigError(node.where, path + " must not be empty");
    value.where = node.where;
    if (node.quoted && value.where.column > 0) ++value.where.column;
    return value;
  }

  static void read(const ConfigNode& node, const std::string& path, ComponentSpec& value) {
    value = ComponentSpec{};
    if (node.kind == ConfigNode::Kind::Scalar) {
      value.name = node.scalar;
      value.where = node.where;
    } else if (node.kind == ConfigNode::Kind::Map) {
      // `{expr: "...", params}` is short for `{name: expr, expr: "...", params}`.
      const ConfigEntry* name = node.entry("name");
      const ConfigEntry* expr = node.entry("expr");
      if (name == nullptr && expr == nullptr) {
        throw ConfigError(node.where, path + " needs a 'name' key",
                          "write e.g. {name: leaky_relu, negative_slope: 0.1}, or an expression "
                          "as {expr: \"x * sigmoid(beta * x)\", beta: 1.0}");
      }
      if (name != nullptr) {
        value.name = scalar(*name->value, path + ".name", "a name");
        value.where = name->value->where;
      } else {
        value.name = "expr";
        value.where = expr->key_where;
      }
      for (const auto& e : node.entries) {
        if (e.key == "name") continue;
        if (e.key == "expr") {
          value.params[e.key] = read_expression(*e.value, path + ".expr");
          continue;
        }
        core::ParamValue param = read_param(*e.value, path + "." + e.key);
        param.where = e.key_where;
        value.params[e.key] = param;
      }
    } else {
      throw ConfigError(
          node.where,
          fmt::format("{} must be a name or {{name: ..., parameters}}, got {}", path, shown(node)));
    }
    if (value.name.empty()) throw ConfigError(node.where, path + " has an empty name");
  }

  static void read(const ConfigNode& node, const std::string& path,
                   std::optional<ComponentSpec>& value) {
    ComponentSpec spec;
    read(node, path, spec);
    value = spec;
  }

  void read(const ConfigNode& node, const std::string& path,
            std::map<int64_t, ComponentSpec>& value) {
    if (node.kind != ConfigNode::Kind::Map) {
      throw ConfigError(
          node.where,
          fmt::format("{} must be a map {{layer index: activation}}, got {}", path, shown(node)));
    }
    value.clear();
    for (const auto& e : node.entries) {
      ConfigNode key_node;
      key_node.kind = ConfigNode::Kind::Scalar;
      key_node.scalar = e.key;
      key_node.where = e.key_where;
      int64_t index = 0;
      read(key_node, path + " key", index);
      if (index < 0) throw ConfigError(e.key_where, path + ": layer indices start at 0");
      spec_.where[fmt::format("{}.{}", path, index)] = e.key_where;
      read(*e.value, fmt::format("{}.{}", path, index), value[index]);
    }
  }

  void read(const ConfigNode& node, const std::string& path, std::vector<ConvBlockSpec>& value) {
    if (node.kind != ConfigNode::Kind::Sequence) {
      throw ConfigError(node.where,
                        fmt::format("{} must be a list of conv blocks, got {}", path, shown(node)));
    }
    value.clear();
    for (size_t i = 0; i < node.items.size(); ++i) {
      const std::string item_path = fmt::format("{}.{}", path, i);
      expect_map(*node.items[i], item_path);
      spec_.where[item_path] = node.items[i]->where;
      ConvBlockSpec block;
      Reader nested(*node.items[i], item_path, spec_);
      describe(nested, block);
      nested.finish();
      value.push_back(block);
    }
  }

  static void check_range(const ConfigNode& node, const std::string& path, double value, double min,
                          double max) {
    if (value < min || value > max) {
      throw ConfigError(node.where, fmt::format("{} = {} is out of range", path, value),
                        std::isinf(max) ? fmt::format("it must be >= {}", min)
                                        : fmt::format("it must be between {} and {}", min, max));
    }
  }
  static void check_range(const ConfigNode& node, const std::string& path, int64_t value,
                          double min, double max) {
    check_range(node, path, static_cast<double>(value), min, max);
  }
  static void check_range(const ConfigNode& node, const std::string& path,
                          const std::vector<int64_t>& value, double min, double max) {
    for (size_t i = 0; i < value.size(); ++i)
      check_range(*node.items[i], fmt::format("{}[{}]", path, i), value[i], min, max);
  }

  const ConfigNode& map_;
  std::string prefix_;
  RunSpec& spec_;
  std::vector<std::string> known_;
  std::vector<std::string> taken_;
};

// ---- Writer: structs -> JSON
// ---------------------------------------------------------------------

ordered_json param_json(const core::ParamValue& value) {
  switch (value.kind) {
    case core::ParamKind::Flag:
      return value.flag;
    case core::ParamKind::Choice:
    case core::ParamKind::Text:
      return value.text;
    case core::ParamKind::List: {
      ordered_json items = ordered_json::array();
      for (const auto& item : value.items) items.push_back(param_json(item));
      return items;
    }
    case core::ParamKind::Integer:
      return static_cast<int64_t>(value.number);
    case core::ParamKind::Number:
      break;
  }
  return value.number;
}

ordered_json component_json(const ComponentSpec& spec) {
  if (spec.params.empty()) return spec.name;
  ordered_json out;
  out["name"] = spec.name;
  // An expression reads best before the values of its parameters.
  auto expr = spec.params.find("expr");
  if (expr != spec.params.end()) out["expr"] = param_json(expr->second);
  for (const auto& [key, value] : spec.params)
    if (key != "expr") out[key] = param_json(value);
  return out;
}

class Writer {
 public:
  explicit Writer(ordered_json& out) : out_(out) {}
  template <class T, class... Rest>
  void field(const char* key, const T& value, const char*, Rest&&...) {
    out_[key] = to(value);
  }
  template <class T>
  void section(const char* key, T& value) {
    ordered_json nested = ordered_json::object();
    Writer writer(nested);
    describe(writer, value);
    out_[key] = nested;
  }

 private:
  template <class T>
  static ordered_json to(const T& value) {
    return value;
  }
  static ordered_json to(const ComponentSpec& value) { return component_json(value); }
  static ordered_json to(const std::optional<ComponentSpec>& value) {
    return value ? component_json(*value) : ordered_json(nullptr);
  }
  static ordered_json to(const std::map<int64_t, ComponentSpec>& value) {
    ordered_json out = ordered_json::object();
    for (const auto& [index, spec] : value) out[std::to_string(index)] = component_json(spec);
    return out;
  }
  static ordered_json to(const std::vector<ConvBlockSpec>& value) {
    ordered_json out = ordered_json::array();
    for (ConvBlockSpec block : value) {
      ordered_json item = ordered_json::object();
      Writer writer(item);
      describe(writer, block);
      if (item["activation"].is_null()) item.erase("activation");
      out.push_back(item);
    }
    return out;
  }
  ordered_json& out_;
};

// ---- Documenter
// ----------------------------------------------------------------------------------

class Documenter {
 public:
  Documenter(std::vector<SchemaRow>& rows, std::string prefix)
      : rows_(rows), prefix_(std::move(prefix)) {}
  template <class T, class... Rest>
  void field(const char* key, const T& value, const char* help, Rest&&... rest) {
    SchemaRow row;
    row.key = join_path(prefix_, key);
    row.type = type_name(value);
    row.default_value = default_text(value);
    row.help = help + constraint(rest...);
    rows_.push_back(row);
  }
  template <class T>
  void section(const char* key, T& value) {
    Documenter nested(rows_, join_path(prefix_, key));
    describe(nested, value);
  }

 private:
  static std::string type_name(const std::string&) { return "string"; }
  static std::string type_name(int64_t) { return "int"; }
  static std::string type_name(double) { return "float"; }
  static std::string type_name(bool) { return "bool"; }
  static std::string type_name(const std::vector<int64_t>&) { return "int list"; }
  static std::string type_name(const ComponentSpec&) { return "component"; }
  static std::string type_name(const std::optional<ComponentSpec>&) { return "component"; }
  static std::string type_name(const std::map<int64_t, ComponentSpec>&) { return "map"; }
  static std::string type_name(const std::vector<ConvBlockSpec>&) { return "block list"; }

  template <class T>
  static std::string default_text(const T& value) {
    ordered_json out;
    Writer writer(out);
    writer.field("v", value, "");
    const ordered_json& v = out["v"];
    if (v.is_null()) return "-";
    return v.is_string() ? v.get<std::string>() : v.dump();
  }

  static std::string constraint() { return ""; }
  static std::string constraint(const std::vector<std::string>& choices) {
    return " (" + core::join(choices, " | ") + ")";
  }
  static std::string constraint(double min, double max) {
    if (std::isinf(max)) return fmt::format(" (>= {})", min);
    return fmt::format(" ({} to {})", min, max);
  }
  template <class A, class B>
  static std::string constraint(A min, B max) {
    return constraint(static_cast<double>(min), static_cast<double>(max));
  }

  std::vector<SchemaRow>& rows_;
  std::string prefix_;
};

void emit_yaml(YAML::Emitter& out, const ordered_json& value) {
  if (value.is_object()) {
    out << YAML::BeginMap;
    for (const auto& [key, item] : value.items()) {
      out << YAML::Key << key << YAML::Value;
      emit_yaml(out, item);
    }
    out << YAML::EndMap;
  } else if (value.is_array()) {
    const bool flat = std::all_of(value.begin(), value.end(),
                                  [](const ordered_json& v) { return v.is_primitive(); });
    out << (flat ? YAML::Flow : YAML::Block) << YAML::BeginSeq;
    for (const auto& item : value) emit_yaml(out, item);
    out << YAML::EndSeq;
  } else if (value.is_string()) {
    out << value.get<std::string>();
  } else if (value.is_boolean()) {
    out << value.get<bool>();
  } else if (value.is_number_integer()) {
    out << value.get<int64_t>();
  } else if (value.is_number()) {
    // Shortest text that reads back as the same double.
    out << fmt::format("{}", value.get<double>());
  } else {
    out << YAML::Null;
  }
}

// A device index LibTorch cannot hold (its DeviceIndex is 8 bits) made torch::Device throw with a
// backtrace, before the check for the devices the machine has.
void check_device(const RunSpec& spec) {
  const std::string& device = spec.train.device;
  const std::string prefix = "cuda:";
  if (device.rfind(prefix, 0) != 0) return;
  const std::string index = device.substr(prefix.size());
  if (index.empty() || index.size() > 3 ||
      index.find_first_not_of("0123456789") != std::string::npos || std::stoi(index) > 127) {
    throw ConfigError(spec.location_of("train.device"),
                      fmt::format("train.device '{}' has no valid device index", device),
                      "use cpu, cuda or cuda:N with N from 0 to 127 (cuda:0 is the first GPU)");
  }
}

// The weights between consecutive hidden layers (and conv blocks), a lower bound on the model's
// size that needs no dataset: widths of a million each asked LibTorch for terabytes, which it
// refused with a backtrace.
void check_parameter_count(const RunSpec& spec) {
  const auto& m = spec.model;
  long double parameters = 0;
  for (size_t i = 0; i + 1 < m.hidden.size(); ++i)
    parameters += static_cast<long double>(m.hidden[i]) * static_cast<long double>(m.hidden[i + 1]);
  for (size_t i = 0; i + 1 < m.conv.size(); ++i) {
    parameters += static_cast<long double>(m.conv[i].out_channels) *
                  static_cast<long double>(m.conv[i + 1].out_channels) *
                  static_cast<long double>(m.conv[i + 1].kernel_size * m.conv[i + 1].kernel_size);
  }
  if (parameters > static_cast<long double>(kMaxParameters)) {
    throw ConfigError(
        spec.location_of(m.conv.size() > 1 && m.hidden.size() < 2 ? "model.conv" : "model.hidden"),
        fmt::format("the model has at least {:.3g} parameters ({:.3g} GB of float32 weights), more "
                    "than the {:.0e} allowed",
                    static_cast<double>(parameters), static_cast<double>(parameters) * 4e-9,
                    static_cast<double>(kMaxParameters)),
        "training needs about 4 times that memory (weights, gradients, optimiser state); use "
        "narrower layers");
  }
}

}  // namespace

RunSpec read_run_spec(const ConfigNode& root) {
  RunSpec spec;
  if (root.kind == ConfigNode::Kind::Null) return spec;  // no keys: every default
  if (root.kind != ConfigNode::Kind::Map) {
    throw ConfigError(
        root.where,
        "a config must be a map of keys (name, seed, data, model, ...), got " + root.kind_name());
  }
  Reader reader(root, "", spec);
  describe(reader, spec);
  reader.finish();
  // The name is the prefix of the run directory: a slash or ".." would put the run outside
  // output.dir, a line break would end the lines of logs and scripts it is written into.
  if (const ConfigNodePtr name = root.get("name")) {
    const std::string& n = spec.name;
    if (n.empty() || n == "." || n == ".." || n.find_first_of("/\\") != std::string::npos ||
        core::has_control_character(n)) {
      throw ConfigError(
          name->where, fmt::format("name {} is not a plain name", nlohmann::json(n).dump()),
          "a run name is one directory name: no slashes, no control characters, not . "
          "or ..; choose where runs go with output.dir");
    }
  }
  check_device(spec);
  check_parameter_count(spec);
  return spec;
}

// ---- Limits of the machine and of memory -----------------------------------------------------

int64_t max_threads() {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? kMaxThreadsUnknownCores : int64_t{kThreadsPerCore} * cores;
}

std::string too_many_threads_message(const std::string& key, int64_t threads) {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? fmt::format("{} = {} is more than {}", key, threads, max_threads())
                    : fmt::format("{} = {} is more than {} x this machine's {} cores ({})", key,
                                  threads, kThreadsPerCore, cores, max_threads());
}

std::string too_many_threads_hint() {
  return "intra-op threads beyond the cores only wait for each other, and each reserves its own "
         "stack and allocator arena; use at most the number of cores";
}

void check_machine_limits(const RunSpec& spec) {
  if (spec.train.threads > max_threads()) {
    throw ConfigError(spec.location_of("train.threads"),
                      too_many_threads_message("train.threads", spec.train.threads),
                      too_many_threads_hint());
  }
}

RunSpec load_run_spec(const std::string& file, const std::vector<CliOverride>& overrides) {
  ConfigNodePtr root =
      file.empty() ? ConfigNode::make_map(SourceLocation::defaulted()) : load_yaml_file(file);
  if (!file.empty()) require_config_content(*root, file);
  if (root->kind != ConfigNode::Kind::Map) {
    throw ConfigError(
        root->where,
        "a config must be a map of keys (name, seed, data, model, ...), got " + root->kind_name());
  }
  std::vector<std::string> texts;
  for (const auto& o : overrides) {
    apply_override(*root, parse_override(o.text, o.arg));
    texts.push_back(o.text);
  }
  RunSpec spec = read_run_spec(*root);
  spec.config_file = file;
  check_machine_limits(spec);
  spec.overrides = texts;
  if (root->get("name") == nullptr && !file.empty()) {
    const auto slash = file.find_last_of('/');
    std::string stem = slash == std::string::npos ? file : file.substr(slash + 1);
    const auto dot = stem.rfind('.');
    if (dot != std::string::npos && dot > 0) stem = stem.substr(0, dot);
    spec.name = stem;
  }
  return spec;
}

ordered_json to_json(const RunSpec& spec) {
  ordered_json out = ordered_json::object();
  Writer writer(out);
  describe(writer, const_cast<RunSpec&>(spec));
  // The keys of the regression tasks are written only where they matter: a classification
  // config keeps the resolved form, and so the run id, it had before they existed (a sweep started
  // earlier still resumes), and a resolved config never holds a section its dataset refuses.
  if (spec.task == "classification") out.erase("task");
  if (spec.data.dataset != "function") out["data"].erase("function");
  if (spec.data.dataset != "image") out["data"].erase("image");
  if (spec.train.eval_every == 1) out["train"].erase("eval_every");
  // Likewise probes.step_source, added after the committed studies' sweeps were planned.
  if (spec.probes.step_source == "probe_set") out["probes"].erase("step_source");
  // And data.input_scale, added after them too.
  if (spec.data.input_scale == 1.0) out["data"].erase("input_scale");
  return out;
}

std::string json_to_yaml(const ordered_json& value) {
  YAML::Emitter out;
  emit_yaml(out, value);
  return std::string(out.c_str()) + "\n";
}

std::string to_yaml(const RunSpec& spec) {
  ordered_json resolved = to_json(spec);
  // A defaulted bias_init is left out of the file: read back, it is the same default (so the same
  // spec and run id), and an init that draws the biases itself (rai) refuses a bias_init that a
  // file sets, which would make every resolved RAI config (sweep workers, run directories)
  // unreadable.
  if (spec.where.count("model.bias_init") == 0 && spec.model.bias_init.name == "zeros")
    resolved["model"].erase("bias_init");
  return json_to_yaml(resolved);
}

std::string value_at(const RunSpec& spec, const std::string& dotted_key) {
  const ordered_json all = to_json(spec);
  const ordered_json* node = &all;
  std::string segment;
  for (char c : dotted_key + ".") {
    if (c != '.') {
      segment += c;
      continue;
    }
    if (node->is_object() && node->contains(segment)) {
      node = &(*node)[segment];
    } else if (node->is_array() && !segment.empty() &&
               std::all_of(segment.begin(), segment.end(), ::isdigit) &&
               std::stoul(segment) < node->size()) {
      node = &(*node)[std::stoul(segment)];
    } else {
      return "";
    }
    segment.clear();
  }
  if (node->is_string()) return node->get<std::string>();
  if (node->is_object() && node->contains("name") && (*node)["name"].is_string()) {
    std::string text = (*node)["name"].get<std::string>();
    std::vector<std::string> params;
    for (const auto& [key, item] : node->items())
      if (key != "name")
        params.push_back(key + "=" + (item.is_string() ? item.get<std::string>() : item.dump()));
    return params.empty() ? text : text + "(" + core::join(params) + ")";
  }
  return node->dump();
}

std::vector<SchemaRow> schema_rows() {
  std::vector<SchemaRow> rows;
  RunSpec defaults;
  Documenter documenter(rows, "");
  describe(documenter, defaults);
  ConvBlockSpec block;
  Documenter block_documenter(rows, "model.conv[i]");
  describe(block_documenter, block);
  return rows;
}

std::string schema_markdown() {
  std::string out = "| key | type | default | meaning |\n|---|---|---|---|\n";
  for (const auto& row : schema_rows()) {
    std::string help = row.help;
    for (size_t pos = 0; (pos = help.find('|', pos)) != std::string::npos; pos += 2)
      help.replace(pos, 1, "\\|");
    out += fmt::format("| `{}` | {} | `{}` | {} |\n", row.key, row.type, row.default_value, help);
  }
  return out;
}

}  // namespace actbench::config
