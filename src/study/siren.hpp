// The at-initialisation half of the SIREN study (Sitzmann et al. 2020): per-layer distributions of
// a deep sine network, public so the tests can check the paper's claim at a small size.
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>
#include <string>
#include <vector>

namespace actbench::study {

struct SineLayerStats {
  double arg_mean = 0, arg_std = 0;  // the sine's argument omega_0 * z
  double arg_ks = 0;                 // Kolmogorov-Smirnov distance to N(0, 1)
  double post_mean = 0, post_std = 0;
  double post_ks = 0;  // Kolmogorov-Smirnov distance to the arcsine law on [-1, 1]
};

// Builds the sine MLP that `overrides` describe (activation, init, biases, hidden widths; one
// input, seed 0), runs `inputs` [N, 1] through it, and returns the statistics of every hidden
// layer, first to last. `omega_0` is the sine's. `each_layer`, if set, also receives each layer's
// index, argument and output (float64) as they are measured.
std::vector<SineLayerStats> sine_layer_stats(
    const std::vector<std::string>& overrides, double omega_0, const at::Tensor& inputs,
    const std::function<void(size_t, const at::Tensor&, const at::Tensor&, const SineLayerStats&)>&
        each_layer = nullptr);

}  // namespace actbench::study
