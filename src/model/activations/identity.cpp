// The identity: a linear network, the control that shows what the nonlinearity adds.
#include <torch/torch.h>

#include "model/activation.hpp"

namespace actbench::model {

ACTBENCH_REGISTER_ACTIVATION(identity) {
  ActivationEntry entry;
  entry.name = "identity";
  entry.aliases = {"linear"};
  entry.description = "f(x) = x; a deep linear network, the control for every comparison";
  entry.gain = [](const core::ParamValues&) { return 1.0; };
  entry.gain_source = "torch.nn.init.calculate_gain('linear')";
  entry.make = [](const core::ParamValues&, const ActivationContext&) {
    return make_elementwise([](const torch::Tensor& x) { return x; });
  };
  return entry;
}

}  // namespace actbench::model
