// Hard sigmoid relu6(x + 3) / 6: the piecewise-linear sigmoid of MobileNetV3 (Howard et al. 2019),
// as torch.nn.Hardsigmoid (not Keras's 0.2x + 0.5 variant).
#include <torch/torch.h>

#include "model/activation.hpp"

namespace actbench::model {

namespace {

torch::Tensor hard_sigmoid(const torch::Tensor& x) { return torch::hardsigmoid(x); }

}  // namespace

ACTBENCH_REGISTER_ACTIVATION(hard_sigmoid) {
  ActivationEntry entry;
  entry.name = "hard_sigmoid";
  entry.description = "relu6(x + 3) / 6, piecewise-linear sigmoid (Howard et al. 2019)";
  entry.gain = [](const core::ParamValues&) { return second_moment_gain(hard_sigmoid); };
  entry.gain_source = "1/sqrt(E[f(z)^2]), z~N(0,1)";
  entry.make = [](const core::ParamValues&, const ActivationContext&) {
    return make_elementwise(hard_sigmoid);
  };
  return entry;
}

}  // namespace actbench::model
