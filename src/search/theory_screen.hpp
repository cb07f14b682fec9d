// The theory screen of a search candidate, before any training, from the catalogue's mean-field
// theory (catalogue/activation_theory.hpp): the gain the `expr` activation recommends (the
// second-moment gain), whether an edge of chaos with a stable fixed point exists at the screen's
// edge_sigma_b2, and where the length map takes the pre-activations' second moment over the
// network's depth at that gain (Poole et al. 2016: q' = sigma_w2 E[f(sqrt(q) z)^2] + sigma_b2, from
// q = 1, a normalised input). A candidate passes when the gain is finite and q stays within [q_low,
// q_high] through every layer: outside, the signal vanishes or explodes before training starts.
// The screen is recorded for every candidate; a search uses it as a filter only when told to.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace actbench::search {

struct ScreenOptions {
  double sigma_b2 = 0.0;  // of the length map: the runs' biases start at zero
  // Where the edge of chaos is looked for: at sigma_b2 = 0 an odd smooth f (tanh) has only the
  // unstable q* = 0 limit, and Hayou et al. 2019 place the usable points at sigma_b2 > 0.
  double edge_sigma_b2 = 0.05;
  int64_t depth = 2;  // hidden layers the length map is iterated over (the proxy's)
  double q_low = 1e-4, q_high = 1e4;
};

struct ScreenResult {
  // Non-empty when the `expr` activation refuses the text (its own finiteness check on [-10, 10],
  // say): such a candidate cannot be trained at all, and every other field is unset.
  std::string refused;
  double gain = 0.0;           // the recommended gain (NaN where it is undefined)
  bool edge_of_chaos = false;  // a point with a stable q* on the critical line at sigma_b2
  double edge_sigma_w2 = 0.0;  // its sigma_w2 (the first stable one; NaN without one)
  std::vector<double> q;       // q after each hidden layer at sigma_w2 = gain^2
  bool passes = false;
  std::string reason;  // why it does not pass ("" when it does)
};

ScreenResult screen_candidate(const std::string& expression_text, const ScreenOptions& options);

}  // namespace actbench::search
