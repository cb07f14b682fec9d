// Custom activations written in the config as expressions, no recompiling:
//   activation: {expr: "x * sigmoid(beta * x)", beta: 1.0, learnable: [beta]}
// The parameters are whatever names the expression uses, so this entry resolves its own
// parameters: every name needs a value, every value a use, and mistakes in the text are reported
// at their column inside it (expression/expression.hpp has the language).
#include <fmt/format.h>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <set>

#include "core/strings.hpp"
#include "expression/expression.hpp"
#include "model/activation.hpp"

namespace actbench::model {

namespace {

using expression::Expression;
using expression::SyntaxError;

constexpr const char* kSubject = "activation 'expr'";
constexpr const char* kText = "expr";
constexpr const char* kLearnable = "learnable";

// Where in the config the character at `offset` of the expression is. A file location points at
// the expression's first character (schema.cpp steps over an opening quote), so the column adds
// up; a command-line override, or text spread over lines, can only say the offset in words.
ConfigError located(const core::ParamValue& text, size_t offset, const std::string& message,
                    const std::string& hint) {
  SourceLocation where = text.where;
  const bool one_line = text.text.find('\n') == std::string::npos;
  if (where.line > 0 && where.column > 0 && one_line) {
    where.column += static_cast<int>(offset);
    return ConfigError(where, message, hint);
  }
  return ConfigError(
      where,
      fmt::format("at column {} of the expression \"{}\": {}", offset + 1, text.text, message),
      hint);
}

Expression parse(const core::ParamValue& text) {
  try {
    return Expression::parse(text.text);
  } catch (const SyntaxError& e) {
    throw located(text, e.offset(), e.message(), e.hint());
  }
}

std::map<std::string, double> values_of(const core::ParamValues& p) {
  std::map<std::string, double> values;
  for (const auto& [name, value] : p.all())
    if (value.kind == core::ParamKind::Number) values[name] = value.number;
  return values;
}

std::set<std::string> learnable_of(const core::ParamValues& p) {
  std::set<std::string> names;
  for (const auto& item : p.list(kLearnable)) names.insert(item.text);
  return names;
}

// The expression with every parameter at its configured value: what the gain and the checks see.
Expression fixed(const core::ParamValues& p) {
  return Expression::parse(p.text(kText)).bind(values_of(p));
}

// A NaN or infinity for some ordinary input would only show up as a diverged run; say so now,
// with the input it happens at.
void check_finite(const core::ParamValue& text, const Expression& f) {
  torch::NoGradGuard no_grad;
  const torch::Tensor grid = torch::linspace(-10.0, 10.0, 2001, torch::kFloat64);
  const torch::Tensor y = f(grid);
  const torch::Tensor bad = torch::logical_not(torch::isfinite(y));
  if (!bad.any().item<bool>()) return;
  const int64_t i = bad.nonzero()[0][0].item<int64_t>();
  const double value = y[i].item<double>();
  throw located(text, 0,
                fmt::format("the expression is {} at x = {} (with the parameters' initial values)",
                            std::isnan(value) ? "NaN" : "infinite", grid[i].item<double>()),
                "sqrt and fractional powers of negative numbers are NaN: write sqrt(|x|) or "
                "|x|^0.5; exp overflows for large arguments");
}

std::vector<core::ParamSpec> schema() {
  return {
      core::ParamSpec::text(kText, "x",
                            "the expression (README: custom activations); the default x is the "
                            "identity. Its other names are parameters, each given a number"),
      core::ParamSpec::list(kLearnable,
                            "parameters learnt per layer (one scalar each), e.g. [beta]"),
  };
}

double gain(const core::ParamValues& p) {
  const Expression f = fixed(p);
  return second_moment_gain([&f](const torch::Tensor& x) { return f(x); });
}

core::ParamValues resolve(const core::ComponentSpec& spec) {
  // The fixed parameters (the text and the learnable list) resolve as any schema does.
  core::ComponentSpec fixed_part = spec;
  std::map<std::string, core::ParamValue> named;
  fixed_part.params.clear();
  for (const auto& [name, value] : spec.params) {
    if (name == kText || name == kLearnable) {
      fixed_part.params[name] = value;
    } else {
      named[name] = value;
    }
  }
  core::ParamValues resolved = core::resolve_params(ActivationEntry::kKind, schema(), fixed_part);
  const core::ParamValue& text = resolved.all().at(kText);
  const Expression e = parse(text);

  std::vector<std::string> given;
  for (const auto& [name, value] : named) given.push_back(name);
  std::vector<std::string> used;
  for (const auto& p : e.parameters()) used.push_back(p.name);

  // Every name in the expression needs a value...
  for (const auto& p : e.parameters()) {
    if (p.name == kText || p.name == kLearnable || p.name == "name") {
      throw located(text, p.offset, fmt::format("'{}' cannot name a parameter", p.name),
                    "it is a key of the activation; rename the parameter");
    }
    if (named.count(p.name) > 0) continue;
    throw located(
        text, p.offset,
        fmt::format("parameter '{}' has no value{}", p.name, core::did_you_mean(p.name, given)),
        fmt::format("give it a value next to the expression: {{expr: ..., {}: 1.0}}", p.name));
  }
  // ...and every value a name in the expression.
  for (const auto& [name, value] : named) {
    if (name == expression::kInput) {
      throw ConfigError(value.where, "x is the input of the expression; it takes no value",
                        "give values only to the expression's parameters");
    }
    if (!e.uses(name)) {
      throw ConfigError(value.where,
                        fmt::format("{} has a value for '{}', which its expression does not use{}",
                                    kSubject, name, core::did_you_mean(name, used)),
                        used.empty() ? "the expression has no parameters; remove the value"
                                     : "its parameters: " + core::join(used));
    }
    if ((value.kind != core::ParamKind::Number && value.kind != core::ParamKind::Integer) ||
        !std::isfinite(value.number)) {
      throw ConfigError(value.where,
                        fmt::format("parameter '{}' of {} must be a finite number, got '{}'", name,
                                    kSubject, core::param_value_string(value)));
    }
    core::ParamValue number = value;
    number.kind = core::ParamKind::Number;
    resolved.all()[name] = number;
  }
  // Learnable names must be parameters, each listed once.
  std::set<std::string> seen;
  for (const auto& item : resolved.list(kLearnable)) {
    const std::string shown = core::param_value_string(item);
    if (item.kind != core::ParamKind::Choice && item.kind != core::ParamKind::Text) {
      throw ConfigError(item.where,
                        fmt::format("learnable lists parameter names, got '{}'", shown));
    }
    if (item.text == expression::kInput) {
      throw ConfigError(item.where, "x is the input of the expression, not a parameter",
                        used.empty() ? "the expression has no parameters to learn"
                                     : "its parameters: " + core::join(used));
    }
    if (!e.uses(item.text)) {
      throw ConfigError(item.where,
                        fmt::format("learnable '{}' is not a parameter of the expression{}",
                                    item.text, core::did_you_mean(item.text, used)),
                        used.empty() ? "the expression has no parameters to learn"
                                     : "its parameters: " + core::join(used));
    }
    if (!seen.insert(item.text).second) {
      throw ConfigError(item.where, fmt::format("learnable lists '{}' twice", item.text));
    }
  }
  check_finite(text, e.bind(values_of(resolved)));
  try {
    gain(resolved);
  } catch (const std::domain_error&) {
    throw located(text, 0, "the expression is zero or not finite for standard-normal inputs",
                  "no initialisation gain can normalise it; check the expression and its values");
  }
  return resolved;
}

// The expression as a module: learnable parameters are module parameters (one scalar per layer,
// trained by the optimiser and saved in weights.pt); the others are constants folded into the
// tree once, here, so forward only runs tensor ops.
class ExpressionActivation : public Activation {
 public:
  explicit ExpressionActivation(const core::ParamValues& p) {
    const std::set<std::string> learnable = learnable_of(p);
    std::map<std::string, double> fixed_values;
    for (const auto& [name, value] : values_of(p))
      if (learnable.count(name) == 0) fixed_values[name] = value;
    f_ = Expression::parse(p.text(kText)).bind(fixed_values);
    for (const auto& parameter : f_.parameters()) {
      parameters_.push_back(register_parameter(
          parameter.name, torch::scalar_tensor(p.number(parameter.name), torch::kFloat32)));
    }
  }

  torch::Tensor forward(const torch::Tensor& z) override {
    // The cast lets float32 parameters act on float64 inputs (and is free when they match).
    std::vector<torch::Tensor> values;
    values.reserve(parameters_.size());
    for (const auto& parameter : parameters_) values.push_back(parameter.to(z.scalar_type()));
    return f_(z, values);
  }

 private:
  Expression f_;
  std::vector<torch::Tensor> parameters_;
};

}  // namespace

ACTBENCH_REGISTER_ACTIVATION(expr) {
  ActivationEntry entry;
  entry.name = "expr";
  entry.description =
      "an expression of x and named parameters, {expr: \"x * sigmoid(beta * x)\", beta: 1, "
      "learnable: [beta]}, over the building blocks of Ramachandran et al. 2017";
  entry.params = schema();
  entry.resolve = resolve;
  entry.gain = gain;
  entry.gain_source = "1/sqrt(E[f(z)^2]), z~N(0,1), at the parameters' initial values";
  entry.make = [](const core::ParamValues& p,
                  const ActivationContext&) -> std::shared_ptr<Activation> {
    return std::make_shared<ExpressionActivation>(p);
  };
  return entry;
}

}  // namespace actbench::model
