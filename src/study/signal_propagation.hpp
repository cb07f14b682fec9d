// Signal propagation at initialisation and the edge of chaos (Poole et al. 2016; Schoenholz et al.
// 2017; Hayou, Doucet and Rousseau 2019): the mean-field maps of catalogue/mean_field.hpp against
// real random networks, trainability against the depth scale xi_c, and edge-of-chaos against
// standard initialisation in deep MLPs. Public so the tests can run the measurement and the
// verdict rules at a small size; the claims are decided by functions separate from the writing.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "study/claims.hpp"

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

// The constant c of the rule "trainable iff depth < c xi_c" that misclassifies fewest cells (the
// smallest such c on a 0.05 grid).
struct TrainabilityCell {
  double sigma_w2 = 0.0;
  int depth = 0;
  double xi_c = 0.0;
  double accuracy = 0.0;  // training accuracy over the last epoch read, mean over seeds
  bool trainable = false;
};
struct Separation {
  double c = 0.0;
  int misclassified = 0;
  int cells = 0;
};
Separation best_separation(const std::vector<TrainabilityCell>& cells);

// Part 3's rows: one activation, init and depth, over seeds.
struct EdgeOfChaosRow {
  std::string activation, init;  // init: "edge of chaos", "He", "Xavier", "He = edge of chaos"
  int depth = 0;
  std::vector<double> first_epoch_accuracy, final_accuracy;  // test accuracy, per seed
  int runs = 0, failed = 0;
};

// What the decide layer reads: the measured numbers of the three parts.
struct SignalPropagationSummary {
  // Part 1: each row's largest deviation against the tolerances.
  std::vector<PropagationCurves> at_init;
  double q_tolerance = 0.1, c_tolerance = 0.05;
  // Part 2: the separation after each training length read (steps), the last is the longest.
  std::vector<int> steps;
  std::vector<Separation> separations;
  // Part 3.
  std::vector<EdgeOfChaosRow> edge_of_chaos;
  int deepest = 0;
  // dq'/dq at SiLU's edge-of-chaos q* (above 1: q* repels, q leaves it with depth); NaN: unknown.
  double silu_edge_length_slope = std::numeric_limits<double>::quiet_NaN();
};

// The claims of Poole et al. 2016, Schoenholz et al. 2017 and Hayou et al. 2019 as data
// (study/claims.hpp), decided from the numbers, with generated sentences.
std::vector<ClaimResult> decide_signal_propagation(const SignalPropagationSummary& summary);

}  // namespace actbench::study
