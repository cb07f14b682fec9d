// Mean-field initialisation (Poole et al. 2016; Schoenholz et al. 2017): weights N(0, sigma_w2 /
// fan_in) and biases N(0, sigma_b2) in every layer, the output layer included, as the theory
// assumes. The run's meta.json records q*, chi1 and xi_c the theory gives for the layer's
// activation at this point (catalogue/activation_theory.hpp).
// An entry of model/'s initialiser registry kept here, in catalogue/, because it needs the
// mean-field theory, which sits above model/ (src/stages.txt). It registers itself at start-up like
// every entry: actbench_core is an OBJECT library, so no linker drops this file for being
// unreferenced.
#include <torch/torch.h>

#include <cmath>

#include "catalogue/activation_theory.hpp"
#include "model/init.hpp"
#include "model/init/init_common.hpp"

namespace actbench::catalogue {

ACTBENCH_REGISTER_INIT(mean_field) {
  model::InitEntry entry;
  entry.name = "mean_field";
  entry.description =
      "W ~ N(0, sigma_w2 / fan_in), b ~ N(0, sigma_b2) in every layer (Schoenholz et al. 2017)";
  entry.params = {
      core::ParamSpec::positive("sigma_w2", 1.0, "weight variance times fan_in"),
      core::ParamSpec::number("sigma_b2", 0.0, "bias variance", 0.0),
  };
  entry.sets_bias = true;
  entry.apply = [](at::Tensor& weight, const core::ParamValues& p,
                   const model::InitContext& context, const SourceLocation&) {
    torch::NoGradGuard no_grad;
    const auto fan = static_cast<double>(model::init_common::fan_in(weight, context));
    weight.normal_(0.0, std::sqrt(p.number("sigma_w2") / fan));
    if (context.bias.defined()) context.bias.normal_(0.0, std::sqrt(p.number("sigma_b2")));
  };
  entry.describe = [](const core::ParamValues& p,
                      const model::InitContext& context) -> std::string {
    if (context.is_last() || context.activation == nullptr) return "output layer";
    return init_theory_summary(*context.activation, p.number("sigma_w2"), p.number("sigma_b2"));
  };
  return entry;
}

}  // namespace actbench::catalogue
