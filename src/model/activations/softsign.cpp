// Softsign x / (1 + |x|) (Bergstra et al. 2009): like tanh but saturating polynomially, which
// Glorot & Bengio (2010) found to saturate less in deep networks.
#include <torch/torch.h>

#include "model/activation.hpp"

namespace actbench::model {

namespace {

// LibTorch has no softsign op; autograd of abs uses sign(0) = 0, which still gives the correct
// derivative 1 at x = 0.
torch::Tensor softsign(const torch::Tensor& x) { return x / (1 + x.abs()); }

}  // namespace

ACTBENCH_REGISTER_ACTIVATION(softsign) {
  ActivationEntry entry;
  entry.name = "softsign";
  entry.description = "x / (1 + |x|) (Bergstra et al. 2009; Glorot & Bengio 2010)";
  entry.gain = [](const core::ParamValues&) { return second_moment_gain(softsign); };
  entry.gain_source = "1/sqrt(E[f(z)^2]), z~N(0,1)";
  entry.make = [](const core::ParamValues&, const ActivationContext&) {
    return make_elementwise(softsign);
  };
  return entry;
}

}  // namespace actbench::model
