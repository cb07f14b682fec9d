// Mish x * tanh(softplus(x)) (Misra 2019): smooth, non-monotonic, unbounded above.
#include <torch/torch.h>

#include "model/activation.hpp"

namespace actbench::model {

ACTBENCH_REGISTER_ACTIVATION(mish) {
  ActivationEntry entry;
  entry.name = "mish";
  entry.description = "x * tanh(softplus(x)) (Misra 2019)";
  entry.gain = [](const core::ParamValues&) {
    return second_moment_gain([](const torch::Tensor& x) { return torch::mish(x); });
  };
  entry.gain_source = "1/sqrt(E[f(z)^2]), z~N(0,1)";
  entry.make = [](const core::ParamValues&, const ActivationContext&) {
    return make_elementwise([](const torch::Tensor& x) { return torch::mish(x); });
  };
  return entry;
}

}  // namespace actbench::model
