// The SIREN study (Sitzmann et al. 2020): per-layer distributions of a deep sine network at
// initialisation over several init seeds, and image fits of SIREN against ReLU and tanh MLPs over
// several training seeds. Measuring (siren.cpp), deciding (siren_decide.cpp) and writing
// (siren_write.cpp) are separate layers; the decide layer is public so the tests can feed it
// made-up numbers.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "study/claims.hpp"
#include "study/study_support.hpp"

namespace actbench::study {

struct SineLayerStats {
  double arg_mean = 0, arg_std = 0;  // the sine's argument omega_0 * z
  double arg_ks = 0;                 // Kolmogorov-Smirnov distance to N(0, 1)
  double post_mean = 0, post_std = 0;
  double post_ks = 0;  // Kolmogorov-Smirnov distance to the arcsine law on [-1, 1]
};

// Builds the sine MLP that `overrides` describe (activation, init, biases, hidden widths; one
// input), seeded with `seed`, runs `inputs` [N, 1] through it, and returns the statistics of every
// hidden layer, first to last. `omega_0` is the sine's. `each_layer`, if set, also receives each
// layer's index, argument and output (float64) as they are measured.
std::vector<SineLayerStats> sine_layer_stats(
    const std::vector<std::string>& overrides, double omega_0, const at::Tensor& inputs,
    const std::function<void(size_t, const at::Tensor&, const at::Tensor&, const SineLayerStats&)>&
        each_layer = nullptr,
    uint64_t seed = 0);

// The study's image fit: an MLP (`overrides`: activation, init, hidden widths...) fitting the
// built-in size x size image (data.dataset: image) through the main trainer, full-batch Adam at
// `lr` for `steps` steps with an evaluation every `every` steps; seed `seed`. Returns the test
// PSNR (dB) at step 0, every `every` steps and the last step, the training time, the fitted image
// [size, size] in [0, 1] and the PSNR of the best constant output (the targets' mean), the floor a
// fit that did not train stays at. A diverged fit comes back with `diverged` set and no curve.
struct ImageFit {
  std::vector<double> steps, psnr;
  double seconds = 0.0;
  at::Tensor reconstruction;
  double constant_psnr = 0.0;
  bool diverged = false;
  std::string reason;  // why it diverged
};
ImageFit fit_image(const std::vector<std::string>& overrides, int64_t size, int64_t steps,
                   int64_t every, uint64_t seed, double lr = 1e-4);

// What the SIREN study's verdicts rest on (the decide layer's input; the tests feed it made-up
// numbers). Every vector holds one value per seed.
struct SirenSummary {
  int64_t depth = 0;
  // Layers 3 to depth, per init seed: the argument's (largest - smallest) / largest std, the
  // larger of zero and uniform biases; the argument's mean std with zero biases; the output's mean
  // std and largest KS distance to the arcsine law.
  std::vector<double> depth_spread, zero_bias_arg_std, zero_bias_post_std, zero_bias_ks;
  std::vector<double> uniform_bias_arg_std, uniform_bias_post_std;
  // The naive inits' argument std in the last layer, per init seed (and the first layer's, for the
  // siren init with w0 = 1).
  std::vector<double> xavier_w30_last_arg_std, xavier_w1_last_arg_std;
  std::vector<double> siren_w1_first_arg_std, siren_w1_last_arg_std;
  // Final PSNR of the image fits that did not diverge, per training seed (dB), and how many
  // diverged; the PSNR of a constant output (a fit at most kSirenTrainedMarginDb above it did not
  // train).
  std::vector<double> siren_psnr, relu_psnr, tanh_psnr;
  int64_t siren_diverged = 0, relu_diverged = 0, tanh_diverged = 0;
  double constant_psnr = 0.0;
};

// A naive init "fails" when its last layer's argument std leaves this band.
inline constexpr double kSirenHealthyLow = 0.5, kSirenHealthyHigh = 2.0;
// An image fit trained when its final PSNR is at least this far above a constant output's.
inline constexpr double kSirenTrainedMarginDb = 1.0;

// Claims 0-2 are about the distributions at initialisation, 3 about the image fit.
std::vector<ClaimResult> decide_siren(const SirenSummary& s);

// ---- The measurements the write layer prints (siren.cpp fills them in).

struct SineVariantResult {
  std::string key, label;                      // file names; tables
  std::string recipe;                          // the overrides, for the README
  std::vector<SineLayerStats> layers;          // init seed 0: the table and the histograms
  std::vector<std::vector<double>> arg_std;    // [layer][init seed]
  std::vector<Histogram> arg_hist, post_hist;  // init seed 0, at the layers shown
  std::vector<size_t> shown_layers;            // 1-based
};

struct ImageFitArm {
  std::string key, label;
  std::vector<std::string> overrides;  // activation and init
  std::vector<ImageFit> fits;          // one per training seed
};

struct SirenMeasurements {
  bool full = false;
  int64_t depth = 0, width = 0, points = 0;
  std::vector<uint64_t> init_seeds;
  std::vector<SineVariantResult> variants;
  int64_t size = 0, steps = 0, every = 0;
  double lr = 0.0;
  std::string hidden;
  std::vector<uint64_t> fit_seeds;
  std::vector<ImageFitArm> arms;  // siren, relu, tanh
  at::Tensor target;              // [size, size] in [0, 1]
};

// The summary decide_siren reads, from the measurements.
SirenSummary summarize_siren(const SirenMeasurements& m);

// Writes the tables, figures, verdicts.json and README.md into `out`; returns the README's path.
std::filesystem::path write_siren(const std::filesystem::path& out, const SirenMeasurements& m,
                                  const std::vector<ClaimResult>& claims);

}  // namespace actbench::study
