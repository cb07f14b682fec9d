// The logistic sigmoid 1 / (1 + exp(-x)): the classic saturating unit whose vanishing gradient
// deep networks struggle with (Glorot & Bengio 2010).
#include <torch/torch.h>

#include "model/activation.hpp"

namespace actbench::model {

ACTBENCH_REGISTER_ACTIVATION(sigmoid) {
  ActivationEntry entry;
  entry.name = "sigmoid";
  entry.description =
      "logistic sigmoid 1/(1+exp(-x)); saturates, gradients vanish (Glorot & Bengio 2010)";
  entry.gain = [](const core::ParamValues&) { return 1.0; };
  entry.gain_source = "torch.nn.init.calculate_gain('sigmoid')";
  entry.make = [](const core::ParamValues&, const ActivationContext&) {
    return make_elementwise([](const torch::Tensor& x) { return torch::sigmoid(x); });
  };
  return entry;
}

}  // namespace actbench::model
