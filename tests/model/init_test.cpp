// Initialisers by their statistics on large seeded weights, SIREN's per-layer rule and its located
// error without a sine, bias initialisers, and reproducibility under torch::manual_seed.
#include "model/init.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <string>

#include "core/error.hpp"
#include "model/activation.hpp"

namespace actbench::model {
namespace init_test {

constexpr int64_t kFanOut = 512;
constexpr int64_t kFanIn = 1024;

core::ParamValue number_at(double value, int line) {
  core::ParamValue v;
  v.kind = core::ParamKind::Number;
  v.number = value;
  v.where = SourceLocation::in_file("init.yaml", line, 9);
  return v;
}

core::ParamValue text_at(std::string value, int line) {
  core::ParamValue v;
  v.kind = core::ParamKind::Choice;
  v.text = std::move(value);
  v.where = SourceLocation::in_file("init.yaml", line, 9);
  return v;
}

core::ComponentSpec spec(std::string name, std::map<std::string, core::ParamValue> params = {}) {
  core::ComponentSpec s;
  s.name = std::move(name);
  s.where = SourceLocation::in_file("init.yaml", 4, 9);
  s.params = std::move(params);
  return s;
}

ResolvedActivation activation(std::string name,
                              std::map<std::string, core::ParamValue> params = {}) {
  return resolve_activation(spec(std::move(name), std::move(params)));
}

// Layer `index` of a 4-layer network, with the fans of a 512x1024 weight.
InitContext context(const ResolvedActivation* act, int64_t index = 1) {
  InitContext c;
  c.layer_index = index;
  c.num_layers = 4;
  c.fan_in = kFanIn;
  c.fan_out = kFanOut;
  c.activation = act;
  return c;
}

// A seeded [512, 1024] weight, as a Parameter would be (requires grad), filled by the initialiser.
torch::Tensor initialised(const core::ComponentSpec& s, const InitContext& c, uint64_t seed = 7) {
  const ResolvedInit init = resolve_init(s);
  torch::manual_seed(seed);
  torch::Tensor weight = torch::empty({c.fan_out, c.fan_in}).requires_grad_();
  init.entry->apply(weight, init.params, c, init.where);
  EXPECT_TRUE(weight.requires_grad());
  return weight;
}

double std_of(const torch::Tensor& t) { return t.detach().std().item<double>(); }
double max_abs(const torch::Tensor& t) { return t.detach().abs().max().item<double>(); }

void expect_std(const torch::Tensor& t, double expected) {
  EXPECT_NEAR(std_of(t), expected, 0.02 * expected);
  EXPECT_NEAR(t.detach().mean().item<double>(), 0.0, 0.02 * expected);
}

void expect_uniform(const torch::Tensor& t, double bound) {
  EXPECT_LE(max_abs(t), bound);
  EXPECT_GE(max_abs(t), 0.99 * bound);  // fills the interval, not a narrower one
  expect_std(t, bound / std::sqrt(3.0));
}

TEST(Init, XavierUsesTheActivationGain) {
  const auto relu = activation("relu");
  const double gain = std::sqrt(2.0);
  const double std = gain * std::sqrt(2.0 / (kFanIn + kFanOut));
  expect_uniform(initialised(spec("xavier_uniform"), context(&relu)), std * std::sqrt(3.0));
  expect_std(initialised(spec("xavier_normal"), context(&relu)), std);
  // An explicit gain wins over the activation's.
  expect_std(initialised(spec("xavier_normal", {{"gain", number_at(1.0, 5)}}), context(&relu)),
             std::sqrt(2.0 / (kFanIn + kFanOut)));
}

TEST(Init, KaimingScalesByTheChosenFan) {
  const auto relu = activation("relu");
  expect_std(initialised(spec("kaiming_normal"), context(&relu)), std::sqrt(2.0 / kFanIn));
  expect_std(initialised(spec("kaiming_normal", {{"mode", text_at("fan_out", 5)}}), context(&relu)),
             std::sqrt(2.0 / kFanOut));
  expect_uniform(initialised(spec("kaiming_uniform"), context(&relu)), std::sqrt(6.0 / kFanIn));
  expect_uniform(
      initialised(spec("kaiming_uniform", {{"mode", text_at("fan_out", 5)}}), context(&relu)),
      std::sqrt(6.0 / kFanOut));
  const auto leaky = activation("leaky_relu", {{"negative_slope", number_at(0.2, 3)}});
  expect_std(initialised(spec("kaiming_normal"), context(&leaky)),
             std::sqrt(2.0 / 1.04) / std::sqrt(kFanIn));
}

TEST(Init, OutputLayerUsesGainOne) {
  const auto relu = activation("relu");
  expect_std(initialised(spec("kaiming_normal"), context(&relu, 3)), 1.0 / std::sqrt(kFanIn));
  EXPECT_DOUBLE_EQ(layer_gain(context(&relu, 3)), 1.0);
  EXPECT_DOUBLE_EQ(layer_gain(context(&relu, 2)), std::sqrt(2.0));
  EXPECT_THROW(layer_gain(context(nullptr, 1)), std::invalid_argument);
}

TEST(Init, FansComeFromTheWeightShapeWhenTheContextHasNone) {
  const auto relu = activation("relu");
  InitContext c = context(&relu);
  c.fan_in = 0;
  c.fan_out = 0;
  const ResolvedInit init = resolve_init(spec("kaiming_normal"));
  torch::manual_seed(1);
  torch::Tensor conv = torch::empty({256, 64, 3, 3});
  init.entry->apply(conv, init.params, c, init.where);
  expect_std(conv, std::sqrt(2.0 / (64 * 9)));
}

TEST(Init, LeCun) {
  const auto selu = activation("selu");
  expect_std(initialised(spec("lecun_normal"), context(&selu)), 1.0 / std::sqrt(kFanIn));
  expect_uniform(initialised(spec("lecun_uniform"), context(&selu)), std::sqrt(3.0 / kFanIn));
}

TEST(Init, OrthogonalRowsAreOrthogonalWithNormGain) {
  const auto tanh = activation("tanh");
  const torch::Tensor w = initialised(spec("orthogonal"), context(&tanh)).detach();
  const double gain = 5.0 / 3.0;
  EXPECT_TRUE(torch::allclose(torch::mm(w, w.t()), gain * gain * torch::eye(kFanOut), 1e-4, 1e-4));
  const torch::Tensor unit =
      initialised(spec("orthogonal", {{"gain", number_at(1.0, 5)}}), context(&tanh)).detach();
  EXPECT_TRUE(torch::allclose(torch::mm(unit, unit.t()), torch::eye(kFanOut), 1e-4, 1e-4));
}

TEST(Init, StandardAndPyTorchDefault) {
  const auto relu = activation("relu");
  const double bound = 1.0 / std::sqrt(kFanIn);
  expect_uniform(initialised(spec("standard"), context(&relu)), bound);
  EXPECT_EQ(resolve_init(spec("pytorch_default")).entry->name, "standard");
}

TEST(Init, SirenFirstLayerAndLaterLayers) {
  const auto sine = activation("sine");
  expect_uniform(initialised(spec("siren"), context(&sine, 0)), 1.0 / kFanIn);
  expect_uniform(initialised(spec("siren"), context(&sine, 1)), std::sqrt(6.0 / kFanIn) / 30.0);
  expect_uniform(initialised(spec("siren"), context(&sine, 3)), std::sqrt(6.0 / kFanIn) / 30.0);

  const auto sine10 = activation("sine", {{"omega_0", number_at(10.0, 3)}});
  expect_uniform(initialised(spec("siren"), context(&sine10, 2)), std::sqrt(6.0 / kFanIn) / 10.0);
  // The init's own omega_0 wins, and makes the init usable with any activation.
  const auto relu = activation("relu");
  expect_uniform(initialised(spec("siren", {{"omega_0", number_at(5.0, 5)}}), context(&relu, 2)),
                 std::sqrt(6.0 / kFanIn) / 5.0);
}

TEST(Init, SirenWithoutSineIsALocatedConfigError) {
  const auto relu = activation("relu");
  for (int64_t layer : {0, 2}) {
    try {
      initialised(spec("siren"), context(&relu, layer));
      FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
      EXPECT_NE(e.message().find("sine"), std::string::npos) << e.message();
      EXPECT_NE(e.message().find("'relu'"), std::string::npos) << e.message();
      EXPECT_NE(e.hint().find("omega_0"), std::string::npos) << e.hint();
      EXPECT_EQ(e.where().line, 4);
    }
  }
  EXPECT_THROW(initialised(spec("siren"), context(nullptr, 3)), ConfigError);
}

TEST(Init, FixedScaleNormalAndUniform) {
  const auto relu = activation("relu");
  expect_std(initialised(spec("normal"), context(&relu)), 0.01);
  const torch::Tensor shifted = initialised(
      spec("normal", {{"mean", number_at(0.5, 5)}, {"std", number_at(0.1, 6)}}), context(&relu));
  EXPECT_NEAR(shifted.mean().item<double>(), 0.5, 1e-3);
  EXPECT_NEAR(std_of(shifted), 0.1, 2e-3);
  expect_uniform(initialised(spec("uniform"), context(&relu)), 0.05);
  expect_uniform(initialised(spec("uniform", {{"a", number_at(0.3, 5)}}), context(&relu)), 0.3);
}

TEST(Init, SameSeedGivesIdenticalWeights) {
  const auto relu = activation("relu");
  for (const char* name :
       {"xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "lecun_normal",
        "lecun_uniform", "orthogonal", "standard", "normal", "uniform"}) {
    SCOPED_TRACE(name);
    const torch::Tensor a = initialised(spec(name), context(&relu), 11);
    const torch::Tensor b = initialised(spec(name), context(&relu), 11);
    const torch::Tensor c = initialised(spec(name), context(&relu), 12);
    EXPECT_TRUE(torch::equal(a, b));
    EXPECT_FALSE(torch::equal(a, c));
  }
}

TEST(Init, EveryInitialiserIsDescribed) {
  for (const InitEntry* entry : InitRegistry::instance().entries()) {
    EXPECT_FALSE(entry->description.empty()) << entry->name;
    for (const auto& param : entry->params) EXPECT_FALSE(param.help.empty()) << param.name;
  }
  for (const BiasInitEntry* entry : BiasInitRegistry::instance().entries()) {
    EXPECT_FALSE(entry->description.empty()) << entry->name;
  }
}

TEST(Init, UnknownNamesAndParametersAreLocated) {
  try {
    resolve_init(spec("kaiming_normall"));
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(e.message().find("did you mean 'kaiming_normal'"), std::string::npos) << e.message();
    EXPECT_EQ(e.where().line, 4);
  }
  EXPECT_THROW(resolve_init(spec("kaiming_normal", {{"mode", text_at("fan_avg", 6)}})),
               ConfigError);
  EXPECT_THROW(resolve_init(spec("xavier_normal", {{"gain", number_at(-1.0, 6)}})), ConfigError);
  EXPECT_THROW(resolve_init(spec("normal", {{"sd", number_at(0.1, 6)}})), ConfigError);
  EXPECT_THROW(resolve_bias_init(spec("one")), ConfigError);
}

torch::Tensor bias_initialised(const core::ComponentSpec& s, uint64_t seed = 5) {
  const ResolvedBiasInit init = resolve_bias_init(s);
  torch::manual_seed(seed);
  torch::Tensor bias = torch::full({100000}, 7.0).requires_grad_();
  init.entry->apply(bias, init.params, context(nullptr));
  return bias.detach();
}

TEST(BiasInit, ZerosConstantNormalUniform) {
  EXPECT_TRUE(torch::equal(bias_initialised(spec("zeros")), torch::zeros({100000})));
  EXPECT_TRUE(torch::equal(bias_initialised(spec("constant", {{"value", number_at(0.1, 5)}})),
                           torch::full({100000}, 0.1)));
  expect_std(bias_initialised(spec("normal")), 0.01);
  expect_uniform(bias_initialised(spec("uniform")), 1.0 / std::sqrt(kFanIn));
  expect_uniform(bias_initialised(spec("uniform", {{"a", number_at(0.2, 5)}})), 0.2);
  EXPECT_TRUE(
      torch::equal(bias_initialised(spec("normal"), 9), bias_initialised(spec("normal"), 9)));
}

}  // namespace init_test
}  // namespace actbench::model
