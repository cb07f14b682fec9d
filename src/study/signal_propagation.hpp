// Signal propagation at initialisation and the edge of chaos (Poole et al. 2016; Schoenholz et al.
// 2017; Hayou, Doucet and Rousseau 2019): the mean-field maps of catalogue/mean_field.hpp against
// real random networks, trainability against the depth scale xi_c, and edge-of-chaos against
// standard initialisation in deep MLPs. Public so the tests can run the measurement and the
// verdict rules at a small size; the claims are decided by functions separate from the writing.
#pragma once

#include <string>
#include <vector>

namespace actbench::study {

// q^l and c^l, layer by layer (index 0 = the first hidden layer's pre-activations), measured in
// random MLPs of `width` units with the mean_field init at (sigma_w2, sigma_b2), for two inputs of
// length q0 = 1 and correlation c0, mean over seeds; and the same from the maps.
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

// A claim decided from numbers: "agrees", "partly" or "does not agree", with the sentence saying
// why (the claims-as-data structure of the other studies can take these over unchanged).
struct Verdict {
  std::string verdict;
  std::string reason;
};

// The maps predict q^l within `q_tolerance` (relative) and c^l within `c_tolerance` (absolute) at
// every layer: agrees when every row does, partly when at least three quarters do.
Verdict decide_propagation(const std::vector<PropagationCurves>& rows, double q_tolerance,
                           double c_tolerance);

// Trainability: (sigma_w2, depth, trained?) cells and xi_c per sigma_w2; the constant c of the
// rule "trainable iff depth < c xi_c" that misclassifies fewest cells (the smallest such c).
struct TrainabilityCell {
  double sigma_w2 = 0.0;
  int depth = 0;
  double xi_c = 0.0;
  double accuracy = 0.0;
  bool trainable = false;
};
struct Separation {
  double c = 0.0;
  int misclassified = 0;
  int cells = 0;
};
Separation best_separation(const std::vector<TrainabilityCell>& cells);

}  // namespace actbench::study
