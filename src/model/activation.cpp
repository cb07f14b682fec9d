// Activation lookup, the parameter-free elementwise module most activations use, and the
// second-moment gain for activations PyTorch's calculate_gain does not cover.
#include "model/activation.hpp"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <utility>

namespace actbench::model {

ResolvedActivation resolve_activation(const core::ComponentSpec& spec) {
  const ActivationEntry& entry = ActivationRegistry::instance().get(spec.name, spec.where);
  ResolvedActivation resolved;
  resolved.entry = &entry;
  resolved.params = entry.resolve
                        ? entry.resolve(spec)
                        : core::resolve_params(ActivationEntry::kKind, entry.params, spec);
  // Constraints between parameters (hard_tanh's min_val < max_val, rrelu's lower <= upper) are
  // checked by the entry's gain; computing it here makes them located errors when the config is
  // resolved, not when the model is built mid-sweep.
  const double gain = resolved.gain();
  if (!(std::isfinite(gain) && gain > 0.0)) {
    throw std::logic_error("activation '" + entry.name + "' computed an unusable gain " +
                           std::to_string(gain));
  }
  return resolved;
}

torch::Tensor Activation::derivative(const torch::Tensor& z) {
  const bool was_training = is_training();
  eval();
  torch::AutoGradMode grad_on(true);
  const torch::Tensor input = z.detach().requires_grad_(true);
  torch::Tensor result = torch::autograd::grad({forward(input).sum()}, {input})[0];
  train(was_training);
  return result;
}

namespace {

class ElementwiseActivation : public Activation {
 public:
  using Function = std::function<torch::Tensor(const torch::Tensor&)>;
  ElementwiseActivation(Function fn, Function derivative)
      : fn_(std::move(fn)), derivative_(std::move(derivative)) {}
  torch::Tensor forward(const torch::Tensor& z) override { return fn_(z); }
  torch::Tensor derivative(const torch::Tensor& z) override {
    if (!derivative_) return Activation::derivative(z);
    torch::NoGradGuard no_grad;
    return derivative_(z);
  }

 private:
  Function fn_;
  Function derivative_;
};

}  // namespace

std::shared_ptr<Activation> make_elementwise(
    std::function<torch::Tensor(const torch::Tensor&)> fn,
    std::function<torch::Tensor(const torch::Tensor&)> derivative) {
  return std::make_shared<ElementwiseActivation>(std::move(fn), std::move(derivative));
}

// Composite Simpson's rule rather than Gauss-Hermite: most activations here have kinks (relu,
// relu6, hard_tanh, hard_sigmoid, ...), where Gauss-Hermite converges slowly. Simpson is O(h^4) on
// each smooth piece, and the panel width 2h is a power of two, so the usual kinks (0, +-1, +-3, 6
// and the like) fall on panel edges and cost no accuracy; a kink inside a panel still leaves only
// O(h^2) ~ 1e-7. The mass beyond |z| = 12 is below 1e-32.
double normal_expectation(const std::function<torch::Tensor(const torch::Tensor&)>& g) {
  static const std::pair<torch::Tensor, torch::Tensor> quadrature = [] {
    constexpr double kHalfWidth = 12.0;
    constexpr double kStep = 1.0 / 1024.0;
    constexpr auto kIntervals = static_cast<int64_t>(2.0 * kHalfWidth / kStep);  // even
    torch::NoGradGuard no_grad;
    const auto options = torch::TensorOptions().dtype(torch::kFloat64);
    const torch::Tensor nodes = torch::linspace(-kHalfWidth, kHalfWidth, kIntervals + 1, options);
    // Simpson's 1, 4, 2, 4, ..., 2, 4, 1 times h/3, times the N(0, 1) density.
    torch::Tensor simpson = torch::full({kIntervals + 1}, 2.0, options);
    simpson.slice(0, 1, kIntervals, 2).fill_(4.0);
    simpson[0] = 1.0;
    simpson[kIntervals] = 1.0;
    const torch::Tensor weights = simpson * (kStep / 3.0) * torch::exp(-0.5 * nodes * nodes) /
                                  std::sqrt(2.0 * std::acos(-1.0));
    return std::make_pair(nodes, weights);
  }();
  torch::NoGradGuard no_grad;
  return (g(quadrature.first).to(torch::kFloat64) * quadrature.second).sum().item<double>();
}

double second_moment_gain(const std::function<torch::Tensor(const torch::Tensor&)>& fn) {
  const double second_moment = normal_expectation([&](const torch::Tensor& z) {
    const torch::Tensor values = fn(z).to(torch::kFloat64);
    return values * values;
  });
  if (!std::isfinite(second_moment) || second_moment <= 0.0) {
    // A gain of 1 here would silently mis-scale every layer; refuse instead.
    throw std::domain_error("second_moment_gain: E[f(z)^2] is " + std::to_string(second_moment) +
                            ", no gain can normalise it");
  }
  return 1.0 / std::sqrt(second_moment);
}

}  // namespace actbench::model
