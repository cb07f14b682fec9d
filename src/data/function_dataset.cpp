// The `function` dataset entry (task: regression): points x uniform in [-sqrt 3, sqrt 3]^d, so each
// input has mean 0 and std 1 as normalised data would, and targets y = f(x) from a named function
// or an expression in the activation language (src/expression/). The points come from the
// dataset's own seed (data.function.seed), not the run's: every seed of a sweep, and every member
// of a pack, fits the same points. Lu et al. (2019, "Dying ReLU and Initialization") fit |x| this
// way to measure how often deep narrow ReLU networks collapse to a constant.
#include <fmt/format.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/strings.hpp"
#include "data/dataset.hpp"
#include "expression/expression.hpp"

namespace actbench::data {

namespace function_dataset_entry {

constexpr const char* kName = "function";
constexpr int64_t kMaxValues = 100'000'000;  // per split: 400 MB of float32 inputs

struct NamedTarget {
  std::string name;
  std::string description;
  int64_t min_dims = 1, max_dims = 1;
  std::function<at::Tensor(const at::Tensor&)> f;  // float64 [N, d] -> [N, 1]
};

const std::vector<NamedTarget>& named_targets() {
  static const std::vector<NamedTarget> targets{
      {"abs", "|x|", 1, 1, [](const at::Tensor& x) { return x.abs(); }},
      {"xsin5x", "x sin 5x", 1, 1, [](const at::Tensor& x) { return x * torch::sin(5.0 * x); }},
      {"step_sine", "1{x > 0} + 0.2 sin 5x", 1, 1,
       [](const at::Tensor& x) { return (x > 0).to(x.dtype()) + 0.2 * torch::sin(5.0 * x); }},
      {"sum_abs", "sum of |x_i|", 2, 1 << 20,
       [](const at::Tensor& x) { return x.abs().sum(1, /*keepdim=*/true); }},
  };
  return targets;
}

std::vector<std::string> target_names() {
  std::vector<std::string> names;
  for (const auto& t : named_targets()) names.push_back(t.name);
  names.push_back("{expr: ...}");
  return names;
}

// The target function the options name, checked against the input dimension; located errors.
std::function<at::Tensor(const at::Tensor&)> resolve_target(const LoadOptions& options) {
  const core::ComponentSpec& target = options.function_target;
  const SourceLocation where =
      target.where.known() ? target.where : options.location_of("data.function.target");
  const int64_t dims = options.function_dims;
  if (target.name == "expr") {
    const auto text = target.params.find("expr");
    if (text == target.params.end())
      throw ConfigError(where, "data.function.target {name: expr} needs its expr: text");
    if (dims != 1) {
      throw ConfigError(options.location_of("data.function.dims"),
                        fmt::format("data.function.dims is {}, but an expression target is a "
                                    "function of one input x",
                                    dims),
                        "use dims: 1, or sum_abs for a function of several inputs");
    }
    expression::Expression expression;
    try {
      expression = expression::Expression::parse(text->second.text);
    } catch (const expression::SyntaxError& e) {
      SourceLocation at = text->second.where;
      if (at.line > 0 && at.column > 0 && text->second.text.find('\n') == std::string::npos)
        at.column += static_cast<int>(e.offset());
      throw ConfigError(at, "data.function.target: " + e.message(), e.hint());
    }
    std::map<std::string, double> values;
    for (const auto& [key, value] : target.params) {
      if (key == "expr") continue;
      if (value.kind != core::ParamKind::Number)
        throw ConfigError(value.where,
                          fmt::format("data.function.target.{} must be a number", key));
      if (!expression.uses(key)) {
        throw ConfigError(value.where,
                          fmt::format("data.function.target.{}: the expression \"{}\" has no "
                                      "parameter '{}'",
                                      key, text->second.text, key));
      }
      values[key] = value.number;
    }
    expression = expression.bind(values);
    if (!expression.parameters().empty()) {
      const auto& missing = expression.parameters().front();
      throw ConfigError(
          where,
          fmt::format("data.function.target: the expression's parameter '{}' has "
                      "no value",
                      missing.name),
          fmt::format("give it one: {{expr: \"{}\", {}: 1.0}}", text->second.text, missing.name));
    }
    return [expression](const at::Tensor& x) { return expression(x); };
  }
  for (const auto& t : named_targets()) {
    if (t.name != target.name) continue;
    if (!target.params.empty()) {
      throw ConfigError(target.params.begin()->second.where,
                        fmt::format("data.function.target '{}' takes no parameters", t.name));
    }
    if (dims < t.min_dims || dims > t.max_dims) {
      throw ConfigError(
          options.location_of("data.function.dims"),
          fmt::format("data.function.dims is {}, but target '{}' ({}) needs {}", dims, t.name,
                      t.description,
                      t.min_dims == t.max_dims ? fmt::format("dims: {}", t.min_dims)
                                               : fmt::format("dims >= {}", t.min_dims)),
          "set data.function.dims, or choose another target");
    }
    return t.f;
  }
  std::vector<std::string> names;
  for (const auto& t : named_targets()) names.push_back(t.name);
  throw ConfigError(
      where,
      fmt::format("unknown function target '{}'{}", target.name,
                  core::did_you_mean(target.name, names)),
      "known targets: " + core::join(target_names()) + ", e.g. {expr: \"x * sin(5 * x)\"}");
}

DatasetShape shape_for(const LoadOptions& options) {
  resolve_target(options);
  for (const auto& [key, points] : {std::make_pair("n_train", options.function_train_points),
                                    std::make_pair("n_test", options.function_test_points)}) {
    if (points * options.function_dims > kMaxValues) {
      throw ConfigError(
          options.location_of(std::string("data.function.") + key),
          fmt::format("data.function.{} x dims = {} x {} input values, more than "
                      "the {:g} a split may hold",
                      key, points, options.function_dims, static_cast<double>(kMaxValues)),
          "use fewer points or fewer dims");
    }
  }
  return DatasetShape{1, 1, options.function_dims, 1};
}

// SplitMix64 (as the synthetic dataset): the same seed gives the same points with any standard
// library and any LibTorch version.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  double uniform() {  // [0, 1), 53 random bits
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return static_cast<double>((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
  }

 private:
  uint64_t state_;
};

Split make_split(SplitMix64& rng, int64_t points, int64_t dims,
                 const std::function<at::Tensor(const at::Tensor&)>& f, int64_t subset) {
  const double half_width = std::sqrt(3.0);
  at::Tensor x = torch::empty({points, dims}, torch::kFloat64);
  double* data = x.data_ptr<double>();
  for (int64_t i = 0; i < points * dims; ++i) data[i] = half_width * (2.0 * rng.uniform() - 1.0);
  if (subset > 0) x = x.slice(0, 0, subset);
  at::Tensor y;
  {
    torch::NoGradGuard no_grad;
    y = f(x).reshape({x.size(0), 1});
  }
  return Split{x.to(torch::kFloat32).reshape({x.size(0), 1, 1, dims}).contiguous(),
               y.to(torch::kFloat32).contiguous()};
}

Dataset load(const LoadOptions& options) {
  shape_for(options);
  const auto f = resolve_target(options);
  const int64_t dims = options.function_dims;
  for (const auto& [split, subset, points] :
       {std::make_tuple("train", options.train_subset, options.function_train_points),
        std::make_tuple("test", options.test_subset, options.function_test_points)}) {
    if (subset > points) {
      throw ConfigError(options.location_of(fmt::format("data.{}_subset", split)),
                        fmt::format("data.{}_subset is {}, but the function dataset has {} {} "
                                    "points",
                                    split, subset, points, split),
                        fmt::format("set data.function.n_{} instead", split));
    }
  }
  SplitMix64 rng(options.function_seed);
  Dataset dataset;
  dataset.name = kName;
  dataset.task = "regression";
  dataset.shape = DatasetShape{1, 1, dims, 1};
  // Both splits are drawn in full before either is cut, so a subset keeps the same points.
  dataset.train = make_split(rng, options.function_train_points, dims, f, options.train_subset);
  dataset.test = make_split(rng, options.function_test_points, dims, f, options.test_subset);
  return dataset;
}

ACTBENCH_REGISTER_DATASET(function) {
  DatasetEntry entry;
  entry.name = kName;
  entry.task = "regression";
  entry.description =
      "regression on generated points: x uniform in [-sqrt 3, sqrt 3]^d, y = abs, xsin5x, "
      "step_sine, sum_abs or an expression (data.function); no files";
  entry.shape = DatasetShape{1, 1, 1, 1};
  entry.shape_for = shape_for;
  entry.mean = {0.0};
  entry.std = {1.0};
  entry.normalization_source =
      "by construction: uniform on [-sqrt 3, sqrt 3] has mean 0 and std 1, so data.normalize "
      "changes nothing";
  entry.load = load;
  entry.fetch = [](const FetchOptions&) {
    return std::string("function: generated in memory from data.function; nothing to fetch");
  };
  entry.verify = [](const std::filesystem::path&) {
    return std::string("function: generated in memory from data.function; nothing to verify");
  };
  return entry;
}

}  // namespace function_dataset_entry
}  // namespace actbench::data
