// Per-layer probes for the activation studies. On a fixed probe set: dead units (f'(z) = 0 for
// every sample), saturation (|f'(z)| small against the activation's largest |f'|),
// pre/post-activation mean and std, and the back-propagated gradient dL/dz (Glorot and Bengio's
// quantity). During training: the L2 norm of each layer's weight gradient, accumulated on the
// device and synchronised only when read. Or, for step records that must cost almost nothing
// (probes.step_source: train_batch), the same per-layer quantities taken from the training steps'
// own forward and backward passes.
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>
#include <string>
#include <vector>

#include "model/network.hpp"

namespace actbench::probe {

struct LayerProbe {
  double dead_fraction = 0.0;  // units (channels for conv) with f'(z) = 0 on every probe sample
  double saturated_fraction = 0.0;  // (unit, sample) pairs with |f'(z)| < threshold * max |f'|
  double pre_mean = 0.0, pre_std = 0.0;
  double post_mean = 0.0, post_std = 0.0;
  double backprop_grad_norm = 0.0;  // || dL/dz ||_2 over the probe set, L = the task's mean loss
  // Dead units whose every pre-activation lies on the activation's half-line where f' = 0 by
  // definition (the catalogue's flat_below / flat_above: ReLU's z <= 0). The rest of
  // dead_fraction is numerical death, f' rounded to 0 (SiLU far left in float32). NaN where not
  // measured (step records from the training batches).
  double structural_dead_fraction = 0.0;
  // Which units: bool [units] on the CPU, for the run's dead-unit masks. Undefined where not
  // measured (structural_dead_units on step records from the training batches).
  at::Tensor dead_units, structural_dead_units;
};

// The loss whose gradient the probes measure: (network output, targets) -> mean loss. Unset:
// cross-entropy with int64 class labels.
using LossFunction = std::function<at::Tensor(const at::Tensor&, const at::Tensor&)>;

// Runs the probe set through the network in eval mode (no dropout, batch-norm running statistics);
// leaves parameter gradients untouched and restores the training mode.
std::vector<LayerProbe> measure_layers(model::NetworkImpl& network, const at::Tensor& inputs,
                                       const at::Tensor& labels, double saturation_threshold,
                                       const LossFunction& loss_function = nullptr);

// Mean and max over training steps of || dL/dW ||_2 per hidden layer. Runs at every training step
// whenever probes are on, so each step costs one dot product per layer into a preallocated slot and
// three operator calls for all layers together.
class GradNormMeter {
 public:
  struct Value {
    double mean = 0.0;
    double max = 0.0;
  };

  explicit GradNormMeter(size_t num_layers = 0) : num_layers_(num_layers) {}
  // After backward(): adds this step's norms, on the device, without synchronising.
  void add(model::NetworkImpl& network);
  size_t steps() const { return steps_; }
  // Synchronises, returns the values since the last read, and starts a new window.
  std::vector<Value> read_and_reset();

 private:
  size_t num_layers_;
  at::Tensor norms_;              // this step's norms, one per layer
  std::vector<at::Tensor> slot_;  // 0-dim views of norms_, the dot products' out= targets
  at::Tensor sum_, max_;          // over the window's steps
  size_t steps_ = 0;
};

// The per-layer probes of the training batches themselves, accumulated over a window of steps on
// the device: attach it as the training forward's observer, and read it at each step record. No
// second forward or backward pass, and no synchronisation until read_and_reset(). Over a window:
// dead_fraction counts units with f'(z) = 0 on every training sample of the window; saturation,
// means and standard deviations pool every (unit, sample) pair; backprop_grad_norm is the mean
// over the window's steps of || dL/dz ||_2 on the step's batch (L the mean training loss of the
// batch, so it is not the probe set's figure: it scales like 1/sqrt(batch size)). Dropout and
// batch norm act as in training, as they do on the gradient the optimiser sees.
class BatchProbeMeter : public model::LayerObserver {
 public:
  BatchProbeMeter(model::NetworkImpl& network, double saturation_threshold);
  void observe(size_t layer, const at::Tensor& pre, const at::Tensor& post) override;
  // Synchronises, returns the window's values (zeros for a layer no step reached), and starts a
  // new window.
  std::vector<LayerProbe> read_and_reset();
  size_t steps() const { return steps_; }

 private:
  // Every buffer is allocated at a layer's first step and overwritten, not reallocated, by each
  // new window: with every_steps = 1 a window is a single step, and each operator call counts.
  struct Layer {
    at::Tensor step;       // float32 [kSums + 1]: this step's sums, then the read's alive count
    at::Tensor step_sums;  // step[0, kSums)
    std::vector<at::Tensor> step_at;  // 0-dim views of `step`, the reductions' out= targets
    at::Tensor window;                // float64 [kSums]: the window's sums
    at::Tensor backprop_sum;          // 0-dim view of window[kBackprop], the dL/dz hook's target
    at::Tensor unit_max_derivative;   // per unit, max |f'(z)| over the window
    at::Tensor below_cutoff;          // float, shaped like f'(z): 1 where saturated, else 0
    int64_t pre_elements = 0, post_elements = 0, steps = 0;
  };
  // The sums' order in Layer::step and Layer::window.
  enum Sum { kSaturated, kPreSum, kPreSquares, kPostSum, kPostSquares, kBackprop, kSums };
  static constexpr int64_t kAlive = kSums;  // in Layer::step: units with f' != 0 in the window

  model::NetworkImpl& network_;
  double saturation_threshold_;
  std::vector<Layer> layers_;
  size_t steps_ = 0;
};

}  // namespace actbench::probe
