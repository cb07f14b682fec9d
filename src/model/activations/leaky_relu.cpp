// Leaky ReLU (Maas et al. 2013): a small fixed slope for negative inputs keeps units from dying.
#include <torch/torch.h>

#include <cmath>

#include "model/activation.hpp"

namespace actbench::model {

ACTBENCH_REGISTER_ACTIVATION(leaky_relu) {
  ActivationEntry entry;
  entry.name = "leaky_relu";
  entry.description = "max(0, x) + negative_slope * min(0, x) (Maas et al. 2013)";
  entry.params = {core::ParamSpec::number(
      "negative_slope", 0.01, "slope for negative inputs, as torch.nn.LeakyReLU", 0.0, 1.0)};
  entry.gain = [](const core::ParamValues& p) {
    const double slope = p.number("negative_slope");
    return std::sqrt(2.0 / (1.0 + slope * slope));
  };
  entry.gain_source = "torch.nn.init.calculate_gain('leaky_relu', negative_slope)";
  entry.make = [](const core::ParamValues& p, const ActivationContext&) {
    const double slope = p.number("negative_slope");
    return make_elementwise(
        [slope](const torch::Tensor& x) { return torch::leaky_relu(x, slope); });
  };
  return entry;
}

}  // namespace actbench::model
