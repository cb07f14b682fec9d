// The computed activation properties against facts known from the papers and textbooks: if one of
// these fails, either an activation or the property computation changed, and the catalogue that
// `actbench activations` prints would be wrong.
#include "model/properties.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <string>

#include "core/error.hpp"
#include "model/activation.hpp"

namespace actbench::model {
namespace properties_test {

constexpr double kPi = 3.14159265358979323846;

// Each activation's properties are computed once for the whole test program.
const ActivationProperties& properties(const std::string& name) {
  static std::map<std::string, ActivationProperties> cache;
  auto it = cache.find(name);
  if (it == cache.end())
    it = cache.emplace(name, compute_properties(default_activation(name))).first;
  return it->second;
}

ActivationCurve on_grid(const std::string& name) {
  return evaluate_activation(default_activation(name), property_grid());
}

double max_abs(const torch::Tensor& t) { return t.abs().max().item<double>(); }

TEST(Properties, SigmoidLargestDerivativeIsAQuarterAtZero) {
  const auto& p = properties("sigmoid");
  EXPECT_NEAR(p.max_abs_derivative, 0.25, 1e-12);
  EXPECT_EQ(p.max_derivative_x, 0.0);
  EXPECT_EQ(p.max_derivative_from, p.max_derivative_to);  // a single point, not a stretch
  EXPECT_NEAR(p.derivative_at_zero, 0.25, 1e-12);
}

TEST(Properties, TanhLargestDerivativeIsOneAtZeroAndItIsZeroCentred) {
  const auto& p = properties("tanh");
  EXPECT_NEAR(p.max_abs_derivative, 1.0, 1e-12);
  EXPECT_EQ(p.max_derivative_x, 0.0);
  EXPECT_TRUE(p.zero_centred);
  EXPECT_TRUE(p.odd);
  EXPECT_TRUE(p.monotonic);
  EXPECT_TRUE(p.smooth);
  // (-1, 1): approached, never reached, although float64 rounds tanh(x) to 1 beyond x = 19.1.
  EXPECT_TRUE(p.lower.bounded && p.upper.bounded);
  EXPECT_DOUBLE_EQ(p.lower.value, -1.0);
  EXPECT_DOUBLE_EQ(p.upper.value, 1.0);
  EXPECT_FALSE(p.lower.attained);
  EXPECT_FALSE(p.upper.attained);
  EXPECT_TRUE(p.saturates_left && p.saturates_right);
  EXPECT_NEAR(p.mean, 0.0, 1e-12);
}

TEST(Properties, Relu6IsBoundedByZeroAndSix) {
  const auto& p = properties("relu6");
  EXPECT_TRUE(p.lower.bounded);
  EXPECT_TRUE(p.lower.attained);
  EXPECT_EQ(p.lower.value, 0.0);
  EXPECT_TRUE(p.upper.bounded);
  EXPECT_TRUE(p.upper.attained);
  EXPECT_NEAR(p.upper.value, 6.0, 1e-12);
  ASSERT_EQ(p.kinks.size(), 2u);
  EXPECT_NEAR(p.kinks[0], 0.0, 1e-4);
  EXPECT_NEAR(p.kinks[1], 6.0, 1e-4);
  EXPECT_TRUE(p.saturates_left && p.saturates_right);
  EXPECT_TRUE(p.sparse);
}

TEST(Properties, SeluMapsStandardNormalToZeroMeanUnitVariance) {
  const auto& p = properties("selu");
  EXPECT_NEAR(p.mean, 0.0, 1e-3);
  EXPECT_NEAR(p.variance, 1.0, 1e-3);
  // Its derivative jumps at 0 from scale * alpha = 1.7581 to scale = 1.0507.
  EXPECT_FALSE(p.smooth);
  ASSERT_EQ(p.kinks.size(), 1u);
  EXPECT_NEAR(p.kinks[0], 0.0, 1e-4);
  EXPECT_NEAR(p.lower.value, -1.0507009873554805 * 1.6732632423543772, 1e-9);
  EXPECT_FALSE(p.lower.attained);
  EXPECT_FALSE(p.upper.bounded);
}

TEST(Properties, SoftplusDerivativeIsTheSigmoid) {
  const ActivationCurve c = on_grid("softplus");
  EXPECT_LE(max_abs(c.df - torch::sigmoid(c.x)), 1e-6);
  const auto& p = properties("softplus");
  EXPECT_TRUE(p.smooth);
  EXPECT_TRUE(p.saturates_left);
  EXPECT_FALSE(p.saturates_right);
  EXPECT_FALSE(p.sparse);  // close to 0, never exactly 0 on the grid
  EXPECT_EQ(p.lower.value, 0.0);
  EXPECT_FALSE(p.lower.attained);
}

TEST(Properties, GeluTanhStaysWithinOneThousandthOfTheErfForm) {
  const ActivationCurve exact = on_grid("gelu");
  const ActivationCurve approx = on_grid("gelu_tanh");
  const double gap = max_abs(exact.f - approx.f);
  EXPECT_LE(gap, 1e-3);
  EXPECT_GT(gap, 0.0);  // it is an approximation: the two must not be the same op
}

TEST(Properties, HardSwishIsXTimesRelu6OfXPlus3Over6) {
  const ActivationCurve c = on_grid("hard_swish");
  EXPECT_LE(max_abs(c.f - c.x * torch::clamp(c.x + 3, 0, 6) / 6), 1e-12);
  const auto& p = properties("hard_swish");
  EXPECT_NEAR(p.lower.value, -0.375, 1e-9);  // at x = -1.5
  EXPECT_TRUE(p.lower.attained);
  EXPECT_FALSE(p.monotonic);
  ASSERT_EQ(p.kinks.size(), 2u);
  EXPECT_NEAR(p.kinks[0], -3.0, 1e-3);
  EXPECT_NEAR(p.kinks[1], 3.0, 1e-3);
  EXPECT_NEAR(p.max_abs_derivative, 1.5, 1e-3);  // (2x + 3) / 6 just below x = 3
}

TEST(Properties, ReluIsSparseAndNotZeroCentredAndSaturatesLeftOnly) {
  const auto& p = properties("relu");
  EXPECT_TRUE(p.sparse);
  EXPECT_FALSE(p.sparse_on_right);
  EXPECT_EQ(p.sparse_threshold, 0.0);
  EXPECT_FALSE(p.zero_centred);
  EXPECT_TRUE(p.saturates_left);
  EXPECT_FALSE(p.saturates_right);
  EXPECT_TRUE(p.monotonic);
  EXPECT_FALSE(p.smooth);
  EXPECT_EQ(p.derivative_at_zero, 0.0);  // autograd's choice at the kink
  EXPECT_EQ(p.max_abs_derivative, 1.0);
  EXPECT_EQ(p.max_derivative_to, std::numeric_limits<double>::infinity());
  EXPECT_EQ(p.max_derivative_from, 0.0);  // snapped to the kink
  EXPECT_TRUE(p.lower.attained);
  EXPECT_FALSE(p.upper.bounded);
  // z ~ N(0, 1): E[relu(z)] = 1/sqrt(2 pi), E[relu(z)^2] = 1/2.
  EXPECT_NEAR(p.mean, 1 / std::sqrt(2 * kPi), 1e-9);
  EXPECT_NEAR(p.variance, 0.5 - 1 / (2 * kPi), 1e-9);
}

TEST(Properties, SigmoidSaturatesOnBothSidesAndIsOpenZeroOne) {
  const auto& p = properties("sigmoid");
  EXPECT_TRUE(p.saturates_left && p.saturates_right);
  EXPECT_FALSE(p.zero_centred);
  EXPECT_FALSE(p.sparse);
  EXPECT_EQ(p.lower.value, 0.0);
  EXPECT_EQ(p.upper.value, 1.0);
  EXPECT_FALSE(p.lower.attained || p.upper.attained);
  EXPECT_NEAR(p.mean, 0.5, 1e-12);
}

TEST(Properties, SineIsNotMonotonicAndIsBoundedByMinusOneAndOne) {
  const auto& p = properties("sine");
  EXPECT_FALSE(p.monotonic);
  EXPECT_NEAR(p.lower.value, -1.0, 1e-12);
  EXPECT_NEAR(p.upper.value, 1.0, 1e-12);
  EXPECT_TRUE(p.lower.attained && p.upper.attained);
  EXPECT_FALSE(p.saturates_left || p.saturates_right);
  EXPECT_TRUE(p.smooth);  // f'' reaches 900 here, which must not read as a kink
  EXPECT_TRUE(p.odd);
  EXPECT_NEAR(p.max_abs_derivative, 30.0, 1e-9);  // omega_0
}

TEST(Properties, SmoothShapesAndTheirMinima) {
  for (const char* name : {"gelu", "gelu_tanh", "silu", "mish", "elu", "celu", "softsign"}) {
    EXPECT_TRUE(properties(name).smooth) << name;
  }
  // Swish's minimum -0.2785 at x = -1.2785 (where x = -1 - exp(-x) ... solved numerically).
  EXPECT_NEAR(properties("silu").lower.value, -0.278464542761074, 1e-9);
  EXPECT_FALSE(properties("silu").monotonic);
  EXPECT_NEAR(properties("mish").lower.value, -0.308840, 1e-5);
  EXPECT_NEAR(properties("gelu").lower.value, -0.169971, 1e-5);
  // Softsign approaches +-1 polynomially, and still saturates.
  const auto& softsign = properties("softsign");
  EXPECT_NEAR(softsign.upper.value, 1.0, 1e-6);
  EXPECT_FALSE(softsign.upper.attained);
  EXPECT_TRUE(softsign.saturates_left && softsign.saturates_right);
}

TEST(Properties, LeakyFamilyIsUnboundedAndNeverSaturates) {
  for (const char* name : {"leaky_relu", "prelu", "rrelu", "identity"}) {
    const auto& p = properties(name);
    EXPECT_FALSE(p.lower.bounded) << name;
    EXPECT_FALSE(p.upper.bounded) << name;
    EXPECT_FALSE(p.saturates_left || p.saturates_right) << name;
    EXPECT_TRUE(p.monotonic) << name;
    EXPECT_TRUE(p.zero_centred) << name;
  }
  // RReLU in eval mode: the mean slope (1/8 + 1/3) / 2 on the left, every time.
  const ActivationCurve c = on_grid("rrelu");
  EXPECT_NEAR(c.df[0].item<double>(), (1.0 / 8 + 1.0 / 3) / 2, 1e-7);
  EXPECT_TRUE(properties("identity").smooth);
  EXPECT_FALSE(properties("leaky_relu").smooth);
}

TEST(Properties, HardSigmoidAndHardTanhArePiecewiseLinearAndClosed) {
  const auto& hs = properties("hard_sigmoid");
  EXPECT_EQ(hs.lower.value, 0.0);
  EXPECT_EQ(hs.upper.value, 1.0);
  EXPECT_TRUE(hs.lower.attained && hs.upper.attained);
  // Not 1e-12: PyTorch's float64 hardsigmoid backward multiplies by the float32 constant
  // 1.0f / 6.0f = 0.16666667163, while the forward divides by 6 exactly.
  EXPECT_NEAR(hs.max_abs_derivative, 1.0 / 6.0, 1e-8);
  EXPECT_NEAR(hs.max_derivative_from, -3.0, 1e-3);
  EXPECT_NEAR(hs.max_derivative_to, 3.0, 1e-3);
  EXPECT_NEAR(hs.sparse_threshold, -3.0, 1e-9);
  const auto& ht = properties("hard_tanh");
  EXPECT_TRUE(ht.odd);
  EXPECT_EQ(ht.kinks.size(), 2u);
  EXPECT_TRUE(ht.lower.attained && ht.upper.attained);
}

TEST(Properties, MaxoutIsEvaluatedOnEqualPiecesWithIidMoments) {
  const auto& p = properties("maxout");
  EXPECT_FALSE(p.elementwise);
  EXPECT_NE(p.note.find("equal"), std::string::npos);
  // Equal pieces: the identity.
  EXPECT_FALSE(p.lower.bounded || p.upper.bounded);
  EXPECT_EQ(p.max_abs_derivative, 1.0);
  EXPECT_TRUE(p.odd);
  // The max of two iid N(0, 1): mean 1/sqrt(pi), variance 1 - 1/pi.
  EXPECT_NEAR(p.mean, 1 / std::sqrt(kPi), 1e-9);
  EXPECT_NEAR(p.variance, 1 - 1 / kPi, 1e-9);
}

TEST(Properties, EveryActivationIsComputedInFloat64WithFiniteMoments) {
  for (const auto* entry : ActivationRegistry::instance().entries()) {
    const auto& p = properties(entry->name);
    EXPECT_EQ(p.precision, "float64") << entry->name;
    EXPECT_TRUE(std::isfinite(p.mean) && std::isfinite(p.variance)) << entry->name;
    EXPECT_GT(p.variance, 0.0) << entry->name;
    EXPECT_GT(p.max_abs_derivative, 0.0) << entry->name;
    // The gain that second_moment_gain computes is 1 / sqrt(E[f^2]); the same quadrature here.
    if (entry->gain_source == "1/sqrt(E[f(z)^2]), z~N(0,1)") {
      EXPECT_NEAR(p.gain, 1 / std::sqrt(p.variance + p.mean * p.mean), 1e-9) << entry->name;
    }
  }
}

TEST(Properties, ParametersChangeTheComputedProperties) {
  core::ComponentSpec spec;
  spec.name = "elu";
  core::ParamValue alpha;
  alpha.number = 0.5;
  spec.params["alpha"] = alpha;
  const ActivationProperties p = compute_properties(resolve_activation(spec));
  // alpha = 1 makes ELU's derivative continuous at 0; any other alpha leaves a kink there.
  EXPECT_TRUE(properties("elu").smooth);
  EXPECT_FALSE(p.smooth);
  EXPECT_NEAR(p.lower.value, -0.5, 1e-12);
  EXPECT_EQ(p.parameters, "alpha=0.5");
}

TEST(Properties, WorksUnderNoGradGuard) {
  torch::NoGradGuard no_grad;
  const ActivationCurve c = evaluate_activation(default_activation("tanh"), property_grid());
  EXPECT_NEAR(c.df[200000].item<double>(), 1.0, 1e-15);
}

TEST(Properties, NormalExpectationIntegratesMoments) {
  EXPECT_NEAR(normal_expectation([](const torch::Tensor& z) { return torch::ones_like(z); }), 1.0,
              1e-12);
  EXPECT_NEAR(normal_expectation([](const torch::Tensor& z) { return z * z; }), 1.0, 1e-12);
  EXPECT_NEAR(normal_expectation([](const torch::Tensor& z) { return z.pow(4); }), 3.0, 1e-10);
  EXPECT_NEAR(normal_expectation([](const torch::Tensor& z) { return z.abs(); }),
              std::sqrt(2 / kPi), 1e-10);
}

TEST(Properties, DerivativeJumpsOnAnyEvenGrid) {
  const torch::Tensor x = torch::linspace(-2, 2, 4001, torch::kFloat64);
  // |x - 0.5|: one jump of 2 at 0.5; f'' of a smooth x^3 must not register.
  ActivationCurve c{x, (x - 0.5).abs() + x.pow(3), torch::sign(x - 0.5) + 3 * x * x};
  const auto jumps = derivative_jumps(c);
  ASSERT_EQ(jumps.size(), 1u);
  EXPECT_NEAR(jumps[0].x, 0.5, 1e-5);
}

TEST(Properties, UnknownNameSuggestsTheClosest) {
  try {
    default_activation("rellu", SourceLocation::cli_arg(2));
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'relu'"), std::string::npos) << e.what();
  }
}

}  // namespace properties_test
}  // namespace actbench::model

namespace actbench::model {
namespace properties_test {

// The catalogue works for expressions exactly as for built-ins: `x * sigmoid(x)` is SiLU, and every
// computed property says so.
TEST(Properties, AnExpressionGetsTheBuiltInsProperties) {
  core::ComponentSpec spec;
  spec.name = "expr";
  core::ParamValue text;
  text.kind = core::ParamKind::Text;
  text.text = "x * sigmoid(x)";
  spec.params["expr"] = text;
  const ActivationProperties expr = compute_properties(resolve_activation(spec));
  core::ComponentSpec silu_spec;
  silu_spec.name = "silu";
  const ActivationProperties silu = compute_properties(resolve_activation(silu_spec));
  EXPECT_NEAR(expr.max_abs_derivative, silu.max_abs_derivative, 1e-9);
  EXPECT_NEAR(expr.max_derivative_x, silu.max_derivative_x, 1e-3);
  EXPECT_NEAR(expr.derivative_at_zero, silu.derivative_at_zero, 1e-9);
  EXPECT_NEAR(expr.mean, silu.mean, 1e-9);
  EXPECT_NEAR(expr.variance, silu.variance, 1e-9);
  EXPECT_EQ(expr.monotonic, silu.monotonic);
  EXPECT_EQ(expr.smooth, silu.smooth);
  EXPECT_EQ(expr.zero_centred, silu.zero_centred);
  EXPECT_EQ(expr.saturates_left, silu.saturates_left);
  EXPECT_EQ(expr.saturates_right, silu.saturates_right);
  EXPECT_EQ(expr.sparse, silu.sparse);
  EXPECT_NEAR(expr.gain, silu.gain, 1e-6);
}

}  // namespace properties_test
}  // namespace actbench::model
