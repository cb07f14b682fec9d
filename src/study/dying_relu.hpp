// The dying-ReLU study (Lu, Shin, Su and Karniadakis 2019; CS231n's "dying ReLU" in training),
// split along measure / decide / write:
//   measure  dying_relu_born_dead.cpp (Monte Carlo at initialisation), dying_relu_collapse.cpp
//            (packed sweeps of deep narrow nets on regression targets) and
//            dying_relu_training.cpp (the training sweeps, their probes and dead-unit masks) fill
//            the structs below;
//   decide   dying_relu_decide.cpp and dying_relu_collapse_decide.cpp turn those numbers into
//            claims with verdicts and sentences;
//   write    dying_relu_write.cpp and dying_relu_collapse_write.cpp print tables, plots and the
//            README from numbers and verdicts.
// The structs are public so that the tests can feed made-up numbers to decide and write.
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "study/claims.hpp"
#include "study/study.hpp"

namespace actbench::study {

// ---- Born dead (measured at initialisation).

struct BornDeadCell {
  int64_t trials = 0;
  std::vector<int64_t> dead_at_input;    // per depth L = 1..D: some layer <= L is 0 at the input
  std::vector<int64_t> constant_on_set;  // the depth-L network is constant on the probe set
};

// `trials` initialisations of a ReLU MLP with 2 inputs and `max_depth` hidden layers of `width`
// units, initialised by `init_overrides` (e.g. {"model.init=rai"}); a depth-L network is the first
// L layers, so each trial answers every depth.
BornDeadCell estimate_born_dead(int64_t width, int64_t max_depth,
                                const std::vector<std::string>& init_overrides, int64_t trials,
                                int64_t probe_points, uint64_t seed);

// 1 - (1 - 2^-width)^depth: born dead at one input with symmetric weights and zero biases.
double born_dead_formula(int64_t width, int64_t depth);

struct BornDeadInit {
  std::string label;
  std::vector<std::string> overrides;
  bool symmetric_zero_bias = false;  // the closed form's assumptions hold
  bool rai = false;
};
const std::vector<BornDeadInit>& born_dead_inits();

struct BornDeadMeasurements {
  std::vector<int64_t> widths;
  int64_t max_depth = 0, trials = 0, probe_points = 0;
  std::vector<BornDeadInit> inits;
  std::vector<std::vector<BornDeadCell>> cells;  // [init][width index]
};
BornDeadMeasurements measure_born_dead(const StudyOptions& options);

// ---- Training collapse of deep narrow nets (Lu, Su, Karniadakis 2018; measured by packed sweeps).

// One (target, width, depth, init) cell: its finished runs split three ways by what happened to
// them, so that a net that starts constant is never counted as one that died in training:
//   born dead         some hidden layer is dead on every probe input at step 0 (probe records);
//   constant at init  no layer dead, but the output at step 0 is already constant over the test
//                     inputs by the collapse rule (std below 1e-3 of the target's), recomputed
//                     from the run's seed and config exactly as the run initialised it;
//   died in training  neither of those, and the trained output is constant (collapsed).
// `collapsed` counts every run constant at the end (what the published collapse shares count).
struct CollapseCell {
  std::string target;  // abs, xsin5x, sum_abs
  int64_t dims = 1, width = 0, depth = 0;
  std::string init;    // kaiming_normal | rai
  int64_t trials = 0;  // finished runs
  int64_t collapsed = 0, born_dead = 0, constant_at_init = 0, died_in_training = 0;
  int64_t unfinished = 0;  // diverged or failed: not in trials
};

struct CollapseMeasurements {
  std::vector<CollapseCell> cells;  // the width sweep at depth 10, then the depth sweep at width 3
  int64_t trials_per_cell = 0, points = 0, steps = 0;
  double lr = 0.0;
  // Born-dead runs whose recomputed initial output was not constant: should be none (a dead
  // layer makes the network constant); the README prints the count as a check.
  int64_t born_dead_not_constant = 0;
};
CollapseMeasurements measure_collapse(const StudyOptions& options);

// The cell, or nullptr when it was not measured.
const CollapseCell* find_collapse_cell(const CollapseMeasurements& m, const std::string& target,
                                       int64_t width, int64_t depth, const std::string& init);

// ---- Dying during training (measured by sweeps).

inline constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();

// One training run: what the decide and write layers need, read from its sweep's database and its
// dead-unit masks.
struct DyingRun {
  std::string setting;              // "MNIST MLP", "Fashion-MNIST MLP", "MNIST CNN"
  std::string optimiser;            // "SGD", "SGD + momentum 0.9", "Adam"
  std::string activation;           // registry name: relu, leaky_relu, ...
  bool has_flat_half_line = false;  // the catalogue's: f' = 0 by definition on a half-line
  double lr = 0.0;
  int64_t seed = 0;
  std::string status;  // completed | diverged | ...
  double test_accuracy = kNoValue;
  // The worst layer at the run's last probe record (the end, or the last before divergence).
  std::string worst_layer;
  double final_dead = 0.0, final_structural = 0.0;
  // Over every probe record (epoch and step records).
  double peak_dead = 0.0, peak_structural = 0.0, peak_numerical = 0.0;
  // The first step at which the worst layer's structural dead fraction reached half its final
  // value; -1 when it ends with none.
  int64_t half_dead_step = -1;
  // From the dead-unit masks (structural death), summed over layers: units structurally dead at
  // some record before the last, and how many of those are alive at the last record.
  int64_t ever_dead = 0, revived = 0;
  // Whether the run's dead_units.pt was read: without it ever_dead and revived say nothing (a
  // sweep kept from an earlier study run whose run directories were deleted has none).
  bool masks_read = false;
  // The worst layer's structural dead fraction at each probe record, for the plots.
  std::vector<int64_t> steps;
  std::vector<double> worst_structural;
  bool completed() const { return status == "completed"; }
};

// A run trained when it finished with test accuracy at least this (five times chance on the
// 10-class sets): the training claims use only such runs, and say which they left out.
inline constexpr double kTrainedAccuracy = 0.5;
inline bool trained(const DyingRun& run) {
  return run.completed() && !std::isnan(run.test_accuracy) && run.test_accuracy >= kTrainedAccuracy;
}

struct TrainingMeasurements {
  std::vector<DyingRun> runs;
  std::string setup;  // the sweeps' sizes, for the README
};
TrainingMeasurements measure_training(const StudyOptions& options);

// ---- Decide.

std::vector<ClaimResult> decide_born_dead(const BornDeadMeasurements& m);
std::vector<ClaimResult> decide_training(const TrainingMeasurements& m);
std::vector<ClaimResult> decide_collapse(const CollapseMeasurements& m);

// The published collapse shares (Lu et al. 2018, 10 layers, |x|, symmetric init, as secondary
// sources quote them): a measured cell agrees with one when its 95% Wilson interval lies inside
// the published range, disagrees when it lies outside, and cannot decide when it straddles it.
struct PublishedCollapse {
  int64_t width = 0;
  std::string text;  // "over 90%"
  double low = 0.0, high = 1.0;
};
const std::vector<PublishedCollapse>& published_collapse();

// The RAI comparison quoted for Lu et al. 2019's 1-D example (width 2, depth 10, |x|): collapsed
// shares with a symmetric init and with RAI.
struct PublishedRai {
  int64_t width = 2, depth = 10;
  std::string target = "abs";
  double symmetric = 0.919, rai = 0.292;
};
const PublishedRai& published_rai();

// ---- Write: tables, plots and the README; returns the README's path.
std::filesystem::path write_dying_relu(const StudyOptions& options,
                                       const BornDeadMeasurements& born_dead,
                                       const CollapseMeasurements& collapse,
                                       const TrainingMeasurements& training,
                                       const std::vector<ClaimResult>& born_dead_claims,
                                       const std::vector<ClaimResult>& collapse_claims,
                                       const std::vector<ClaimResult>& training_claims);

// The collapse section of the README (tables, plots and CSV written into `out`).
std::string write_collapse(const std::filesystem::path& out, const CollapseMeasurements& m,
                           const std::vector<ClaimResult>& claims);

}  // namespace actbench::study
