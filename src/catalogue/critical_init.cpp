// Edge-of-chaos initialisation for any elementwise activation (Schoenholz et al. 2017; Hayou,
// Doucet and Rousseau 2019): biases N(0, sigma_b2), weights N(0, sigma_w2 / fan_in) with sigma_w2
// the point of the critical line chi1 = 1 at this sigma_b2, computed from the layer's activation
// by catalogue/mean_field.hpp (tanh at sigma_b2 = 0.05: sigma_w2 ~ 1.76; ReLU: 2 at sigma_b2 = 0,
// He's init). The output layer, which feeds the loss, gets the last hidden layer's values. The
// run's meta.json records q*, chi1 and xi_c.
// An entry of model/'s initialiser registry kept here, in catalogue/, because it needs the
// mean-field theory, which sits above model/ (src/stages.txt). It registers itself at start-up like
// every entry: actbench_core is an OBJECT library, so no linker drops this file for being
// unreferenced.
#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

#include "catalogue/activation_theory.hpp"
#include "core/error.hpp"
#include "model/init.hpp"
#include "model/init/init_common.hpp"

namespace actbench::catalogue {

namespace {

const model::ResolvedActivation& activation_of(const model::InitContext& context,
                                               const SourceLocation& where) {
  if (context.activation == nullptr)
    throw ConfigError(where, "init 'critical' needs the layer's activation, and layer " +
                                 std::to_string(context.layer_index) + " has none");
  return *context.activation;
}

double sigma_w2_for(const core::ParamValues& p, const model::InitContext& context,
                    const SourceLocation& where) {
  const model::ResolvedActivation& activation = activation_of(context, where);
  const std::string reason = theory_not_applicable(activation);
  if (!reason.empty())
    throw ConfigError(
        where,
        "init 'critical' has no edge of chaos for '" + activation.entry->name + "': " + reason,
        "use another init for this activation");
  try {
    return critical_sigma_w2(activation, p.number("sigma_b2"));
  } catch (const std::domain_error& e) {
    throw ConfigError(where, std::string("init 'critical': ") + e.what(),
                      "pick a sigma_b2 on the critical line, or init: {name: mean_field, ...}");
  }
}

}  // namespace

ACTBENCH_REGISTER_INIT(critical) {
  model::InitEntry entry;
  entry.name = "critical";
  entry.aliases = {"edge_of_chaos"};
  entry.description =
      "edge of chaos: b ~ N(0, sigma_b2), W ~ N(0, sigma_w2 / fan_in) with chi1 = 1 for the "
      "activation (Schoenholz et al. 2017)";
  entry.params = {core::ParamSpec::number("sigma_b2", 0.05, "bias variance", 0.0)};
  entry.sets_bias = true;
  entry.apply = [](at::Tensor& weight, const core::ParamValues& p,
                   const model::InitContext& context, const SourceLocation& where) {
    torch::NoGradGuard no_grad;
    const double sigma_w2 = sigma_w2_for(p, context, where);
    const auto fan = static_cast<double>(model::init_common::fan_in(weight, context));
    weight.normal_(0.0, std::sqrt(sigma_w2 / fan));
    if (context.bias.defined()) context.bias.normal_(0.0, std::sqrt(p.number("sigma_b2")));
  };
  entry.describe = [](const core::ParamValues& p,
                      const model::InitContext& context) -> std::string {
    const model::ResolvedActivation& activation =
        activation_of(context, SourceLocation::defaulted());
    const double sigma_w2 = critical_sigma_w2(activation, p.number("sigma_b2"));
    return (context.is_last() ? "output layer at the last hidden layer's " : "") +
           init_theory_summary(activation, sigma_w2, p.number("sigma_b2"));
  };
  return entry;
}

}  // namespace actbench::catalogue
