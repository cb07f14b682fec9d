// Bias initialisers. They live together because each is one line; PyTorch's own default (uniform
// with the Linear layer's 1/sqrt(fan_in) bound) is `uniform` with its default a.
#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

#include "model/init.hpp"

namespace actbench::model {

ACTBENCH_REGISTER_BIAS_INIT(zeros) {
  BiasInitEntry entry;
  entry.name = "zeros";
  entry.aliases = {"zero"};
  entry.description = "all biases 0";
  entry.apply = [](at::Tensor& bias, const core::ParamValues&, const InitContext&) {
    torch::NoGradGuard no_grad;
    bias.zero_();
  };
  return entry;
}

ACTBENCH_REGISTER_BIAS_INIT(constant) {
  BiasInitEntry entry;
  entry.name = "constant";
  entry.description = "all biases set to value (e.g. 0.01 to keep ReLU units alive at the start)";
  entry.params = {core::ParamSpec::number("value", 0.0, "the bias value")};
  entry.apply = [](at::Tensor& bias, const core::ParamValues& p, const InitContext&) {
    torch::NoGradGuard no_grad;
    bias.fill_(p.number("value"));
  };
  return entry;
}

ACTBENCH_REGISTER_BIAS_INIT(normal) {
  BiasInitEntry entry;
  entry.name = "normal";
  entry.description = "N(mean, std^2)";
  entry.params = {
      core::ParamSpec::number("mean", 0.0, "mean of the biases"),
      core::ParamSpec::positive("std", 0.01, "standard deviation of the biases"),
  };
  entry.apply = [](at::Tensor& bias, const core::ParamValues& p, const InitContext&) {
    torch::NoGradGuard no_grad;
    bias.normal_(p.number("mean"), p.number("std"));
  };
  return entry;
}

ACTBENCH_REGISTER_BIAS_INIT(uniform) {
  BiasInitEntry entry;
  entry.name = "uniform";
  entry.description = "U(-a, a); a = 0 uses 1/sqrt(fan_in), torch.nn.Linear's default";
  entry.params = {core::ParamSpec::number(
      "a", 0.0, "half-width of the interval; 0 means 1/sqrt(fan_in) as PyTorch", 0.0)};
  entry.apply = [](at::Tensor& bias, const core::ParamValues& p, const InitContext& context) {
    torch::NoGradGuard no_grad;
    double bound = p.number("a");
    if (bound == 0.0) {
      if (context.fan_in <= 0) {
        throw std::invalid_argument("bias init 'uniform' with a=0 needs fan_in in its InitContext");
      }
      bound = 1.0 / std::sqrt(static_cast<double>(context.fan_in));
    }
    bias.uniform_(-bound, bound);
  };
  return entry;
}

}  // namespace actbench::model
