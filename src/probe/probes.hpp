// Per-layer probes for the activation studies. On a fixed probe set: dead units (f'(z) = 0 for
// every sample), saturation (|f'(z)| small against the activation's largest |f'|),
// pre/post-activation mean and std, and the back-propagated gradient dL/dz (Glorot and Bengio's
// quantity). During training: the L2 norm of each layer's weight gradient, accumulated on the
// device and synchronised only when read.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "model/network.hpp"

namespace actbench::probe {

struct LayerProbe {
  double dead_fraction = 0.0;  // units (channels for conv) with f'(z) = 0 on every probe sample
  double saturated_fraction = 0.0;  // (unit, sample) pairs with |f'(z)| < threshold * max |f'|
  double pre_mean = 0.0, pre_std = 0.0;
  double post_mean = 0.0, post_std = 0.0;
  double backprop_grad_norm = 0.0;  // || dL/dz ||_2 over the probe set, L = mean cross-entropy
};

// Runs the probe set through the network in eval mode (no dropout, batch-norm running statistics);
// leaves parameter gradients untouched and restores the training mode.
std::vector<LayerProbe> measure_layers(model::NetworkImpl& network, const at::Tensor& inputs,
                                       const at::Tensor& labels, double saturation_threshold);

// Mean and max over training steps of || dL/dW ||_2 per hidden layer.
class GradNormMeter {
 public:
  struct Value {
    double mean = 0.0;
    double max = 0.0;
  };

  explicit GradNormMeter(size_t num_layers = 0);
  // After backward(): adds this step's norms, on the device, without synchronising.
  void add(model::NetworkImpl& network);
  size_t steps() const { return steps_; }
  // Synchronises, returns the values since the last read, and starts a new window.
  std::vector<Value> read_and_reset();

 private:
  std::vector<at::Tensor> sum_;
  std::vector<at::Tensor> max_;
  size_t steps_ = 0;
};

}  // namespace actbench::probe
