// Orthogonal initialisation (Saxe et al. 2014): a scaled (semi-)orthogonal matrix, so a deep linear
// network's singular values all start at gain and signals neither grow nor shrink with depth.
#include <torch/torch.h>

#include "model/init.hpp"
#include "model/init/init_common.hpp"

namespace actbench::model {

ACTBENCH_REGISTER_INIT(orthogonal) {
  InitEntry entry;
  entry.name = "orthogonal";
  entry.description = "gain * a random (semi-)orthogonal matrix (Saxe et al. 2014)";
  entry.params = {init_common::gain_param()};
  entry.apply = [](at::Tensor& weight, const core::ParamValues& p, const InitContext& context,
                   const SourceLocation&) {
    torch::NoGradGuard no_grad;
    // Conv weights are flattened to [out, in * kernel area] by orthogonal_ itself.
    torch::nn::init::orthogonal_(weight, init_common::gain(p, context));
  };
  return entry;
}

}  // namespace actbench::model
