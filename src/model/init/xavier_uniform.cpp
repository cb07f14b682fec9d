// Xavier/Glorot uniform initialisation (Glorot & Bengio 2010, eq. 16): U(-a, a) with
// a = gain * sqrt(6 / (fan_in + fan_out)), which balances forward and backward variances.
#include <torch/torch.h>

#include <cmath>

#include "model/init.hpp"
#include "model/init/init_common.hpp"

namespace actbench::model {

ACTBENCH_REGISTER_INIT(xavier_uniform) {
  InitEntry entry;
  entry.name = "xavier_uniform";
  entry.aliases = {"glorot_uniform"};
  entry.description = "U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio 2010)";
  entry.params = {init_common::gain_param()};
  entry.apply = [](at::Tensor& weight, const core::ParamValues& p, const InitContext& context,
                   const SourceLocation&) {
    torch::NoGradGuard no_grad;
    const double fans = static_cast<double>(init_common::fan_in(weight, context) +
                                            init_common::fan_out(weight, context));
    const double bound = init_common::gain(p, context) * std::sqrt(6.0 / fans);
    weight.uniform_(-bound, bound);
  };
  return entry;
}

}  // namespace actbench::model
