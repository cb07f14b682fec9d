// Randomized leaky ReLU (Xu et al. 2015): in training each negative input gets a slope drawn from
// U(lower, upper); in evaluation the slope is the mean (lower + upper) / 2, as torch.nn.RReLU.
#include <torch/torch.h>

#include "core/error.hpp"
#include "model/activation.hpp"

namespace actbench::model {

namespace {

class RReLU : public Activation {
 public:
  RReLU(double lower, double upper) : lower_(lower), upper_(upper) {}

  // The draws use the default generator, so torch::manual_seed makes training runs reproducible.
  torch::Tensor forward(const torch::Tensor& z) override {
    return torch::rrelu(z, lower_, upper_, is_training());
  }

 private:
  double lower_;
  double upper_;
};

// Entries have no separate validation hook; the gain runs when the activation is resolved, so
// calling this from it reports the mistake at the config's location.
void check_rrelu_bounds(const core::ParamValues& p) {
  const double lower = p.number("lower"), upper = p.number("upper");
  if (lower > upper) {
    const auto& values = p.all();
    const SourceLocation& where =
        values.at("upper").where.known() ? values.at("upper").where : values.at("lower").where;
    throw ConfigError(where,
                      "activation 'rrelu' needs lower <= upper, got lower=" +
                          core::param_value_string(values.at("lower")) +
                          " and upper=" + core::param_value_string(values.at("upper")),
                      "the defaults are lower=0.125 and upper=0.3333 (1/8 and 1/3)");
  }
}

}  // namespace

ACTBENCH_REGISTER_ACTIVATION(rrelu) {
  ActivationEntry entry;
  entry.name = "rrelu";
  entry.description =
      "leaky ReLU with a random slope in U(lower, upper) while training, the mean in eval "
      "(Xu et al. 2015)";
  entry.params = {
      core::ParamSpec::number("lower", 1.0 / 8.0, "lower bound of the random negative slope", 0.0,
                              1.0),
      core::ParamSpec::number("upper", 1.0 / 3.0, "upper bound of the random negative slope", 0.0,
                              1.0),
  };
  entry.gain = [](const core::ParamValues& p) {
    check_rrelu_bounds(p);
    const double slope = 0.5 * (p.number("lower") + p.number("upper"));
    return second_moment_gain(
        [slope](const torch::Tensor& x) { return torch::leaky_relu(x, slope); });
  };
  entry.gain_source = "1/sqrt(E[f(z)^2]), z~N(0,1), f at the mean slope (evaluation mode)";
  entry.make = [](const core::ParamValues& p, const ActivationContext&) {
    check_rrelu_bounds(p);
    return std::make_shared<RReLU>(p.number("lower"), p.number("upper"));
  };
  return entry;
}

}  // namespace actbench::model
