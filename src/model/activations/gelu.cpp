// The Gaussian error linear unit x * Phi(x) (Hendrycks & Gimpel 2016), exact or with the tanh
// approximation BERT and GPT-2 used; gelu_tanh names the latter so sweeps can list it as its own
// activation.
#include <torch/torch.h>

#include <string>

#include "model/activation.hpp"

namespace actbench::model {

namespace {

std::function<torch::Tensor(const torch::Tensor&)> gelu_function(std::string approximate) {
  return [approximate = std::move(approximate)](const torch::Tensor& x) {
    return torch::gelu(x, approximate);
  };
}

}  // namespace

ACTBENCH_REGISTER_ACTIVATION(gelu) {
  ActivationEntry entry;
  entry.name = "gelu";
  entry.description = "x * Phi(x), Phi the standard normal CDF (Hendrycks & Gimpel 2016)";
  entry.params = {core::ParamSpec::choice("approximate", "none", {"none", "tanh"},
                                          "'tanh' for the tanh approximation, as torch.nn.GELU")};
  entry.gain = [](const core::ParamValues& p) {
    return second_moment_gain(gelu_function(p.text("approximate")));
  };
  entry.gain_source = "1/sqrt(E[f(z)^2]), z~N(0,1)";
  entry.make = [](const core::ParamValues& p, const ActivationContext&) {
    return make_elementwise(gelu_function(p.text("approximate")));
  };
  return entry;
}

ACTBENCH_REGISTER_ACTIVATION(gelu_tanh) {
  ActivationEntry entry;
  entry.name = "gelu_tanh";
  entry.description =
      "GELU with the tanh approximation 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3))) "
      "(Hendrycks & Gimpel 2016)";
  entry.gain = [](const core::ParamValues&) { return second_moment_gain(gelu_function("tanh")); };
  entry.gain_source = "1/sqrt(E[f(z)^2]), z~N(0,1)";
  entry.make = [](const core::ParamValues&, const ActivationContext&) {
    return make_elementwise(gelu_function("tanh"));
  };
  return entry;
}

}  // namespace actbench::model
