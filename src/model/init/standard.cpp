// The "standard" initialisation Glorot & Bengio (2010, eq. 1) compared against:
// U(-1/sqrt(fan_in), 1/sqrt(fan_in)). It is also what torch.nn.Linear and Conv2d do by default
// (kaiming_uniform_ with a = sqrt(5) gives exactly this bound), hence the alias pytorch_default.
#include <torch/torch.h>

#include <cmath>

#include "model/init.hpp"
#include "model/init/init_common.hpp"

namespace actbench::model {

ACTBENCH_REGISTER_INIT(standard) {
  InitEntry entry;
  entry.name = "standard";
  entry.aliases = {"pytorch_default"};
  entry.description =
      "U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (Glorot & Bengio 2010, eq. 1); torch.nn.Linear's default";
  entry.apply = [](at::Tensor& weight, const core::ParamValues&, const InitContext& context,
                   const SourceLocation&) {
    torch::NoGradGuard no_grad;
    const double bound = 1.0 / std::sqrt(static_cast<double>(init_common::fan_in(weight, context)));
    weight.uniform_(-bound, bound);
  };
  return entry;
}

}  // namespace actbench::model
