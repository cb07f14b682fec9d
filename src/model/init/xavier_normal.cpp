// Xavier/Glorot normal initialisation (Glorot & Bengio 2010): N(0, std^2) with
// std = gain * sqrt(2 / (fan_in + fan_out)).
#include <torch/torch.h>

#include <cmath>

#include "model/init.hpp"
#include "model/init/init_common.hpp"

namespace actbench::model {

ACTBENCH_REGISTER_INIT(xavier_normal) {
  InitEntry entry;
  entry.name = "xavier_normal";
  entry.aliases = {"glorot_normal"};
  entry.description =
      "N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out)) (Glorot & Bengio 2010)";
  entry.params = {init_common::gain_param()};
  entry.apply = [](at::Tensor& weight, const core::ParamValues& p, const InitContext& context,
                   const SourceLocation&) {
    torch::NoGradGuard no_grad;
    const double fans = static_cast<double>(init_common::fan_in(weight, context) +
                                            init_common::fan_out(weight, context));
    weight.normal_(0.0, init_common::gain(p, context) * std::sqrt(2.0 / fans));
  };
  return entry;
}

}  // namespace actbench::model
