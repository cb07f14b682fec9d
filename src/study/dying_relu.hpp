// The born-dead estimator of the dying-ReLU study (Lu et al. 2019), public so the tests can check
// it against the closed form at small sizes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace actbench::study {

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

}  // namespace actbench::study
