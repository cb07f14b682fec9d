// ReLU6 min(max(0, x), 6) (Krizhevsky 2010; MobileNet): a ReLU capped for low-precision inference.
#include <torch/torch.h>

#include "model/activation.hpp"

namespace actbench::model {

namespace {

torch::Tensor relu6(const torch::Tensor& x) { return torch::relu6(x); }

}  // namespace

ACTBENCH_REGISTER_ACTIVATION(relu6) {
  ActivationEntry entry;
  entry.name = "relu6";
  entry.description = "min(max(0, x), 6) (Krizhevsky 2010; used by MobileNet)";
  entry.gain = [](const core::ParamValues&) { return second_moment_gain(relu6); };
  entry.gain_source = "1/sqrt(E[f(z)^2]), z~N(0,1)";
  entry.make = [](const core::ParamValues&, const ActivationContext&) {
    return make_elementwise(relu6);
  };
  return entry;
}

}  // namespace actbench::model
