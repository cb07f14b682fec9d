// Kaiming/He normal initialisation (He et al. 2015): N(0, std^2) with std = gain / sqrt(fan); with
// ReLU's gain sqrt(2) the forward (fan_in) or backward (fan_out) variance is preserved.
#include <torch/torch.h>

#include <cmath>

#include "model/init.hpp"
#include "model/init/init_common.hpp"

namespace actbench::model {

ACTBENCH_REGISTER_INIT(kaiming_normal) {
  InitEntry entry;
  entry.name = "kaiming_normal";
  entry.aliases = {"he_normal"};
  entry.description = "N(0, std^2), std = gain / sqrt(fan) (He et al. 2015)";
  entry.params = {init_common::mode_param(), init_common::gain_param()};
  entry.apply = [](at::Tensor& weight, const core::ParamValues& p, const InitContext& context,
                   const SourceLocation&) {
    torch::NoGradGuard no_grad;
    const auto fan = static_cast<double>(init_common::fan_for_mode(p, weight, context));
    weight.normal_(0.0, init_common::gain(p, context) / std::sqrt(fan));
  };
  return entry;
}

}  // namespace actbench::model
