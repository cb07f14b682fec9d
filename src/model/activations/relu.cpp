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
    // f' = 1 for z > 0, else 0 (PyTorch's choice at the kink), as sign(z) clamped at 0: LibTorch
    // 1.13's comparison operators write bool tensors with a scalar loop, and autograd's engine
    // costs more than both float operators together.
    return make_elementwise([](const torch::Tensor& x) { return torch::relu(x); },
                            [](const torch::Tensor& z) { return z.sign().clamp_min_(0); });
  };
  return entry;
}

}  // namespace actbench::model
