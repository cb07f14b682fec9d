// Hard tanh clamp(x, min_val, max_val) (Collobert 2004): the piecewise-linear tanh, as
// torch.nn.Hardtanh.
#include <torch/torch.h>

#include "core/error.hpp"
#include "model/activation.hpp"

namespace actbench::model {

namespace {

// Entries have no separate validation hook; the gain runs when the activation is resolved, so
// calling this from it reports the mistake at the config's location.
void check_hard_tanh_bounds(const core::ParamValues& p) {
  const double min_val = p.number("min_val"), max_val = p.number("max_val");
  if (min_val < max_val) return;
  const auto& values = p.all();
  const SourceLocation& where =
      values.at("max_val").where.known() ? values.at("max_val").where : values.at("min_val").where;
  throw ConfigError(where,
                    "activation 'hard_tanh' needs min_val < max_val, got min_val=" +
                        core::param_value_string(values.at("min_val")) +
                        " and max_val=" + core::param_value_string(values.at("max_val")),
                    "the defaults are min_val=-1 and max_val=1");
}

std::function<torch::Tensor(const torch::Tensor&)> hard_tanh(const core::ParamValues& p) {
  const double min_val = p.number("min_val"), max_val = p.number("max_val");
  return [=](const torch::Tensor& x) { return torch::hardtanh(x, min_val, max_val); };
}

}  // namespace

ACTBENCH_REGISTER_ACTIVATION(hard_tanh) {
  ActivationEntry entry;
  entry.name = "hard_tanh";
  entry.description = "clamp(x, min_val, max_val), piecewise-linear tanh (Collobert 2004)";
  entry.params = {
      core::ParamSpec::number("min_val", -1.0, "lower end of the linear region"),
      core::ParamSpec::number("max_val", 1.0, "upper end of the linear region; > min_val"),
  };
  entry.gain = [](const core::ParamValues& p) {
    check_hard_tanh_bounds(p);
    return second_moment_gain(hard_tanh(p));
  };
  entry.gain_source = "1/sqrt(E[f(z)^2]), z~N(0,1)";
  entry.make = [](const core::ParamValues& p, const ActivationContext&) {
    check_hard_tanh_bounds(p);
    return make_elementwise(hard_tanh(p));
  };
  return entry;
}

}  // namespace actbench::model
