// The at-initialisation half of the SIREN study (Sitzmann et al. 2020): per-layer distributions of
// a deep sine network, public so the tests can check the paper's claim at a small size.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "study/claims.hpp"

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

// The study's image fit: an MLP (`overrides`: activation, init, hidden widths...) fitting the
// built-in size x size image (data.dataset: image) through the main trainer, full-batch Adam at lr
// 1e-4 for `steps` steps with an evaluation every `every` steps; seed `seed`. Returns the test PSNR
// (dB) at step 0, every `every` steps and the last step, the training time, and the fitted image
// [size, size] in [0, 1]. A diverged fit throws.
struct ImageFit {
  std::vector<double> steps, psnr;
  double seconds = 0.0;
  at::Tensor reconstruction;
};
ImageFit fit_image(const std::vector<std::string>& overrides, int64_t size, int64_t steps,
                   int64_t every, uint64_t seed);

// What the SIREN study's verdicts rest on, summarised from its measurements (the decide layer's
// input; the tests feed it made-up numbers).
struct SirenSummary {
  int64_t depth = 0;
  // Layers 3 to depth: the argument's smallest and largest std, the output's mean std and the
  // largest KS distance to the arcsine law, with zero biases and with uniform biases.
  double zero_bias_arg_lo = 0, zero_bias_arg_hi = 0, zero_bias_post_std = 0, zero_bias_ks = 0;
  double uniform_bias_arg_lo = 0, uniform_bias_arg_hi = 0, uniform_bias_post_std = 0,
         uniform_bias_ks = 0;
  // The naive inits' argument std in the last layer (and the first, for siren init with w0 = 1).
  double xavier_w30_last_arg_std = 0, xavier_w1_last_arg_std = 0;
  double siren_w1_first_arg_std = 0, siren_w1_last_arg_std = 0;
  // Final PSNR of the image fits (dB).
  double siren_psnr = 0, relu_psnr = 0, tanh_psnr = 0;
};

// Claims 0-2 are about the distributions at initialisation, 3 about the image fit.
std::vector<ClaimResult> decide_siren(const SirenSummary& s);

}  // namespace actbench::study
