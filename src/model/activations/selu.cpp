// The scaled ELU (Klambauer et al. 2017): constants chosen so that, with LeCun-normal weights,
// activations self-normalise towards zero mean and unit variance without batch norm.
#include <torch/torch.h>

#include "model/activation.hpp"

namespace actbench::model {

ACTBENCH_REGISTER_ACTIVATION(selu) {
  ActivationEntry entry;
  entry.name = "selu";
  entry.description =
      "scale * elu(x, alpha) with fixed constants; self-normalising with lecun_normal init "
      "(Klambauer et al. 2017)";
  // 3/4 is PyTorch's choice for use with Kaiming/Xavier; the paper itself pairs SELU with
  // lecun_normal, which ignores the gain.
  entry.gain = [](const core::ParamValues&) { return 0.75; };
  entry.gain_source = "torch.nn.init.calculate_gain('selu')";
  entry.make = [](const core::ParamValues&, const ActivationContext&) {
    return make_elementwise([](const torch::Tensor& x) { return torch::selu(x); });
  };
  return entry;
}

}  // namespace actbench::model
