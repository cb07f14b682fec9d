// LeCun normal initialisation (LeCun et al. 1998, "Efficient BackProp"): N(0, 1 / fan_in), the
// initialisation SELU's self-normalisation assumes (Klambauer et al. 2017). Plain, not truncated.
#include <torch/torch.h>

#include <cmath>

#include "model/init.hpp"
#include "model/init/init_common.hpp"

namespace actbench::model {

ACTBENCH_REGISTER_INIT(lecun_normal) {
  InitEntry entry;
  entry.name = "lecun_normal";
  entry.description = "N(0, 1 / fan_in) (LeCun et al. 1998; SELU's init, Klambauer et al. 2017)";
  entry.apply = [](at::Tensor& weight, const core::ParamValues&, const InitContext& context,
                   const SourceLocation&) {
    torch::NoGradGuard no_grad;
    const auto fan = static_cast<double>(init_common::fan_in(weight, context));
    weight.normal_(0.0, 1.0 / std::sqrt(fan));
  };
  return entry;
}

}  // namespace actbench::model
