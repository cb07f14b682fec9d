// The vanishing-gradient study (Glorot and Bengio 2010), split along measure / decide / write:
//   measure  vanishing_gradients.cpp: gradients at initialisation, and the training sweep;
//   decide   vanishing_gradients_decide.cpp: the paper's claims, verdicts and sentences;
//   write    vanishing_gradients_write.cpp: tables, plots and the README.
// Public so that the tests can check the at-init claim at a small size and feed the decide layer
// made-up numbers.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "data/dataset.hpp"
#include "study/claims.hpp"
#include "study/study.hpp"

namespace actbench::study {

// Per hidden layer (index 0 = the bottom, next to the input), mean over seeds.
struct GradientsAtInit {
  std::vector<double> backprop;     // ||dL/dz||: back-propagated to the pre-activations
  std::vector<double> weight_grad;  // ||dL/dW||
  std::vector<double> post_std;     // standard deviation of the activations
  std::vector<double> saturated;    // saturated share, as the probes define it
  // Per seed (outer), per layer: what the claims' intervals over seeds are computed from.
  std::vector<std::vector<double>> backprop_by_seed, weight_grad_by_seed;
};

// An MLP with `hidden` (e.g. "[256, 256]") layers of `activation`, initialised by `init_override`
// (e.g. "model.init=standard") with zero biases, seeds 0 .. seeds-1, measured on the test split of
// `dataset` with L the mean cross-entropy.
GradientsAtInit gradients_at_init(const std::string& activation, const std::string& init_override,
                                  const std::string& hidden, const data::Dataset& dataset,
                                  int seeds);

struct VanishingInit {
  std::string label;        // as the README says it
  std::string override;     // model.init=...
  std::string sweep_value;  // as the results database labels it
};

// Glorot and Bengio (2010), Table 1, MNIST column: test error in percent; NaN where the paper
// lists none (ReLU, and sigmoid with the normalised init).
double glorot_table1_error(const std::string& activation, bool normalised);

// A training run "trained" when its test error is below this, in percent: well under chance
// (90% on MNIST's ten classes).
inline constexpr double kTrainedErrorPercent = 50.0;

struct VanishingMeasurements {
  bool full = false;
  int64_t width = 0;
  int seeds = 0;
  std::vector<std::string> activations;
  std::vector<VanishingInit> inits;                 // the standard init first, then Xavier
  using Key = std::pair<std::string, std::string>;  // (activation, init label)
  std::map<Key, GradientsAtInit> at_init;
  struct Training {
    std::vector<double> errors;  // test error in percent, finished runs
    int64_t runs = 0, diverged = 0;
  };
  std::map<Key, Training> training;
  // The training sweep's setup, as its runs' configs have it (for the README's prose).
  int training_seeds = 0, epochs = 0, training_width = 0;
  int64_t batch_size = 0, probe_every = 0, probe_samples = 0, test_images = 0;
  double lr = 0.0, momentum = 0.0, saturation_threshold = 0.0;
  // layer -> step -> values over seeds, from the sweep's probes
  using Curves = std::map<std::string, std::map<int64_t, std::vector<double>>>;
  std::map<Key, Curves> post_mean, saturated, backprop;
  // The same per run (run id -> layer -> step -> value): the claims' intervals over seeds.
  using RunCurves = std::map<std::string, std::map<std::string, std::map<int64_t, double>>>;
  std::map<Key, RunCurves> post_mean_runs, saturated_runs;
};

VanishingMeasurements measure_vanishing(const StudyOptions& options);
std::vector<ClaimResult> decide_vanishing(const VanishingMeasurements& m);
std::filesystem::path write_vanishing(const StudyOptions& options, const VanishingMeasurements& m,
                                      const std::vector<ClaimResult>& claims);

}  // namespace actbench::study
