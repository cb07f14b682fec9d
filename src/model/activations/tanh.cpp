// The hyperbolic tangent: zero-centred and saturating, the default of pre-ReLU networks.
#include <torch/torch.h>

#include "model/activation.hpp"

namespace actbench::model {

ACTBENCH_REGISTER_ACTIVATION(tanh) {
  ActivationEntry entry;
  entry.name = "tanh";
  entry.description = "hyperbolic tangent; zero-centred, saturates at +-1 (LeCun et al. 1998)";
  // PyTorch's 5/3 is empirical: it keeps the forward variance near a fixed point under Xavier.
  entry.gain = [](const core::ParamValues&) { return 5.0 / 3.0; };
  entry.gain_source = "torch.nn.init.calculate_gain('tanh')";
  entry.make = [](const core::ParamValues&, const ActivationContext&) {
    return make_elementwise([](const torch::Tensor& x) { return torch::tanh(x); });
  };
  return entry;
}

}  // namespace actbench::model
