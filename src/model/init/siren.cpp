// SIREN initialisation (Sitzmann et al. 2020, sec. 3.2): first layer U(-1/n, 1/n), every later
// layer U(-sqrt(6/n)/omega_0, sqrt(6/n)/omega_0), n = fan_in, so that sin(omega_0 * x) sees
// pre-activations spread over a few periods at every depth. omega_0 comes from the sine activation.
#include <torch/torch.h>

#include <cmath>
#include <string>

#include "core/error.hpp"
#include "model/init.hpp"
#include "model/init/init_common.hpp"

namespace actbench::model {

namespace {

// The init's own omega_0 if set, else the activation's (the sine's `omega_0` parameter). Checked on
// every layer, the first included, so a SIREN init on a non-sine network fails at once even though
// the first layer's bound does not use omega_0.
double omega_0(const core::ParamValues& p, const InitContext& context,
               const SourceLocation& where) {
  if (p.number("omega_0") > 0.0) return p.number("omega_0");
  const ResolvedActivation* activation = context.activation;
  if (activation != nullptr && activation->params.has("omega_0")) {
    return activation->params.number("omega_0");
  }
  const std::string found =
      activation == nullptr ? "no activation" : "activation '" + activation->entry->name + "'";
  throw ConfigError(where,
                    "init 'siren' needs a sine activation to take omega_0 from, but layer " +
                        std::to_string(context.layer_index) + " has " + found,
                    "use `activation: sine`, or give the init its own omega_0, e.g. "
                    "`init: {name: siren, omega_0: 30}`");
}

}  // namespace

ACTBENCH_REGISTER_INIT(siren) {
  InitEntry entry;
  entry.name = "siren";
  entry.description =
      "first layer U(-1/n, 1/n), later U(-sqrt(6/n)/omega_0, +) (Sitzmann et al. 2020)";
  entry.params = {core::ParamSpec::number(
      "omega_0", 0.0, "frequency of the sine; 0 takes it from the sine activation", 0.0)};
  entry.apply = [](at::Tensor& weight, const core::ParamValues& p, const InitContext& context,
                   const SourceLocation& where) {
    torch::NoGradGuard no_grad;
    const double w0 = omega_0(p, context, where);
    const auto n = static_cast<double>(init_common::fan_in(weight, context));
    const double bound = context.is_first() ? 1.0 / n : std::sqrt(6.0 / n) / w0;
    weight.uniform_(-bound, bound);
  };
  return entry;
}

}  // namespace actbench::model
