// The `critical` and `mean_field` initialisers: weight and bias variances on a wide layer, the
// edge-of-chaos sigma_w2 taken from the layer's activation, the mean-field numbers in the
// per-layer report that meta.json records, and located errors where no edge of chaos exists.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>

#include "catalogue/activation_theory.hpp"
#include "core/error.hpp"
#include "model/init.hpp"
#include "model/properties.hpp"

namespace actbench::model {
namespace mean_field_init_test {

core::ComponentSpec init_spec(const std::string& name, std::map<std::string, double> params) {
  core::ComponentSpec spec;
  spec.name = name;
  spec.where = SourceLocation::in_file("init.yaml", 3, 9);
  for (const auto& [key, value] : params) {
    core::ParamValue v;
    v.kind = core::ParamKind::Number;
    v.number = value;
    v.where = SourceLocation::in_file("init.yaml", 3, 20);
    spec.params[key] = v;
  }
  return spec;
}

struct Drawn {
  double weight_variance = 0.0, bias_variance = 0.0;
  std::string description;
};

Drawn draw(const ResolvedInit& init, const ResolvedActivation& activation) {
  torch::manual_seed(3);
  at::Tensor weight = torch::empty({1000, 800});
  at::Tensor bias = torch::empty({1000});
  InitContext context;
  context.layer_index = 1;
  context.num_layers = 4;
  context.fan_in = 800;
  context.fan_out = 1000;
  context.activation = &activation;
  context.bias = bias;
  init.entry->apply(weight, init.params, context, init.where);
  return {weight.var().item<double>() * 800.0, bias.var().item<double>(),
          init.entry->describe ? init.entry->describe(init.params, context) : ""};
}

TEST(MeanFieldInit, CriticalDrawsTheEdgeOfChaosOfTheLayersActivation) {
  const ResolvedActivation tanh = default_activation("tanh");
  const ResolvedInit init = resolve_init(init_spec("critical", {{"sigma_b2", 0.05}}));
  const Drawn drawn = draw(init, tanh);
  const double critical = catalogue::critical_sigma_w2(tanh, 0.05);
  EXPECT_NEAR(drawn.weight_variance, critical, 0.01 * critical);
  EXPECT_NEAR(drawn.bias_variance, 0.05, 0.1 * 0.05);
  EXPECT_NE(drawn.description.find("chi1 = 1,"), std::string::npos) << drawn.description;
  EXPECT_NE(drawn.description.find("q* = "), std::string::npos) << drawn.description;
  EXPECT_NE(drawn.description.find("xi_c = inf"), std::string::npos) << drawn.description;
  // ReLU at sigma_b2 = 0 is He's initialisation.
  const Drawn he =
      draw(resolve_init(init_spec("critical", {{"sigma_b2", 0.0}})), default_activation("relu"));
  EXPECT_NEAR(he.weight_variance, 2.0, 0.02);
  EXPECT_EQ(he.bias_variance, 0.0);
}

TEST(MeanFieldInit, MeanFieldDrawsTheGivenVariancesAndRecordsTheTheory) {
  const ResolvedInit init =
      resolve_init(init_spec("mean_field", {{"sigma_w2", 1.5}, {"sigma_b2", 0.1}}));
  const Drawn drawn = draw(init, default_activation("relu"));
  EXPECT_NEAR(drawn.weight_variance, 1.5, 0.015);
  EXPECT_NEAR(drawn.bias_variance, 0.1, 0.01);
  // ReLU: q* = 0.1 / (1 - 1.5 / 2) = 0.4, chi1 = 0.75, xi_c = -1 / log(0.75).
  EXPECT_NE(drawn.description.find("q* = 0.4, chi1 = 0.75, xi_c = 3.47606"), std::string::npos)
      << drawn.description;
}

TEST(MeanFieldInit, NoEdgeOfChaosIsALocatedError) {
  const ResolvedInit init = resolve_init(init_spec("critical", {{"sigma_b2", 0.05}}));
  try {
    draw(init, default_activation("relu"));
    FAIL() << "ReLU has no edge of chaos at sigma_b2 = 0.05";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.where().str(), "init.yaml:3:9");
    EXPECT_NE(std::string(e.what()).find("does not reach"), std::string::npos) << e.what();
  }
  EXPECT_THROW(draw(init, default_activation("maxout")), ConfigError);
  EXPECT_THROW(resolve_init(init_spec("mean_field", {{"sigma_w2", -1.0}})), ConfigError);
}

}  // namespace mean_field_init_test
}  // namespace actbench::model
