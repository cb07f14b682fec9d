// The exponential linear unit (Clevert et al. 2016): identity for positive inputs, a smooth
// saturation to -alpha for negative ones, which pushes mean activations towards zero.
#include <torch/torch.h>

#include "model/activation.hpp"

namespace actbench::model {

ACTBENCH_REGISTER_ACTIVATION(elu) {
  ActivationEntry entry;
  entry.name = "elu";
  entry.description = "x if x > 0 else alpha * (exp(x) - 1) (Clevert et al. 2016)";
  entry.params = {
      core::ParamSpec::number("alpha", 1.0, "value the negative part saturates to (-alpha)", 0.0)};
  entry.gain = [](const core::ParamValues& p) {
    const double alpha = p.number("alpha");
    return second_moment_gain([alpha](const torch::Tensor& x) { return torch::elu(x, alpha); });
  };
  entry.gain_source = "1/sqrt(E[f(z)^2]), z~N(0,1)";
  entry.make = [](const core::ParamValues& p, const ActivationContext&) {
    const double alpha = p.number("alpha");
    return make_elementwise([alpha](const torch::Tensor& x) { return torch::elu(x, alpha); });
  };
  return entry;
}

}  // namespace actbench::model
