// The rectified linear unit max(0, x) (Nair & Hinton 2010), the baseline every comparison starts
// from, and the one whose units can die.
#include <torch/torch.h>

#include <cmath>

#include "model/activation.hpp"

namespace actbench::model {

ACTBENCH_REGISTER_ACTIVATION(relu) {
  ActivationEntry entry;
  entry.name = "relu";
  entry.description = "rectified linear unit max(0, x) (Nair & Hinton 2010); units can die";
  entry.gain = [](const core::ParamValues&) { return std::sqrt(2.0); };
  entry.gain_source = "torch.nn.init.calculate_gain('relu') (He et al. 2015)";
  entry.make = [](const core::ParamValues&, const ActivationContext&) {
    return make_elementwise([](const torch::Tensor& x) { return torch::relu(x); });
  };
  return entry;
}

}  // namespace actbench::model
