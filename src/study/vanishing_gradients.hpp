// The at-initialisation half of the vanishing-gradient study (Glorot and Bengio 2010), public so
// the tests can check its qualitative claim at a small size.
#pragma once

#include <string>
#include <vector>

#include "data/dataset.hpp"

namespace actbench::study {

// Per hidden layer (index 0 = the bottom, next to the input), mean over seeds.
struct GradientsAtInit {
  std::vector<double> backprop;     // ||dL/dz||: back-propagated to the pre-activations
  std::vector<double> weight_grad;  // ||dL/dW||
  std::vector<double> post_std;     // standard deviation of the activations
  std::vector<double> saturated;    // saturated share, as the probes define it
};

// An MLP with `hidden` (e.g. "[256, 256]") layers of `activation`, initialised by `init_override`
// (e.g. "model.init=standard") with zero biases, seeds 0 .. seeds-1, measured on the test split of
// `dataset` with L the mean cross-entropy.
GradientsAtInit gradients_at_init(const std::string& activation, const std::string& init_override,
                                  const std::string& hidden, const data::Dataset& dataset,
                                  int seeds);

}  // namespace actbench::study
