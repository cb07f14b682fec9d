// A fixed-scale uniform U(-a, a), independent of the layer's size: the naive baseline whose signal
// shrinks or explodes with depth.
#include <torch/torch.h>

#include "model/init.hpp"

namespace actbench::model {

ACTBENCH_REGISTER_INIT(uniform) {
  InitEntry entry;
  entry.name = "uniform";
  entry.description = "U(-a, a) at a fixed scale, ignoring fan-in (naive baseline)";
  entry.params = {core::ParamSpec::positive("a", 0.05, "half-width of the interval")};
  entry.apply = [](at::Tensor& weight, const core::ParamValues& p, const InitContext&,
                   const SourceLocation&) {
    torch::NoGradGuard no_grad;
    weight.uniform_(-p.number("a"), p.number("a"));
  };
  return entry;
}

}  // namespace actbench::model
