// The initialiser registry: weight initialisers (xavier, kaiming, lecun, orthogonal, standard,
// siren, normal, uniform) and bias initialisers. An initialiser sees its context: which layer, its
// fans, and the activation that follows it, so SIREN can take omega_0 from the sine and Xavier its
// gain from the activation. Each entry is one .cpp under model/init/, except the two that need
// the mean-field theory (critical, mean_field), which live in catalogue/ above model/.
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "core/registry.hpp"
#include "model/activation.hpp"

namespace actbench::model {

struct InitContext {
  int64_t layer_index = 0;  // 0-based over all weight layers (conv and linear), output layer last
  int64_t num_layers = 1;   // number of weight layers including the output layer
  bool is_first() const { return layer_index == 0; }
  bool is_last() const { return layer_index == num_layers - 1; }
  int64_t fan_in = 0;   // in_features, or in_channels * kernel area
  int64_t fan_out = 0;  // out_features, or out_channels * kernel area
  // The activation applied to this layer's output. For the output layer (no activation) this is the
  // activation of the last hidden layer, which SIREN needs; `is_last()` tells the two apart.
  const ResolvedActivation* activation = nullptr;
  // The layer's bias (undefined when it has none). Only initialisers that draw weight and bias
  // jointly (`sets_bias`, e.g. rai) write it; a handle, so writing it in place reaches the layer.
  at::Tensor bias;
};

struct InitEntry {
  static constexpr const char* kKind = "initialiser";

  std::string name;
  std::vector<std::string> aliases;
  std::string description;  // one line, with the paper it comes from
  std::vector<core::ParamSpec> params;
  // Fills `weight` in place (called under NoGradGuard). Throws ConfigError (at `where`) when the
  // context makes no sense for it, e.g. siren without a sine activation.
  std::function<void(at::Tensor& weight, const core::ParamValues&, const InitContext&,
                     const SourceLocation& where)>
      apply;
  // True when `apply` also draws the bias (from context.bias): the bias initialiser is then
  // skipped, and a config that sets model.bias_init as well is an error rather than silently
  // ignored.
  bool sets_bias = false;
  // Optional: what the init computed for this layer, appended to its line in meta.json (the
  // mean-field inits record q*, chi1 and xi_c there).
  std::function<std::string(const core::ParamValues&, const InitContext&)> describe;
};
using InitRegistry = core::Registry<InitEntry>;

struct BiasInitEntry {
  static constexpr const char* kKind = "bias initialiser";

  std::string name;
  std::vector<std::string> aliases;
  std::string description;
  std::vector<core::ParamSpec> params;
  std::function<void(at::Tensor& bias, const core::ParamValues&, const InitContext&)> apply;
};
using BiasInitRegistry = core::Registry<BiasInitEntry>;

struct ResolvedInit {
  const InitEntry* entry = nullptr;
  core::ParamValues params;
  SourceLocation where;
};
struct ResolvedBiasInit {
  const BiasInitEntry* entry = nullptr;
  core::ParamValues params;
};

ResolvedInit resolve_init(const core::ComponentSpec& spec);
ResolvedBiasInit resolve_bias_init(const core::ComponentSpec& spec);

// The gain for this layer: 1 for the output layer (it feeds the loss, not an activation), otherwise
// the activation's recommended gain. Initialisers that take a gain use this unless the config sets
// one.
double layer_gain(const InitContext& context);

}  // namespace actbench::model

#define ACTBENCH_REGISTER_INIT(id)                                                 \
  static ::actbench::model::InitEntry actbench_init_entry_##id();                  \
  [[maybe_unused]] static const bool actbench_init_registered_##id =               \
      ::actbench::model::InitRegistry::instance().add(actbench_init_entry_##id()); \
  static ::actbench::model::InitEntry actbench_init_entry_##id()

#define ACTBENCH_REGISTER_BIAS_INIT(id)                                                     \
  static ::actbench::model::BiasInitEntry actbench_bias_init_entry_##id();                  \
  [[maybe_unused]] static const bool actbench_bias_init_registered_##id =                   \
      ::actbench::model::BiasInitRegistry::instance().add(actbench_bias_init_entry_##id()); \
  static ::actbench::model::BiasInitEntry actbench_bias_init_entry_##id()
