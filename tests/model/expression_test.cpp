// Tests of activations written as expressions: the language's building blocks against direct
// LibTorch formulas, `x * sigmoid(x)` against the built-in silu (values, gradients, learnable beta,
// MNIST accuracy), located errors at their column inside the expression, and the resolved config
// round trip.
#include "expression/expression.hpp"

#include <gtest/gtest.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "config/loader.hpp"
#include "model/activation.hpp"
#include "support/config_errors.hpp"
#include "support/run_helpers.hpp"

namespace actbench::model {
namespace expression_test {

using actbench::testing::read_json;
using actbench::testing::run_config;
using actbench::testing::TempDir;
using expression::Expression;
using expression::SyntaxError;

// The model.activation of a config written in YAML, as the config reader produces it.
core::ComponentSpec activation_in(const std::string& yaml) {
  return config::read_run_spec(*config::parse_yaml(yaml, "model.yaml")).model.activation;
}

ResolvedActivation resolved(const std::string& yaml) {
  return resolve_activation(activation_in(yaml));
}

torch::Tensor grid() {
  // Through 0 and the kinks at +-1 used below, in float64 so that only formulas differ.
  return torch::linspace(-6.0, 6.0, 1201, torch::kFloat64);
}

struct ValueAndGradient {
  torch::Tensor value;
  torch::Tensor gradient;
};

ValueAndGradient run(Activation& activation, const torch::Tensor& points) {
  const torch::Tensor x = points.clone().requires_grad_();
  const torch::Tensor y = activation.forward(x);
  y.sum().backward();
  return {y.detach(), x.grad()};
}

ValueAndGradient run(const std::function<torch::Tensor(const torch::Tensor&)>& f,
                     const torch::Tensor& points) {
  const torch::Tensor x = points.clone().requires_grad_();
  const torch::Tensor y = f(x);
  y.sum().backward();
  return {y.detach(), x.grad()};
}

double max_error(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

// ---- Against the built-in silu -----------------------------------------------------------------

TEST(ExpressionActivation, XTimesSigmoidMatchesSilu) {
  const ResolvedActivation silu = resolved("model: {activation: silu}");
  const ResolvedActivation expr = resolved("model: {activation: {expr: \"x * sigmoid(x)\"}}");
  EXPECT_EQ(expr.entry->name, "expr");
  const auto expected = run(*silu.make({}), grid());
  const auto actual = run(*expr.make({}), grid());
  EXPECT_LT(max_error(actual.value, expected.value), 1e-6);
  EXPECT_LT(max_error(actual.gradient, expected.gradient), 1e-6);
  // Both gains come from the same quadrature of the same function.
  EXPECT_NEAR(expr.gain(), silu.gain(), 1e-12);
}

TEST(ExpressionActivation, LearnableBetaMatchesLearnableSwish) {
  const ResolvedActivation swish =
      resolved("model: {activation: {name: silu, beta: 1.5, learnable: true}}");
  const ResolvedActivation expr = resolved(
      "model: {activation: {expr: \"x * sigmoid(beta * x)\", beta: 1.5, learnable: [beta]}}");
  auto swish_module = swish.make({});
  auto expr_module = expr.make({});
  swish_module->to(torch::kFloat64);
  expr_module->to(torch::kFloat64);

  const auto params = expr_module->named_parameters();
  ASSERT_EQ(params.size(), 1u);
  ASSERT_TRUE(params.contains("beta"));
  EXPECT_EQ(params["beta"].numel(), 1);  // one scalar per layer
  EXPECT_DOUBLE_EQ(params["beta"].item<double>(), 1.5);

  const auto expected = run(*swish_module, grid());
  const auto actual = run(*expr_module, grid());
  EXPECT_LT(max_error(actual.value, expected.value), 1e-6);
  EXPECT_LT(max_error(actual.gradient, expected.gradient), 1e-6);
  // The parameter gets the same gradient as swish's beta.
  const torch::Tensor beta_grad = params["beta"].grad();
  ASSERT_TRUE(beta_grad.defined());
  EXPECT_NE(beta_grad.item<double>(), 0.0);
  EXPECT_NEAR(beta_grad.item<double>(),
              swish_module->named_parameters()["beta"].grad().item<double>(), 1e-6);
  // Layers do not share it: each module has its own tensor.
  EXPECT_FALSE(expr.make({})->named_parameters()["beta"].is_same(params["beta"]));
}

TEST(ExpressionActivation, FixedParametersAreNotModuleParameters) {
  const ResolvedActivation expr =
      resolved("model: {activation: {expr: \"x * sigmoid(beta * x)\", beta: 2.0}}");
  auto module = expr.make({});
  EXPECT_TRUE(module->parameters().empty());
  const auto actual = run(*module, grid());
  const torch::Tensor x = grid();
  EXPECT_LT(max_error(actual.value, x * torch::sigmoid(2.0 * x)), 1e-12);
}

TEST(ExpressionActivation, ConvInputsAndFloat32) {
  const ResolvedActivation expr = resolved(
      "model: {activation: {expr: \"x * sigmoid(beta * x)\", beta: 1.0, learnable: [beta]}}");
  auto module = expr.make({4, true});
  const torch::Tensor z = torch::randn({2, 4, 3, 3});
  const torch::Tensor y = module->forward(z);
  EXPECT_EQ(y.sizes(), z.sizes());
  EXPECT_EQ(y.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::allclose(y, torch::silu(z), 1e-6, 1e-6));
}

// Same seed, same data: silu and its expression train to the same accuracy on real MNIST.
TEST(ExpressionTraining, MnistAccuracyMatchesSilu) {
  const std::string root = actbench::testing::data_root();
  ASSERT_TRUE(std::filesystem::exists(root + "/mnist"))
      << "MNIST is missing under " << root << ": run `actbench data fetch mnist`";
  TempDir dir;
  const std::string yaml = "data: {dataset: mnist, train_subset: 6000, root: " + root +
                           "}\nmodel: {hidden: [64]}\ntrain: {epochs: 1}\nseed: 3\n";
  const auto silu = run_config(dir, yaml, {"model.activation=silu"});
  const auto expr = run_config(dir, yaml, {"model.activation={expr: \"x * sigmoid(x)\"}"});
  const double silu_accuracy =
      read_json(silu.directory / "summary.json")["test_accuracy"].get<double>();
  const double expr_accuracy =
      read_json(expr.directory / "summary.json")["test_accuracy"].get<double>();
  std::printf("MNIST test accuracy, 6000 samples x 1 epoch: silu %.4f, x * sigmoid(x) %.4f\n",
              silu_accuracy, expr_accuracy);
  EXPECT_EQ(silu.status, core::RunStatus::kCompleted);
  EXPECT_EQ(expr.status, core::RunStatus::kCompleted);
  EXPECT_GT(silu_accuracy, 0.85);
  EXPECT_NEAR(expr_accuracy, silu_accuracy, 1e-3);
}

// A learnt parameter is trained and saved in weights.pt under its layer's activation.
TEST(ExpressionTraining, LearnableParameterIsTrainedAndSaved) {
  TempDir dir;
  const auto outcome = run_config(dir, R"yaml(data: {dataset: synthetic, batch_size: 64}
model: {hidden: [16, 16], activation: {expr: "x * sigmoid(beta * x)", beta: 1.0, learnable: [beta]}}
optim: {name: sgd, lr: 0.05}
train: {epochs: 2}
probes: {probe_samples: 64}
)yaml");
  ASSERT_EQ(outcome.status, core::RunStatus::kCompleted);
  const std::string bytes = core::read_file(outcome.directory / "weights.pt");
  const auto weights =
      torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end())).toGenericDict();
  for (const char* key : {"fc1_act.beta", "fc2_act.beta"}) {
    ASSERT_TRUE(weights.contains(key)) << key;
    const double beta = weights.at(key).toTensor().item<double>();
    EXPECT_NE(beta, 1.0) << key << " was not trained";
    EXPECT_TRUE(std::isfinite(beta));
  }
}

// ---- Building blocks against direct formulas ---------------------------------------------------

void expect_same(const std::string& text,
                 const std::function<torch::Tensor(const torch::Tensor&)>& f,
                 const torch::Tensor& points = grid()) {
  SCOPED_TRACE(text);
  const Expression e = Expression::parse(text);
  const auto actual = run([&](const torch::Tensor& x) { return e(x); }, points);
  const auto expected = run(f, points);
  EXPECT_LT(max_error(actual.value, expected.value), 1e-12);
  EXPECT_LT(max_error(actual.gradient, expected.gradient), 1e-9);
}

TEST(ExpressionLanguage, UnaryBuildingBlocks) {
  expect_same("x", [](auto x) { return x; });
  expect_same("-x", [](auto x) { return -x; });
  expect_same("abs(x)", [](auto x) { return x.abs(); });
  expect_same("|x|", [](auto x) { return x.abs(); });
  expect_same("|x - |x - 1||", [](auto x) { return (x - (x - 1).abs()).abs(); });
  expect_same("x^2", [](auto x) { return x * x; });
  expect_same("x^3", [](auto x) { return x * x * x; });
  expect_same("sqrt(x^2 + 1)", [](auto x) { return (x * x + 1).sqrt(); });
  expect_same(
      "|x|^0.5 + 1", [](auto x) { return x.abs().pow(0.5) + 1; },
      torch::linspace(0.5, 4.0, 50, torch::kFloat64));
  expect_same("2.5 * x", [](auto x) { return 2.5 * x; });
  expect_same("x + 0.25", [](auto x) { return x + 0.25; });
  expect_same("log(x)", [](auto x) { return (x.abs() + expression::kLogEps).log(); });
  expect_same("exp(x)", [](auto x) { return x.exp(); });
  expect_same("sin(x) + cos(x)", [](auto x) { return x.sin() + x.cos(); });
  expect_same("sinh(x) - cosh(x)", [](auto x) { return x.sinh() - x.cosh(); });
  expect_same("tanh(x)", [](auto x) { return x.tanh(); });
  expect_same("asinh(x) * atan(x)", [](auto x) { return x.asinh() * x.atan(); });
  expect_same("max(x, 0)", [](auto x) { return torch::relu(x); });
  expect_same("min(x, 0)", [](auto x) { return -torch::relu(-x); });
  expect_same("sigmoid(x)", [](auto x) { return 1 / (1 + (-x).exp()); });
  expect_same("softplus(x)", [](auto x) { return (1 + x.exp()).log(); });
  expect_same("exp(-x^2)", [](auto x) { return (-(x * x)).exp(); });
  expect_same("erf(x)", [](auto x) { return torch::erf(x); });
}

TEST(ExpressionLanguage, SincIsOneAtZeroWithAFiniteGradient) {
  const Expression e = Expression::parse("sinc(x)");
  const torch::Tensor points = torch::tensor({-2.0, -1e-3, 0.0, 1e-3, 3.0}, torch::kFloat64);
  const auto y = run([&](const torch::Tensor& x) { return e(x); }, points);
  EXPECT_DOUBLE_EQ(y.value[2].item<double>(), 1.0);
  EXPECT_EQ(y.gradient[2].item<double>(), 0.0);
  EXPECT_NEAR(y.value[4].item<double>(), std::sin(3.0) / 3.0, 1e-12);
  EXPECT_NEAR(y.value[0].item<double>(), std::sin(2.0) / 2.0, 1e-12);
  // d/dx sin(x)/x = (x cos x - sin x) / x^2
  EXPECT_NEAR(y.gradient[4].item<double>(), (3 * std::cos(3.0) - std::sin(3.0)) / 9, 1e-9);
  EXPECT_TRUE(torch::isfinite(y.gradient).all().item<bool>());
}

TEST(ExpressionLanguage, DivisionIsGuardedByEps) {
  const double eps = expression::kDivisionEps;
  const torch::Tensor points = torch::tensor({-2.0, -1e-9, 0.0, 1e-9, 4.0}, torch::kFloat64);
  const torch::Tensor y = Expression::parse("1 / x")(points);
  EXPECT_DOUBLE_EQ(y[0].item<double>(), -0.5);
  EXPECT_DOUBLE_EQ(y[1].item<double>(), -1 / eps);
  EXPECT_DOUBLE_EQ(y[2].item<double>(), 1 / eps);  // 0 counts as positive
  EXPECT_DOUBLE_EQ(y[3].item<double>(), 1 / eps);
  EXPECT_DOUBLE_EQ(y[4].item<double>(), 0.25);
  // A constant denominator gets the same guard, folded once.
  EXPECT_TRUE(torch::allclose(Expression::parse("x / 0")(points), points / eps));
  EXPECT_TRUE(torch::allclose(Expression::parse("x / (x - x)")(points), points / eps));
  EXPECT_TRUE(torch::equal(Expression::parse("x / 4")(points), points / 4));
  EXPECT_TRUE(torch::isfinite(Expression::parse("x / x")(points)).all().item<bool>());
}

TEST(ExpressionLanguage, PrecedenceAndAssociativity) {
  expect_same("-x^2", [](auto x) { return -(x * x); });
  expect_same("2 * -x", [](auto x) { return -2 * x; });
  expect_same("2 - -x", [](auto x) { return 2 + x; });
  expect_same("1 + 2 * x^2", [](auto x) { return 1 + 2 * x * x; });
  expect_same("x - 1 - 1", [](auto x) { return x - 2; });
  expect_same("x / 2 / 2", [](auto x) { return x / 4; });
  expect_same("(1 + x) * (1 - x)", [](auto x) { return 1 - x * x; });
  expect_same("-2^2 * x", [](auto x) { return -4 * x; });
  expect_same(
      "x^-1 * 0 + x", [](auto x) { return x; }, torch::linspace(1, 2, 5, torch::kFloat64));
  expect_same(".5e1 * x + 1E-3", [](auto x) { return 5 * x + 1e-3; });
}

TEST(ExpressionLanguage, MaxAndMinOfTwoTensors) {
  expect_same("max(x, x^2)", [](auto x) { return torch::maximum(x, x * x); });
  expect_same("min(sin(x), cos(x))", [](auto x) { return torch::minimum(x.sin(), x.cos()); });
  expect_same("max(0, x)", [](auto x) { return torch::relu(x); });
  expect_same(
      "min(1, max(-1, x))", [](auto x) { return x.clamp(-1, 1); },
      torch::tensor({-3.0, -0.5, 0.25, 2.0}, torch::kFloat64));
}

TEST(ExpressionLanguage, ParametersAndBinding) {
  const Expression e = Expression::parse("x * sigmoid(2 * beta * x) + gamma");
  ASSERT_EQ(e.parameters().size(), 2u);
  EXPECT_EQ(e.parameters()[0].name, "beta");
  EXPECT_EQ(e.parameters()[0].offset, 16u);
  EXPECT_EQ(e.parameters()[1].name, "gamma");
  const Expression bound = e.bind({{"beta", 0.5}});
  ASSERT_EQ(bound.parameters().size(), 1u);
  EXPECT_EQ(bound.parameters()[0].name, "gamma");
  const torch::Tensor x = grid();
  const torch::Tensor gamma = torch::scalar_tensor(0.25, torch::kFloat64).requires_grad_();
  const torch::Tensor y = bound(x, {gamma});
  EXPECT_LT(max_error(y.detach(), x * torch::sigmoid(x) + 0.25), 1e-12);
  y.sum().backward();
  EXPECT_DOUBLE_EQ(gamma.grad().item<double>(), static_cast<double>(x.numel()));
  EXPECT_TRUE(e.bind({{"beta", 0.5}, {"gamma", 0.0}}).parameters().empty());
}

size_t syntax_error_offset(const std::string& text) {
  try {
    Expression::parse(text);
  } catch (const SyntaxError& e) {
    return e.offset();
  }
  ADD_FAILURE() << "no SyntaxError for " << text;
  return 999;
}

TEST(ExpressionLanguage, SyntaxErrorsAtTheirOffset) {
  EXPECT_EQ(syntax_error_offset(""), 0u);
  EXPECT_EQ(syntax_error_offset("   "), 0u);
  EXPECT_EQ(syntax_error_offset("x * sigmod(x)"), 4u);
  EXPECT_EQ(syntax_error_offset("x * sigmoid(x"), 11u);  // the '(' never closed
  EXPECT_EQ(syntax_error_offset("(x + 1"), 0u);
  EXPECT_EQ(syntax_error_offset("x + 1)"), 5u);
  EXPECT_EQ(syntax_error_offset("|x + 1"), 0u);
  EXPECT_EQ(syntax_error_offset("x * * 2"), 4u);
  EXPECT_EQ(syntax_error_offset("x**2"), 2u);
  EXPECT_EQ(syntax_error_offset("2x"), 1u);
  EXPECT_EQ(syntax_error_offset("x +"), 2u);
  EXPECT_EQ(syntax_error_offset("x $ 2"), 2u);
  EXPECT_EQ(syntax_error_offset("max(x)"), 0u);
  EXPECT_EQ(syntax_error_offset("max(x 0)"), 6u);
  EXPECT_EQ(syntax_error_offset("x ^ beta"), 4u);
  EXPECT_EQ(syntax_error_offset("x^2^3"), 3u);
  EXPECT_EQ(syntax_error_offset("x + exp"), 4u);
  EXPECT_EQ(syntax_error_offset("x(1)"), 0u);
  EXPECT_EQ(syntax_error_offset("sigmoid(beta)"), 0u);  // x is never used
  EXPECT_EQ(syntax_error_offset("x, 1"), 1u);
  EXPECT_EQ(syntax_error_offset("x + 1e999"), 4u);
}

// ---- Located config errors ---------------------------------------------------------------------

// Loads `yaml` as c.yaml (with command-line overrides from arg3 on) and returns the ConfigError's
// text with the temporary directory cut off; fails the test if none is thrown.
std::string error_of(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  return actbench::testing::config_error_of("data: {dataset: synthetic}\n" + yaml, overrides);
}

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE((text).find(part), std::string::npos) << "expected '" << (part) << "' in:\n" << (text)

// Columns below: in `  activation: {expr: "x ...` the x is column 23 of line 3 (line 1 is data).
TEST(ExpressionConfigErrors, UnknownFunctionWithSuggestion) {
  const std::string e =
      error_of("model:\n  activation: {expr: \"x * sigmod(beta * x)\", beta: 1.0}\n");
  EXPECT_CONTAINS(e, "c.yaml:3:27: error: unknown function 'sigmod' (did you mean 'sigmoid'?)");
  // Plain (unquoted) and single-quoted scalars count their own way.
  EXPECT_CONTAINS(error_of("model:\n  activation:\n    expr: x * sigmod(x)\n"),
                  "c.yaml:4:15: error: unknown function 'sigmod'");
  EXPECT_CONTAINS(error_of("model:\n  activation: {expr: 'x * tanhh(x)'}\n"),
                  "c.yaml:3:27: error: unknown function 'tanhh' (did you mean 'tanh'?)");
}

TEST(ExpressionConfigErrors, UnbalancedParentheses) {
  EXPECT_CONTAINS(error_of("model:\n  activation: {expr: \"x * sigmoid(x\"}\n"),
                  "c.yaml:3:34: error: '(' is never closed");
  EXPECT_CONTAINS(error_of("model:\n  activation: {expr: \"x * (x + 1))\"}\n"),
                  "c.yaml:3:34: error: unexpected ')': no '(' is open");
  EXPECT_CONTAINS(error_of("model:\n  activation: {expr: \"|x + 1\"}\n"),
                  "c.yaml:3:23: error: '|' is never closed");
}

TEST(ExpressionConfigErrors, UnexpectedToken) {
  EXPECT_CONTAINS(error_of("model:\n  activation: {expr: \"x * * 2\"}\n"),
                  "c.yaml:3:27: error: unexpected '*' where a value is expected");
  EXPECT_CONTAINS(error_of("model:\n  activation: {expr: \"2x\"}\n"),
                  "c.yaml:3:24: error: unexpected 'x': an operator is missing before it");
  EXPECT_CONTAINS(error_of("model:\n  activation: {expr: \"x ^ beta\", beta: 2}\n"),
                  "c.yaml:3:27: error: the exponent after '^' must be a number");
}

TEST(ExpressionConfigErrors, ParameterWithoutValue) {
  const std::string e =
      error_of("model:\n  activation: {expr: \"x * sigmoid(bta * x)\", beta: 1.0}\n");
  EXPECT_CONTAINS(e, "c.yaml:3:35: error: parameter 'bta' has no value (did you mean 'beta'?)");
}

TEST(ExpressionConfigErrors, ValueForANameTheExpressionDoesNotUse) {
  const std::string e =
      error_of("model:\n  activation: {expr: \"x * sigmoid(beta * x)\", beta: 1, gama: 2}\n");
  EXPECT_CONTAINS(e,
                  "c.yaml:3:56: error: activation 'expr' has a value for 'gama', which its "
                  "expression does not use");
  EXPECT_CONTAINS(error_of("model:\n  activation: {expr: \"x\", x: 2}\n"),
                  "c.yaml:3:27: error: x is the input of the expression; it takes no value");
  EXPECT_CONTAINS(error_of("model:\n  activation: {expr: \"beta * x\", beta: fast}\n"),
                  "c.yaml:3:34: error: parameter 'beta' of activation 'expr' must be a finite "
                  "number, got 'fast'");
}

TEST(ExpressionConfigErrors, LearnableNameThatIsNotAParameter) {
  const std::string e = error_of(
      "model:\n  activation: {expr: \"x * sigmoid(beta * x)\", beta: 1, learnable: [bata]}\n");
  EXPECT_CONTAINS(e,
                  "c.yaml:3:68: error: learnable 'bata' is not a parameter of the expression (did "
                  "you mean 'beta'?)");
  EXPECT_CONTAINS(
      error_of("model:\n  activation: {expr: \"beta * x\", beta: 1, learnable: [beta, beta]}\n"),
      "c.yaml:3:61: error: learnable lists 'beta' twice");
  EXPECT_CONTAINS(
      error_of("model:\n  activation: {expr: \"beta * x\", beta: 1, learnable: true}\n"),
      "c.yaml:3:43: error: parameter 'learnable' of activation 'expr' must be a list");
}

TEST(ExpressionConfigErrors, NotFiniteForOrdinaryInputs) {
  EXPECT_CONTAINS(error_of("model:\n  activation: {expr: \"sqrt(x)\"}\n"),
                  "c.yaml:3:23: error: the expression is NaN at x = -10");
  EXPECT_CONTAINS(error_of("model:\n  activation: {expr: \"0 * x\"}\n"),
                  "c.yaml:3:23: error: the expression is zero or not finite");
}

TEST(ExpressionConfigErrors, CommandLineOverridesSayTheColumnInWords) {
  const std::string e = error_of("", {"model.activation={expr: \"x * sigmod(x)\"}"});
  EXPECT_CONTAINS(e,
                  "<cli>:arg3: error: at column 5 of the expression \"x * sigmod(x)\": unknown "
                  "function 'sigmod' (did you mean 'sigmoid'?)");
}

TEST(ExpressionConfigErrors, PerLayerActivationsAreCheckedToo) {
  EXPECT_CONTAINS(
      error_of("model:\n  hidden: [8, 8]\n  layer_activations: {1: {expr: \"x * sigmod(x)\"}}\n"),
      "c.yaml:4:38: error: unknown function 'sigmod'");
}

// ---- The resolved config -----------------------------------------------------------------------

TEST(ExpressionConfig, ResolvedConfigRoundTrips) {
  TempDir dir;
  const auto file = dir.write("c.yaml", R"yaml(data: {dataset: synthetic}
model:
  hidden: [16]
  activation: {expr: "|x| * sigmoid(beta * x) + max(x, 0) / 2", beta: 1.5, learnable: [beta]}
  layer_activations: {0: {name: expr, expr: "-x^2 + 1e-3 * x", learnable: []}}
)yaml");
  app::PreparedRun prepared = app::prepare_run(file.string(), {});
  const core::ComponentSpec& activation = prepared.spec.model.activation;
  EXPECT_EQ(activation.name, "expr");
  EXPECT_EQ(activation.params.at("expr").text, "|x| * sigmoid(beta * x) + max(x, 0) / 2");
  EXPECT_EQ(activation.params.at("beta").number, 1.5);
  ASSERT_EQ(activation.params.at("learnable").items.size(), 1u);
  EXPECT_EQ(activation.params.at("learnable").items[0].text, "beta");

  const std::string yaml = config::to_yaml(prepared.spec);
  EXPECT_NE(yaml.find("expr: \"|x| * sigmoid(beta * x) + max(x, 0) / 2\""), std::string::npos)
      << yaml;
  EXPECT_NE(yaml.find("learnable: [beta]"), std::string::npos) << yaml;
  const auto again = dir.write("resolved.yaml", yaml);
  app::PreparedRun reloaded = app::prepare_run(again.string(), {});
  EXPECT_EQ(config::to_json(reloaded.spec).dump(), config::to_json(prepared.spec).dump()) << yaml;
  EXPECT_EQ(reloaded.plan.hidden[0].info.activation, prepared.plan.hidden[0].info.activation);
}

TEST(ExpressionConfig, ExprWithoutAnExpressionIsTheIdentity) {
  const ResolvedActivation identity = resolved("model: {activation: expr}");
  EXPECT_EQ(identity.params.text("expr"), "x");
  EXPECT_TRUE(identity.params.list("learnable").empty());
  EXPECT_DOUBLE_EQ(identity.gain(), 1.0 / std::sqrt(1.0));
  const auto y = run(*identity.make({}), grid());
  EXPECT_TRUE(torch::equal(y.value, grid()));
}

}  // namespace expression_test
}  // namespace actbench::model
