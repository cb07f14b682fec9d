// Lookup of weight and bias initialisers, the per-layer gain, and the helpers the initialisers
// share.
#include "model/init.hpp"

#include <torch/torch.h>

#include <stdexcept>

#include "model/init/init_common.hpp"

namespace actbench::model {

ResolvedInit resolve_init(const core::ComponentSpec& spec) {
  const InitEntry& entry = InitRegistry::instance().get(spec.name, spec.where);
  return ResolvedInit{&entry, core::resolve_params(InitEntry::kKind, entry.params, spec),
                      spec.where};
}

ResolvedBiasInit resolve_bias_init(const core::ComponentSpec& spec) {
  const BiasInitEntry& entry = BiasInitRegistry::instance().get(spec.name, spec.where);
  return ResolvedBiasInit{&entry, core::resolve_params(BiasInitEntry::kKind, entry.params, spec)};
}

double layer_gain(const InitContext& context) {
  if (context.is_last()) return 1.0;
  if (context.activation == nullptr) {
    throw std::invalid_argument("layer_gain: hidden layer " + std::to_string(context.layer_index) +
                                " has no activation in its InitContext");
  }
  return context.activation->gain();
}

namespace init_common {

core::ParamSpec gain_param() {
  return core::ParamSpec::number(
      "gain", 0.0, "scale of the weights; 0 takes the activation's recommended gain", 0.0);
}

double gain(const core::ParamValues& params, const InitContext& context) {
  const double configured = params.number("gain");
  return configured > 0.0 ? configured : layer_gain(context);
}

namespace {

int64_t receptive_field(const at::Tensor& weight) {
  TORCH_CHECK(weight.dim() >= 2, "fans need a weight of at least 2 dims, got ", weight.sizes());
  return weight[0][0].numel();
}

}  // namespace

int64_t fan_in(const at::Tensor& weight, const InitContext& context) {
  if (context.fan_in > 0) return context.fan_in;
  return weight.size(1) * receptive_field(weight);
}

int64_t fan_out(const at::Tensor& weight, const InitContext& context) {
  if (context.fan_out > 0) return context.fan_out;
  return weight.size(0) * receptive_field(weight);
}

core::ParamSpec mode_param() {
  return core::ParamSpec::choice(
      "mode", "fan_in", {"fan_in", "fan_out"},
      "fan_in keeps the forward variance, fan_out the backward variance (as PyTorch)");
}

int64_t fan_for_mode(const core::ParamValues& params, const at::Tensor& weight,
                     const InitContext& context) {
  return params.text("mode") == "fan_out" ? fan_out(weight, context) : fan_in(weight, context);
}

}  // namespace init_common

}  // namespace actbench::model
