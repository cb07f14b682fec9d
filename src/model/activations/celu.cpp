// The continuously differentiable ELU (Barron 2017): ELU reparametrised as alpha * (exp(x/alpha) -
// 1) so its derivative is continuous at 0 for every alpha.
#include <torch/torch.h>

#include "model/activation.hpp"

namespace actbench::model {

ACTBENCH_REGISTER_ACTIVATION(celu) {
  ActivationEntry entry;
  entry.name = "celu";
  entry.description = "max(0, x) + min(0, alpha * (exp(x / alpha) - 1)) (Barron 2017)";
  entry.params = {core::ParamSpec::positive(
      "alpha", 1.0, "value the negative part saturates to (-alpha); divides x, so > 0")};
  entry.gain = [](const core::ParamValues& p) {
    const double alpha = p.number("alpha");
    return second_moment_gain([alpha](const torch::Tensor& x) { return torch::celu(x, alpha); });
  };
  entry.gain_source = "1/sqrt(E[f(z)^2]), z~N(0,1)";
  entry.make = [](const core::ParamValues& p, const ActivationContext&) {
    const double alpha = p.number("alpha");
    return make_elementwise([alpha](const torch::Tensor& x) { return torch::celu(x, alpha); });
  };
  return entry;
}

}  // namespace actbench::model
