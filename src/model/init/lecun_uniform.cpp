// LeCun uniform initialisation (LeCun et al. 1998): U(-sqrt(3 / fan_in), sqrt(3 / fan_in)), the
// uniform with LeCun normal's variance 1 / fan_in.
#include <torch/torch.h>

#include <cmath>

#include "model/init.hpp"
#include "model/init/init_common.hpp"

namespace actbench::model {

ACTBENCH_REGISTER_INIT(lecun_uniform) {
  InitEntry entry;
  entry.name = "lecun_uniform";
  entry.description =
      "U(-sqrt(3 / fan_in), sqrt(3 / fan_in)), variance 1 / fan_in (LeCun et al. 1998)";
  entry.apply = [](at::Tensor& weight, const core::ParamValues&, const InitContext& context,
                   const SourceLocation&) {
    torch::NoGradGuard no_grad;
    const double bound = std::sqrt(3.0 / static_cast<double>(init_common::fan_in(weight, context)));
    weight.uniform_(-bound, bound);
  };
  return entry;
}

}  // namespace actbench::model
