// Kaiming/He uniform initialisation (He et al. 2015): U(-b, b) with b = gain * sqrt(3 / fan), the
// uniform with the variance gain^2 / fan that keeps ReLU networks' activations from shrinking.
#include <torch/torch.h>

#include <cmath>

#include "model/init.hpp"
#include "model/init/init_common.hpp"

namespace actbench::model {

ACTBENCH_REGISTER_INIT(kaiming_uniform) {
  InitEntry entry;
  entry.name = "kaiming_uniform";
  entry.aliases = {"he_uniform"};
  entry.description = "U(-b, b), b = gain * sqrt(3 / fan) (He et al. 2015)";
  entry.params = {init_common::mode_param(), init_common::gain_param()};
  entry.apply = [](at::Tensor& weight, const core::ParamValues& p, const InitContext& context,
                   const SourceLocation&) {
    torch::NoGradGuard no_grad;
    const auto fan = static_cast<double>(init_common::fan_for_mode(p, weight, context));
    const double bound = init_common::gain(p, context) * std::sqrt(3.0 / fan);
    weight.uniform_(-bound, bound);
  };
  return entry;
}

}  // namespace actbench::model
