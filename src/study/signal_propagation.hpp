// Signal propagation at initialisation and the edge of chaos (Poole et al. 2016; Schoenholz et al.
// 2017; Hayou, Doucet and Rousseau 2019), split along measure / decide / write:
//   measure  signal_propagation.cpp: the mean-field maps against random networks, the trainability
//            sweep and the edge-of-chaos sweeps;
//   decide   signal_propagation_decide.cpp: the papers' claims, verdicts and sentences;
//   write    signal_propagation_write.cpp: tables, figures and the README.
// Public so the tests can run the measurement and the verdict rules at a small size.
#pragma once

#include <filesystem>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "study/claims.hpp"
#include "study/study.hpp"

namespace actbench::study {

// q^l and c^l, layer by layer (index 0 = the first hidden layer's pre-activations), measured in
// random MLPs of `width` units with the mean_field init at (sigma_w2, sigma_b2), for 128 pairs of
// inputs of length q0 = 1 and correlation c0 (q^l over every input, c^l over the pairs), mean over
// seeds; and the same from the maps.
struct PropagationCurves {
  std::string activation;
  std::string point;  // "recommended gain" or "edge of chaos"
  double sigma_w2 = 0.0, sigma_b2 = 0.0;
  std::vector<double> q_measured, c_measured, q_theory, c_theory;
  std::vector<double> q_seed_spread;  // standard deviation over seeds of q^l, relative to its mean
  // Largest over layers of |q measured / q theory - 1| and |c measured - c theory|.
  double max_q_deviation = 0.0, max_c_deviation = 0.0;
};

PropagationCurves measure_propagation(const std::string& activation, const std::string& point,
                                      double sigma_w2, double sigma_b2, int width, int depth,
                                      int seeds, double c0);

struct TrainabilityCell {
  double sigma_w2 = 0.0;
  int depth = 0;
  double xi_c = 0.0;
  double accuracy = 0.0;  // training accuracy over the last epoch read, mean over seeds
  bool trainable = false;
};

// How many cells "trainable iff depth < c xi_c" classifies right.
struct RuleCount {
  int right = 0, cells = 0;
};
RuleCount classify_with(const std::vector<TrainabilityCell>& cells, double c);

// The constant c of "trainable iff depth < c xi_c" fitted in-sample: the fewest misclassified
// cells on a 0.05 grid of c, with the tie range (every grid c that misclassifies as few).
struct Separation {
  double c = 0.0;      // the smallest c of the tie range
  double c_max = 0.0;  // the largest
  int misclassified = 0;
  int cells = 0;
};
Separation best_separation(const std::vector<TrainabilityCell>& cells);

// Part 1's measurement: every elementwise catalogue activation at two points.
struct AtInitMeasurements {
  std::vector<PropagationCurves> rows;
  std::vector<std::string> skipped;  // "maxout: not elementwise ..."
  int width = 0, depth = 0, seeds = 0;
  double c0 = 0.5;
  double q_tolerance = 0.1, c_tolerance = 0.05;
};

// Part 2's: tanh over (sigma_w2, depth) cells at sigma_b2.
struct TrainabilityMeasurements {
  // cells_by_length[k]: the cells after steps[k] training steps (mean over seeds).
  std::vector<std::vector<TrainabilityCell>> cells_by_length;
  std::vector<int> steps;
  int width = 0, seeds = 0;
  int64_t batch_size = 0;
  double lr = 0.0, momentum = 0.0;  // as the runs' configs have them
  double sigma_b2 = 0.0;
  std::vector<double> sigma_w2s;
  std::vector<int> depths;
  double threshold = 0.5;  // trainable: training accuracy at least this
  // The critical sigma_w2 at sigma_b2: rows at or below it are ordered, above it chaotic.
  double critical_sigma_w2 = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::pair<double, double>> xi_curve;  // (sigma_w2, xi_c) on a fine grid
};

// Part 3's rows: one activation, arm and depth, over seeds.
struct EdgeOfChaosRow {
  std::string activation;
  // "edge of chaos", "standard", or "He = edge of chaos" (ReLU, where the two are one point).
  std::string init;
  std::string recipe;  // what the init is: "critical, sigma_b2 0.04" or "kaiming_normal, gain^2"
  double sigma_w2 = 0.0, sigma_b2 = 0.0;  // of the hidden layers
  double input_scale = 1.0;               // the inputs' multiplier (sqrt(q*) at the edge of chaos)
  int depth = 0;
  std::vector<int64_t> seeds;                                // the seed of each entry below
  std::vector<double> first_epoch_accuracy, final_accuracy;  // test accuracy, per seed
  int runs = 0, failed = 0;
};

struct EdgeOfChaosMeasurements {
  std::vector<EdgeOfChaosRow> rows;
  std::vector<int> depths;
  int width = 0, seeds = 0, epochs = 0, train_images = 0;
  double lr = 0.0, momentum = 0.0;  // as the runs' configs have them
  struct Point {                    // an edge-of-chaos point of the critical init's line
    std::string activation;
    double sigma_b2 = 0.0, sigma_w2 = 0.0, q = 0.0, length_slope = 0.0;
    bool stable = false, chosen = false;
  };
  std::vector<Point> points;
};

// What the decide layer reads: the measured numbers of the three parts.
struct SignalPropagationSummary {
  // Part 1: each row's largest deviation against the tolerances.
  std::vector<PropagationCurves> at_init;
  double q_tolerance = 0.1, c_tolerance = 0.05;
  // Part 2: the cells after each training length read (steps), the last is the longest.
  std::vector<int> steps;
  std::vector<std::vector<TrainabilityCell>> cells_by_length;
  double critical_sigma_w2 = std::numeric_limits<double>::quiet_NaN();
  // Part 3.
  std::vector<EdgeOfChaosRow> edge_of_chaos;
  int deepest = 0;
  // dq'/dq at SiLU's edge-of-chaos q* (above 1: q* repels, q leaves it with depth); NaN: unknown.
  double silu_edge_length_slope = std::numeric_limits<double>::quiet_NaN();
};

// Schoenholz et al. 2017, fig. 5 and section 5: networks train up to a depth of about 6 xi_c.
inline constexpr double kPublishedXiConstant = 6.0;
// A Part 3 run trained when its final test accuracy is at least this: twice chance on MNIST.
inline constexpr double kPropagationTrainedAccuracy = 0.2;

// The fitted constant per phase: all cells, the ordered rows (sigma_w2 <= critical) and the
// chaotic ones.
struct PhaseSeparation {
  std::string phase;  // "all", "ordered", "chaotic"
  Separation fitted;
  RuleCount published;  // with c = 6
};
std::vector<PhaseSeparation> separations_by_phase(const std::vector<TrainabilityCell>& cells,
                                                  double critical_sigma_w2);

// The claims of Poole et al. 2016, Schoenholz et al. 2017 and Hayou et al. 2019 as data
// (study/claims.hpp), decided from the numbers' intervals, with generated sentences.
std::vector<ClaimResult> decide_signal_propagation(const SignalPropagationSummary& summary);

AtInitMeasurements measure_at_init(const StudyOptions& options, const std::filesystem::path& out);
TrainabilityMeasurements measure_trainability(const StudyOptions& options,
                                              const std::filesystem::path& out);
EdgeOfChaosMeasurements measure_edge_of_chaos(const StudyOptions& options,
                                              const std::filesystem::path& out);

struct SignalPropagationMeasurements {
  AtInitMeasurements at_init;
  TrainabilityMeasurements trainability;
  EdgeOfChaosMeasurements edge_of_chaos;
};
SignalPropagationSummary summarize_signal_propagation(const SignalPropagationMeasurements& m);

// Tables, figures and the README under `out` (the phase diagrams and part 1's figures are drawn
// while measuring); returns the README's path.
std::filesystem::path write_signal_propagation(const StudyOptions& options,
                                               const std::filesystem::path& out,
                                               const SignalPropagationMeasurements& m,
                                               const std::vector<ClaimResult>& claims);

}  // namespace actbench::study
