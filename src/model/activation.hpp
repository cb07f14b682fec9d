// The activation registry. Each activation is one .cpp under model/activations/ that registers an
// ActivationEntry: its name, description, parameters (strictly parsed), the module that computes it
// (built from LibTorch ops, so autograd gives its derivative), and its recommended gain for
// Xavier/Kaiming initialisation, with where that gain comes from.
#pragma once

#include <torch/nn/module.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "core/registry.hpp"

namespace actbench::model {

// Where an activation sits, for activations whose shape depends on it (PReLU per channel, maxout).
struct ActivationContext {
  int64_t num_features =
      0;                 // units of an MLP layer or channels of a conv layer, after the activation
  bool is_conv = false;  // input is [N, C, H, W] instead of [N, F]
};

// An activation as a module, so that learnable parameters (PReLU's slope, Swish's beta) are trained
// and saved with the model.
class Activation : public torch::nn::Module {
 public:
  // z: [N, F] or [N, C, H, W] pre-activations; for maxout, F (or C) is pieces() times the output
  // width.
  virtual torch::Tensor forward(const torch::Tensor& z) = 0;
  // How many pre-activation features feed one output feature (k for maxout, 1 for everything else).
  virtual int64_t pieces() const { return 1; }
  // f'(z) elementwise, shaped like z (for maxout: d output / d piece), without a graph: what the
  // probes measure dead units and saturation with. The default differentiates forward() with
  // autograd, in eval mode (an RReLU in training mode would draw random slopes, and a run's random
  // stream must not depend on its probes). An activation may give its closed form instead, when
  // that is cheaper: with every-step probes it runs for every layer at every step.
  virtual torch::Tensor derivative(const torch::Tensor& z);
};

struct ActivationEntry {
  static constexpr const char* kKind = "activation";

  std::string name;
  std::vector<std::string> aliases;  // e.g. swish for silu
  std::string description;           // one line, shown by `actbench activations`
  std::vector<core::ParamSpec> params;
  // Set only by entries whose parameter names are not fixed (expr: they come from the expression).
  // Then it resolves the config's parameters instead of core::resolve_params over `params` (which
  // still documents the fixed ones) and throws located ConfigErrors as that does.
  std::function<core::ParamValues(const core::ComponentSpec&)> resolve;
  // Recommended gain for Xavier and Kaiming initialisation with these parameters.
  std::function<double(const core::ParamValues&)> gain;
  std::string gain_source;  // why this gain: "torch.nn.init.calculate_gain", "1/sqrt(E[f(z)^2]),
                            // z~N(0,1)", ...
  std::function<std::shared_ptr<Activation>(const core::ParamValues&, const ActivationContext&)>
      make;
};

using ActivationRegistry = core::Registry<ActivationEntry>;

// An activation resolved from a config: registry entry plus every parameter.
struct ResolvedActivation {
  const ActivationEntry* entry = nullptr;
  core::ParamValues params;
  double gain() const { return entry->gain(params); }
  std::shared_ptr<Activation> make(const ActivationContext& context) const {
    return entry->make(params, context);
  }
};

// Looks up the name and resolves the parameters; throws a located ConfigError.
ResolvedActivation resolve_activation(const core::ComponentSpec& spec);

// Wraps an elementwise function of the input and the module as a parameter-free Activation; most
// entries need nothing more.
// `derivative`, if given, is f' in closed form (Activation::derivative); it must agree with
// autograd's derivative of `fn` everywhere, kinks included (the activation tests check it).
std::shared_ptr<Activation> make_elementwise(
    std::function<torch::Tensor(const torch::Tensor&)> fn,
    std::function<torch::Tensor(const torch::Tensor&)> derivative = nullptr);

// E[g(z)] for z ~ N(0, 1) by composite Simpson quadrature on [-12, 12] with panel width 1/512:
// kinks at the usual places fall on panel edges, and the mass beyond |z| = 12 is below 1e-32.
// `g` maps the nodes (float64) to values at the nodes. The one quadrature of N(0, 1) moments.
double normal_expectation(const std::function<torch::Tensor(const torch::Tensor&)>& g);

// 1 / sqrt(E[f(z)^2]) for z ~ N(0, 1), by normal_expectation (kinks on panel edges): the
// gain that keeps the second moment of the pre-activations at 1 from layer to layer (He et al.
// 2015's argument, for any f).
// Used where PyTorch's calculate_gain has no value for the activation.
double second_moment_gain(const std::function<torch::Tensor(const torch::Tensor&)>& fn);

}  // namespace actbench::model

// Registers an activation from its own .cpp: ACTBENCH_REGISTER_ACTIVATION(relu) { return {...}; }
#define ACTBENCH_REGISTER_ACTIVATION(id)                                                       \
  static ::actbench::model::ActivationEntry actbench_activation_entry_##id();                  \
  [[maybe_unused]] static const bool actbench_activation_registered_##id =                     \
      ::actbench::model::ActivationRegistry::instance().add(actbench_activation_entry_##id()); \
  static ::actbench::model::ActivationEntry actbench_activation_entry_##id()
