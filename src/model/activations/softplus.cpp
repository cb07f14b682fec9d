// Softplus log(1 + exp(beta * x)) / beta (Dugas et al. 2001): a smooth ReLU, linear above the
// threshold for numerical stability, as torch.nn.Softplus.
#include <torch/torch.h>

#include "model/activation.hpp"

namespace actbench::model {

ACTBENCH_REGISTER_ACTIVATION(softplus) {
  ActivationEntry entry;
  entry.name = "softplus";
  entry.description = "log(1 + exp(beta * x)) / beta, a smooth ReLU (Dugas et al. 2001)";
  entry.params = {
      core::ParamSpec::positive("beta", 1.0, "sharpness; large beta approaches ReLU"),
      core::ParamSpec::positive("threshold", 20.0, "above beta * x > threshold, f(x) = x"),
  };
  entry.gain = [](const core::ParamValues& p) {
    const double beta = p.number("beta"), threshold = p.number("threshold");
    return second_moment_gain(
        [=](const torch::Tensor& x) { return torch::softplus(x, beta, threshold); });
  };
  entry.gain_source = "1/sqrt(E[f(z)^2]), z~N(0,1)";
  entry.make = [](const core::ParamValues& p, const ActivationContext&) {
    const double beta = p.number("beta"), threshold = p.number("threshold");
    return make_elementwise(
        [=](const torch::Tensor& x) { return torch::softplus(x, beta, threshold); });
  };
  return entry;
}

}  // namespace actbench::model
