// Hard swish x * relu6(x + 3) / 6: MobileNetV3's piecewise-polynomial Swish (Howard et al. 2019).
#include <torch/torch.h>

#include "model/activation.hpp"

namespace actbench::model {

namespace {

torch::Tensor hard_swish(const torch::Tensor& x) { return torch::hardswish(x); }

}  // namespace

ACTBENCH_REGISTER_ACTIVATION(hard_swish) {
  ActivationEntry entry;
  entry.name = "hard_swish";
  entry.description = "x * relu6(x + 3) / 6, piecewise Swish (Howard et al. 2019)";
  entry.gain = [](const core::ParamValues&) { return second_moment_gain(hard_swish); };
  entry.gain_source = "1/sqrt(E[f(z)^2]), z~N(0,1)";
  entry.make = [](const core::ParamValues&, const ActivationContext&) {
    return make_elementwise(hard_swish);
  };
  return entry;
}

}  // namespace actbench::model
