// Activations against hand-written formulas and derivatives, their gains, and the located errors a
// config gets for unknown names and bad parameters.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "core/error.hpp"
#include "model/activation.hpp"

namespace actbench::model {
namespace activations_test {

using Fn = std::function<torch::Tensor(const torch::Tensor&)>;

constexpr double kPi = 3.14159265358979323846;

core::ParamValue number_at(double value, int line) {
  core::ParamValue v;
  v.kind = core::ParamKind::Number;
  v.number = value;
  v.where = SourceLocation::in_file("model.yaml", line, 7);
  return v;
}

core::ParamValue flag_at(bool value, int line) {
  core::ParamValue v;
  v.kind = core::ParamKind::Flag;
  v.flag = value;
  v.where = SourceLocation::in_file("model.yaml", line, 7);
  return v;
}

core::ParamValue text_at(std::string value, int line) {
  core::ParamValue v;
  v.kind = core::ParamKind::Choice;
  v.text = std::move(value);
  v.where = SourceLocation::in_file("model.yaml", line, 7);
  return v;
}

core::ComponentSpec spec(std::string name, std::map<std::string, core::ParamValue> params = {}) {
  core::ComponentSpec s;
  s.name = std::move(name);
  s.where = SourceLocation::in_file("model.yaml", 2, 15);
  s.params = std::move(params);
  return s;
}

// A reference value and derivative, hand-written from the papers' formulas, never from the ops the
// activations themselves use.
struct Reference {
  Fn value;
  Fn derivative;
};
using ReferenceFor = std::function<Reference(const core::ParamValues&)>;

torch::Tensor step(const torch::Tensor& x) { return (x > 0).to(x.scalar_type()); }
torch::Tensor logistic(const torch::Tensor& x) { return 1 / (1 + torch::exp(-x)); }
torch::Tensor normal_cdf(const torch::Tensor& x) {
  return 0.5 * (1 + torch::erf(x / std::sqrt(2.0)));
}
torch::Tensor normal_pdf(const torch::Tensor& x) {
  return torch::exp(-0.5 * x * x) / std::sqrt(2 * kPi);
}
torch::Tensor inside(const torch::Tensor& x, double lo, double hi) {
  return ((x > lo) & (x < hi)).to(x.scalar_type());
}

Reference leaky(double slope) {
  return {[=](const torch::Tensor& x) { return torch::where(x > 0, x, slope * x); },
          [=](const torch::Tensor& x) { return step(x) + slope * (1 - step(x)); }};
}

Reference elu_reference(double alpha, double scale) {
  return {[=](const torch::Tensor& x) {
            return scale * torch::where(x > 0, x, alpha * (torch::exp(x) - 1));
          },
          [=](const torch::Tensor& x) {
            return scale * torch::where(x > 0, torch::ones_like(x), alpha * torch::exp(x));
          }};
}

Reference swish_reference(double beta) {
  return {[=](const torch::Tensor& x) { return x * logistic(beta * x); },
          [=](const torch::Tensor& x) {
            const auto s = logistic(beta * x);
            return s + beta * x * s * (1 - s);
          }};
}

Reference gelu_tanh_reference() {
  const double c = std::sqrt(2 / kPi);
  return {[=](const torch::Tensor& x) {
            return 0.5 * x * (1 + torch::tanh(c * (x + 0.044715 * x.pow(3))));
          },
          [=](const torch::Tensor& x) {
            const auto t = torch::tanh(c * (x + 0.044715 * x.pow(3)));
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x);
          }};
}

// Every registered activation except the shape-changing ones must appear here.
const std::map<std::string, ReferenceFor>& references() {
  static const std::map<std::string, ReferenceFor> table = {
      {"sigmoid",
       [](const core::ParamValues&) -> Reference {
         return {logistic, [](const torch::Tensor& x) { return logistic(x) * (1 - logistic(x)); }};
       }},
      {"tanh",
       [](const core::ParamValues&) -> Reference {
         return {[](const torch::Tensor& x) {
                   return (torch::exp(2 * x) - 1) / (torch::exp(2 * x) + 1);
                 },
                 [](const torch::Tensor& x) { return 1 / torch::cosh(x).pow(2); }};
       }},
      {"relu", [](const core::ParamValues&) { return leaky(0.0); }},
      {"leaky_relu", [](const core::ParamValues& p) { return leaky(p.number("negative_slope")); }},
      {"prelu", [](const core::ParamValues& p) { return leaky(p.number("init")); }},
      // Evaluation mode: the mean slope.
      {"rrelu",
       [](const core::ParamValues& p) {
         return leaky(0.5 * (p.number("lower") + p.number("upper")));
       }},
      {"elu", [](const core::ParamValues& p) { return elu_reference(p.number("alpha"), 1.0); }},
      {"selu",
       [](const core::ParamValues&) {
         return elu_reference(1.6732632423543772848170429916717, 1.0507009873554804934193349852946);
       }},
      {"celu",
       [](const core::ParamValues& p) -> Reference {
         const double a = p.number("alpha");
         return {[=](const torch::Tensor& x) {
                   return torch::where(x > 0, x, a * (torch::exp(x / a) - 1));
                 },
                 [=](const torch::Tensor& x) {
                   return torch::where(x > 0, torch::ones_like(x), torch::exp(x / a));
                 }};
       }},
      {"gelu",
       [](const core::ParamValues& p) -> Reference {
         if (p.text("approximate") == "tanh") return gelu_tanh_reference();
         return {[](const torch::Tensor& x) { return x * normal_cdf(x); },
                 [](const torch::Tensor& x) { return normal_cdf(x) + x * normal_pdf(x); }};
       }},
      {"gelu_tanh", [](const core::ParamValues&) { return gelu_tanh_reference(); }},
      {"silu", [](const core::ParamValues& p) { return swish_reference(p.number("beta")); }},
      {"mish",
       [](const core::ParamValues&) -> Reference {
         return {
             [](const torch::Tensor& x) { return x * torch::tanh(torch::log1p(torch::exp(x))); },
             [](const torch::Tensor& x) {
               const auto t = torch::tanh(torch::log1p(torch::exp(x)));
               return t + x * (1 - t * t) * logistic(x);
             }};
       }},
      {"softplus",
       [](const core::ParamValues& p) -> Reference {
         const double beta = p.number("beta"), threshold = p.number("threshold");
         return {[=](const torch::Tensor& x) {
                   return torch::where(beta * x > threshold, x,
                                       torch::log1p(torch::exp(beta * x)) / beta);
                 },
                 [=](const torch::Tensor& x) {
                   return torch::where(beta * x > threshold, torch::ones_like(x),
                                       logistic(beta * x));
                 }};
       }},
      {"softsign",
       [](const core::ParamValues&) -> Reference {
         return {[](const torch::Tensor& x) { return x / (1 + x.abs()); },
                 [](const torch::Tensor& x) { return 1 / (1 + x.abs()).pow(2); }};
       }},
      {"relu6",
       [](const core::ParamValues&) -> Reference {
         return {[](const torch::Tensor& x) { return torch::clamp(x, 0, 6); },
                 [](const torch::Tensor& x) { return inside(x, 0, 6); }};
       }},
      {"hard_sigmoid",
       [](const core::ParamValues&) -> Reference {
         return {[](const torch::Tensor& x) { return torch::clamp(x / 6 + 0.5, 0, 1); },
                 [](const torch::Tensor& x) { return inside(x, -3, 3) / 6; }};
       }},
      {"hard_swish",
       [](const core::ParamValues&) -> Reference {
         return {[](const torch::Tensor& x) { return x * torch::clamp(x + 3, 0, 6) / 6; },
                 [](const torch::Tensor& x) {
                   return inside(x, -3, 3) * (2 * x + 3) / 6 + (x >= 3).to(x.scalar_type());
                 }};
       }},
      {"hard_tanh",
       [](const core::ParamValues& p) -> Reference {
         const double lo = p.number("min_val"), hi = p.number("max_val");
         return {[=](const torch::Tensor& x) { return torch::clamp(x, lo, hi); },
                 [=](const torch::Tensor& x) { return inside(x, lo, hi); }};
       }},
      {"sine",
       [](const core::ParamValues& p) -> Reference {
         const double w = p.number("omega_0");
         return {[=](const torch::Tensor& x) { return torch::sin(w * x); },
                 [=](const torch::Tensor& x) { return w * torch::cos(w * x); }};
       }},
      // An expression activation with its default expression, `x` (tests/model/expression_test.cpp
      // covers real expressions).
      {"expr",
       [](const core::ParamValues&) -> Reference {
         return {[](const torch::Tensor& x) { return x.clone(); },
                 [](const torch::Tensor& x) { return torch::ones_like(x); }};
       }},
      {"identity",
       [](const core::ParamValues&) -> Reference {
         return {[](const torch::Tensor& x) { return x.clone(); },
                 [](const torch::Tensor& x) { return torch::ones_like(x); }};
       }},
  };
  return table;
}

// Activations whose output shape differs from the input's; each has its own test below.
const std::set<std::string> kShapeChanging = {"maxout"};

// 1000 points on [-7, 7]: the spacing 14/999 puts no point on any kink (0, +-1, +-3, 6, ...).
torch::Tensor grid() { return torch::linspace(-7.0, 7.0, 1000, torch::kFloat64).unsqueeze(1); }

void expect_matches_reference(const core::ComponentSpec& s) {
  SCOPED_TRACE("activation " + s.name + " with " + std::to_string(s.params.size()) + " params");
  const ResolvedActivation activation = resolve_activation(s);
  const auto it = references().find(activation.entry->name);
  ASSERT_NE(it, references().end());
  const Reference reference = it->second(activation.params);

  auto module = activation.make(ActivationContext{1, false});
  module->eval();
  module->to(torch::kFloat64);  // learnt slopes and betas are float32 by default
  const torch::Tensor x = grid().requires_grad_();
  const torch::Tensor y = module->forward(x);
  y.sum().backward();

  const torch::Tensor x_plain = x.detach();
  const torch::Tensor value = reference.value(x_plain);
  const torch::Tensor derivative = reference.derivative(x_plain);
  ASSERT_EQ(y.sizes(), x.sizes());
  EXPECT_EQ(y.scalar_type(), torch::kFloat64);
  // Loose enough for PyTorch's own rounding (hardsigmoid's backward uses a float 1/6 even in
  // double), tight enough that any wrong formula or constant fails.
  EXPECT_TRUE(torch::allclose(y.detach(), value, 1e-7, 1e-9))
      << "max value error " << (y.detach() - value).abs().max().item<double>();
  EXPECT_TRUE(torch::allclose(x.grad(), derivative, 1e-7, 1e-9))
      << "max derivative error " << (x.grad() - derivative).abs().max().item<double>();
  // What the probes use: a closed form where the activation gives one, autograd otherwise.
  const torch::Tensor probed = module->derivative(x_plain);
  EXPECT_TRUE(torch::allclose(probed, derivative, 1e-7, 1e-9))
      << "max error of derivative() " << (probed - derivative).abs().max().item<double>();
  EXPECT_FALSE(probed.requires_grad());
}

// At the kinks the grid avoids, a closed-form derivative() must make autograd's choice too: a dead
// unit is one whose f' is exactly 0 on every sample, so a mismatch at z = 0 would change counts.
TEST(Activations, ClosedFormDerivativesMatchAutogradAtTheKinks) {
  for (const ActivationEntry* entry : ActivationRegistry::instance().entries()) {
    if (kShapeChanging.count(entry->name) > 0) continue;
    SCOPED_TRACE(entry->name);
    auto module = resolve_activation(spec(entry->name)).make(ActivationContext{1, false});
    module->eval();
    const torch::Tensor z =
        torch::tensor({-6.0, -3.0, -1.0, -0.0, 0.0, 1.0, 3.0, 6.0}).unsqueeze(1);
    const torch::Tensor leaf = z.clone().requires_grad_(true);
    module->forward(leaf).sum().backward();
    EXPECT_TRUE(torch::equal(module->derivative(z), leaf.grad()))
        << module->derivative(z) << " against autograd's " << leaf.grad();
  }
}

TEST(Activations, EveryRegisteredActivationHasAReference) {
  for (const ActivationEntry* entry : ActivationRegistry::instance().entries()) {
    EXPECT_TRUE(references().count(entry->name) > 0 || kShapeChanging.count(entry->name) > 0)
        << "activation '" << entry->name
        << "' has no reference formula in activations_test.cpp; add one";
  }
}

TEST(Activations, DefaultsMatchReferenceValuesAndDerivatives) {
  for (const ActivationEntry* entry : ActivationRegistry::instance().entries()) {
    if (kShapeChanging.count(entry->name) > 0) continue;
    expect_matches_reference(spec(entry->name));
  }
}

TEST(Activations, ParametersMatchReferenceValuesAndDerivatives) {
  expect_matches_reference(spec("leaky_relu", {{"negative_slope", number_at(0.2, 3)}}));
  expect_matches_reference(spec("prelu", {{"init", number_at(0.1, 3)}}));
  expect_matches_reference(
      spec("rrelu", {{"lower", number_at(0.2, 3)}, {"upper", number_at(0.4, 4)}}));
  expect_matches_reference(spec("elu", {{"alpha", number_at(0.5, 3)}}));
  expect_matches_reference(spec("celu", {{"alpha", number_at(2.0, 3)}}));
  expect_matches_reference(spec("gelu", {{"approximate", text_at("tanh", 3)}}));
  expect_matches_reference(spec("silu", {{"beta", number_at(2.0, 3)}}));
  expect_matches_reference(
      spec("swish", {{"beta", number_at(1.5, 3)}, {"learnable", flag_at(true, 4)}}));
  expect_matches_reference(
      spec("softplus", {{"beta", number_at(2.0, 3)}, {"threshold", number_at(5.0, 4)}}));
  expect_matches_reference(
      spec("hard_tanh", {{"min_val", number_at(-2.0, 3)}, {"max_val", number_at(0.5, 4)}}));
  expect_matches_reference(spec("sine", {{"omega_0", number_at(5.0, 3)}}));
}

TEST(Activations, EveryEntryIsDescribedAndHasAPositiveGain) {
  for (const ActivationEntry* entry : ActivationRegistry::instance().entries()) {
    SCOPED_TRACE(entry->name);
    EXPECT_FALSE(entry->description.empty());
    EXPECT_FALSE(entry->gain_source.empty());
    for (const auto& param : entry->params) EXPECT_FALSE(param.help.empty()) << param.name;
    const double gain = resolve_activation(spec(entry->name)).gain();
    EXPECT_TRUE(std::isfinite(gain) && gain > 0.0) << gain;
  }
}

double gain_of(const core::ComponentSpec& s) { return resolve_activation(s).gain(); }

TEST(Activations, GainsFollowPyTorchWhereItDefinesOne) {
  EXPECT_DOUBLE_EQ(gain_of(spec("sigmoid")), 1.0);
  EXPECT_DOUBLE_EQ(gain_of(spec("tanh")), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(gain_of(spec("relu")), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(gain_of(spec("leaky_relu")), std::sqrt(2.0 / (1.0 + 0.01 * 0.01)));
  EXPECT_DOUBLE_EQ(gain_of(spec("leaky_relu", {{"negative_slope", number_at(0.2, 3)}})),
                   std::sqrt(2.0 / 1.04));
  EXPECT_DOUBLE_EQ(gain_of(spec("prelu")), std::sqrt(2.0 / (1.0 + 0.25 * 0.25)));
  EXPECT_DOUBLE_EQ(gain_of(spec("selu")), 0.75);
  EXPECT_DOUBLE_EQ(gain_of(spec("identity")), 1.0);
  EXPECT_DOUBLE_EQ(gain_of(spec("sine")), 1.0);
}

TEST(Activations, SecondMomentGains) {
  EXPECT_NEAR(second_moment_gain([](const torch::Tensor& x) { return torch::relu(x); }),
              std::sqrt(2.0), 1e-3);
  EXPECT_NEAR(second_moment_gain([](const torch::Tensor& x) { return torch::relu(x); }),
              std::sqrt(2.0), 1e-9);
  EXPECT_NEAR(second_moment_gain([](const torch::Tensor& x) { return x; }), 1.0, 1e-9);
  // E[clamp(z, -1, 1)^2] = P(|z| < 1) - 2 phi(1) + P(|z| > 1): kinks away from 0.
  const double inner = std::erf(1 / std::sqrt(2.0));
  const double phi1 = std::exp(-0.5) / std::sqrt(2 * kPi);
  EXPECT_NEAR(gain_of(spec("hard_tanh")), 1.0 / std::sqrt(inner - 2 * phi1 + (1 - inner)), 1e-9);
  // rrelu's evaluation-mode function is a leaky ReLU: the same gain as PyTorch's formula.
  const double slope = 0.5 * (1.0 / 8 + 1.0 / 3);
  EXPECT_NEAR(gain_of(spec("rrelu")), std::sqrt(2.0 / (1.0 + slope * slope)), 1e-9);
  // E[max(z1, z2)^2] = 1; E[max(z1, z2, z3)^2] = 1 + sqrt(3) / (2 pi).
  EXPECT_NEAR(gain_of(spec("maxout")), 1.0, 1e-7);
  EXPECT_NEAR(gain_of(spec("maxout", {{"k", number_at(3, 3)}})),
              1.0 / std::sqrt(1.0 + std::sqrt(3.0) / (2 * kPi)), 1e-7);
  EXPECT_THROW(second_moment_gain([](const torch::Tensor& x) { return torch::zeros_like(x); }),
               std::domain_error);
}

TEST(Activations, PReLUSlopeIsALearnableParameter) {
  const auto shared = resolve_activation(spec("prelu")).make(ActivationContext{8, false});
  ASSERT_EQ(shared->parameters().size(), 1u);
  EXPECT_EQ(shared->parameters()[0].sizes(), torch::IntArrayRef({1}));
  EXPECT_TRUE(shared->parameters()[0].requires_grad());

  const auto per_channel = resolve_activation(spec("prelu", {{"per_channel", flag_at(true, 3)}}))
                               .make(ActivationContext{8, true});
  ASSERT_EQ(per_channel->parameters().size(), 1u);
  EXPECT_EQ(per_channel->parameters()[0].sizes(), torch::IntArrayRef({8}));
  const torch::Tensor z = -torch::ones({2, 8, 3, 3});
  const torch::Tensor y = per_channel->forward(z);
  EXPECT_TRUE(torch::allclose(y, torch::full({2, 8, 3, 3}, -0.25)));
  y.sum().backward();
  const torch::Tensor grad = per_channel->parameters()[0].grad();
  ASSERT_TRUE(grad.defined());
  EXPECT_TRUE(torch::allclose(grad, torch::full({8}, -18.0)));

  EXPECT_THROW(resolve_activation(spec("prelu", {{"per_channel", flag_at(true, 3)}}))
                   .make(ActivationContext{}),
               std::invalid_argument);
}

TEST(Activations, LearnableSwishBetaTrains) {
  const auto fixed = resolve_activation(spec("silu")).make({});
  EXPECT_TRUE(fixed->parameters().empty());

  const auto learnable =
      resolve_activation(spec("swish", {{"learnable", flag_at(true, 3)}})).make({});
  const auto named = learnable->named_parameters();
  ASSERT_EQ(named.size(), 1u);
  ASSERT_TRUE(named.contains("beta"));
  EXPECT_FLOAT_EQ(named["beta"].item<float>(), 1.0f);
  learnable->forward(torch::randn({4, 5})).pow(2).sum().backward();
  const torch::Tensor grad = named["beta"].grad();
  ASSERT_TRUE(grad.defined());
  EXPECT_NE(grad.item<float>(), 0.0f);
}

TEST(Activations, RReLUDrawsSlopesOnlyWhileTraining) {
  const auto module = resolve_activation(spec("rrelu")).make({});
  const torch::Tensor x = -torch::rand({1000, 4}, torch::kFloat64) - 0.1;
  module->train();
  torch::manual_seed(3);
  const torch::Tensor slopes = module->forward(x) / x;
  EXPECT_GE(slopes.min().item<double>(), 1.0 / 8 - 1e-12);
  EXPECT_LE(slopes.max().item<double>(), 1.0 / 3 + 1e-12);
  EXPECT_GT(slopes.std().item<double>(), 0.05);
  torch::manual_seed(3);
  EXPECT_TRUE(torch::equal(module->forward(x) / x, slopes));

  module->eval();
  EXPECT_TRUE(
      torch::allclose(module->forward(x) / x, torch::full_like(x, 0.5 * (1.0 / 8 + 1.0 / 3))));
}

TEST(Activations, MaxoutTakesTheMaxOfConsecutiveGroups) {
  const auto maxout = resolve_activation(spec("maxout")).make(ActivationContext{3, false});
  EXPECT_EQ(maxout->pieces(), 2);
  const torch::Tensor x =
      torch::tensor({{1.0, 2.0, 5.0, -1.0, -3.0, -4.0}, {0.5, 0.0, 7.0, 8.0, 2.0, 1.0}},
                    torch::kFloat64)
          .requires_grad_();
  const torch::Tensor y = maxout->forward(x);
  ASSERT_EQ(y.sizes(), torch::IntArrayRef({2, 3}));
  EXPECT_TRUE(torch::equal(y.detach(),
                           torch::tensor({{2.0, 5.0, -3.0}, {0.5, 8.0, 2.0}}, torch::kFloat64)));
  y.sum().backward();
  EXPECT_TRUE(torch::equal(
      x.grad(), torch::tensor({{0.0, 1.0, 1.0, 0.0, 1.0, 0.0}, {1.0, 0.0, 0.0, 1.0, 1.0, 0.0}},
                              torch::kFloat64)));

  const auto maxout3 = resolve_activation(spec("maxout", {{"k", number_at(3, 3)}}))
                           .make(ActivationContext{2, false});
  EXPECT_EQ(maxout3->pieces(), 3);
  EXPECT_TRUE(torch::equal(maxout3->forward(x.detach()),
                           torch::tensor({{5.0, -1.0}, {7.0, 8.0}}, torch::kFloat64)));
}

TEST(Activations, MaxoutGroupsConsecutiveChannelsOfConvInputs) {
  const auto maxout = resolve_activation(spec("maxout")).make(ActivationContext{3, true});
  const torch::Tensor x = torch::randn({2, 6, 4, 5});
  const torch::Tensor y = maxout->forward(x);
  ASSERT_EQ(y.sizes(), torch::IntArrayRef({2, 3, 4, 5}));
  for (int64_t c = 0; c < 3; ++c) {
    EXPECT_TRUE(
        torch::equal(y.select(1, c), torch::max(x.select(1, 2 * c), x.select(1, 2 * c + 1))));
  }
  EXPECT_THROW(maxout->forward(torch::randn({2, 5})), c10::Error);
}

TEST(Activations, AliasResolvesToItsEntry) {
  EXPECT_EQ(resolve_activation(spec("swish")).entry->name, "silu");
}

TEST(Activations, UnknownNameSuggestsTheClosest) {
  try {
    resolve_activation(spec("rellu"));
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(e.message().find("unknown activation 'rellu'"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("did you mean 'relu'"), std::string::npos) << e.message();
    EXPECT_NE(e.hint().find("leaky_relu"), std::string::npos) << e.hint();
    EXPECT_EQ(e.where().line, 2);
    EXPECT_EQ(e.where().column, 15);
  }
}

TEST(Activations, UnknownParameterIsNamedAtItsLocation) {
  try {
    resolve_activation(spec("leaky_relu", {{"slope", number_at(0.1, 5)}}));
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(e.message().find("'slope'"), std::string::npos) << e.message();
    EXPECT_NE(e.hint().find("negative_slope"), std::string::npos) << e.hint();
    EXPECT_EQ(e.where().line, 5);
  }
  EXPECT_THROW(resolve_activation(spec("relu", {{"alpha", number_at(1, 5)}})), ConfigError);
}

void expect_config_error_at(const core::ComponentSpec& s, int line, const std::string& fragment) {
  try {
    resolve_activation(s);
    FAIL() << "expected a ConfigError for " << s.name;
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.where().line, line) << e.what();
    EXPECT_NE(e.message().find(fragment), std::string::npos) << e.message();
  }
}

TEST(Activations, OutOfRangeParametersAreLocatedErrors) {
  expect_config_error_at(spec("leaky_relu", {{"negative_slope", number_at(2.0, 6)}}), 6,
                         "outside its range");
  expect_config_error_at(spec("maxout", {{"k", number_at(1, 6)}}), 6, "outside its range");
  expect_config_error_at(spec("maxout", {{"k", number_at(2.5, 6)}}), 6, "an integer");
  expect_config_error_at(spec("sine", {{"omega_0", number_at(0.0, 6)}}), 6, "outside its range");
  expect_config_error_at(spec("celu", {{"alpha", number_at(-1.0, 6)}}), 6, "outside its range");
  expect_config_error_at(spec("gelu", {{"approximate", text_at("fast", 6)}}), 6, "'fast'");
  expect_config_error_at(spec("silu", {{"learnable", number_at(1, 6)}}), 6, "true or false");
}

TEST(Activations, CrossParameterConstraintsFailAtResolution) {
  expect_config_error_at(
      spec("hard_tanh", {{"min_val", number_at(1.0, 7)}, {"max_val", number_at(0.0, 8)}}), 8,
      "min_val < max_val");
  expect_config_error_at(spec("hard_tanh", {{"min_val", number_at(2.0, 7)}}), 7,
                         "min_val < max_val");
  expect_config_error_at(
      spec("rrelu", {{"lower", number_at(0.5, 7)}, {"upper", number_at(0.2, 8)}}), 8,
      "lower <= upper");
}

}  // namespace activations_test
}  // namespace actbench::model
