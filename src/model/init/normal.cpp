// A fixed-scale normal N(mean, std^2), independent of the layer's size: the naive baseline whose
// signal shrinks or explodes with depth.
#include <torch/torch.h>

#include "model/init.hpp"

namespace actbench::model {

ACTBENCH_REGISTER_INIT(normal) {
  InitEntry entry;
  entry.name = "normal";
  entry.description = "N(mean, std^2) at a fixed scale, ignoring fan-in (naive baseline)";
  entry.params = {
      core::ParamSpec::number("mean", 0.0, "mean of the weights"),
      core::ParamSpec::positive("std", 0.01, "standard deviation of the weights"),
  };
  entry.apply = [](at::Tensor& weight, const core::ParamValues& p, const InitContext&,
                   const SourceLocation&) {
    torch::NoGradGuard no_grad;
    weight.normal_(p.number("mean"), p.number("std"));
  };
  return entry;
}

}  // namespace actbench::model
