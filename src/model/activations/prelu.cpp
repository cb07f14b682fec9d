// Parametric ReLU (He et al. 2015): leaky ReLU whose negative slope is learnt, either one slope for
// the layer or one per unit/channel, as torch.nn.PReLU(num_parameters).
#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

#include "model/activation.hpp"

namespace actbench::model {

namespace {

class PReLU : public Activation {
 public:
  PReLU(int64_t num_parameters, double init) {
    weight_ = register_parameter("weight", torch::full({num_parameters}, init));
  }

  // torch::prelu broadcasts the slopes over dim 1, which is the feature dim of [N, F] and the
  // channel dim of [N, C, H, W] alike. The cast lets a float32 slope act on float64 inputs.
  torch::Tensor forward(const torch::Tensor& z) override {
    return torch::prelu(z, weight_.to(z.scalar_type()));
  }

 private:
  torch::Tensor weight_;
};

}  // namespace

ACTBENCH_REGISTER_ACTIVATION(prelu) {
  ActivationEntry entry;
  entry.name = "prelu";
  entry.description = "leaky ReLU with a learnt negative slope (He et al. 2015)";
  entry.params = {
      core::ParamSpec::number("init", 0.25, "initial negative slope, as torch.nn.PReLU", 0.0, 1.0),
      core::ParamSpec::flag(
          "per_channel", false,
          "one slope per unit (MLP) or channel (CNN) instead of one shared slope"),
  };
  entry.gain = [](const core::ParamValues& p) {
    const double slope = p.number("init");
    return std::sqrt(2.0 / (1.0 + slope * slope));
  };
  entry.gain_source = "torch.nn.init.calculate_gain('leaky_relu', init) at the initial slope";
  entry.make = [](const core::ParamValues& p, const ActivationContext& context) {
    int64_t count = 1;
    if (p.flag("per_channel")) {
      if (context.num_features <= 0) {
        throw std::invalid_argument("prelu per_channel needs the layer width in ActivationContext");
      }
      count = context.num_features;
    }
    return std::make_shared<PReLU>(count, p.number("init"));
  };
  return entry;
}

}  // namespace actbench::model
