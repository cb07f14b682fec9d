// Properties of an activation computed from its implementation, not typed next to it: the module
// a run would build is evaluated in eval mode (in float64 where its ops allow), autograd gives f',
// and the catalogue (`actbench activations`), the plots and the tests all read the numbers from
// here, so they cannot drift away from what training actually uses.
#pragma once

#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "model/activation.hpp"

namespace actbench::model {

// f and f' of an activation sampled at the points x, all three 1-D tensors of the same length.
struct ActivationCurve {
  torch::Tensor x;
  torch::Tensor f;
  torch::Tensor df;
};

// Evaluates the module that `make` builds (ActivationContext{num_features = 1}) in eval mode, so
// that RReLU uses its mean slope, with autograd for f'. `x` is converted to float64; if the module
// cannot run in float64 it is evaluated in float32 and the results are widened. A module with
// pieces() = k > 1 (maxout) gets k equal copies of each x: the one 1-D slice on which it is a
// function of x alone.
ActivationCurve evaluate_activation(const ResolvedActivation& activation, const torch::Tensor& x);

// Where f' jumps on a curve sampled at evenly spaced points: across the intervals [x_i, x_i+1] for
// i in first..last (two when autograd's value at the kink lies between the one-sided ones), at `x`,
// where the tangents on either side cross. Between neighbouring points a continuous f' changes by
// about f'' times the spacing, much as it does two and three points away; a jump stands out
// against those. Jumps below 1e-3 of the largest |f'| are ignored.
struct DerivativeJump {
  int64_t first = 0;
  int64_t last = 0;
  double x = 0.0;
};
std::vector<DerivativeJump> derivative_jumps(const ActivationCurve& curve);

// The grid the properties are computed on: x = i / 10^4 for i in [-200000, 200000], so that x = 0
// and the usual kinks (+-1, +-3, 6) are grid points exactly, and it is symmetric for odd checks.
torch::Tensor property_grid();

// E[g(z)] for z ~ N(0, 1): normal_expectation, declared in model/activation.hpp.

// One end of the output range.
struct RangeBound {
  bool bounded = false;   // false: f is unbounded on this side (value is then +-infinity)
  double value = 0.0;     // the infimum or supremum
  bool attained = false;  // some finite x has f(x) = value: "[" rather than "("
};

struct ActivationProperties {
  std::string name;
  std::string parameters;   // resolved values, "alpha=1, beta=2"; empty without parameters
  std::string precision;    // "float64", or "float32" when the module's ops need it
  bool elementwise = true;  // false for maxout: see `note`
  std::string note;         // how to read the row when it is not the plain elementwise case

  RangeBound lower;
  RangeBound upper;
  double value_at_zero = 0.0;

  // Largest |f'| and where: `max_derivative_x` is where it is reached, and when it is reached on
  // a whole stretch (ReLU's [0, inf)), `max_derivative_from/to` are the stretch's ends
  // (+-infinity when it continues to the far points); otherwise both equal max_derivative_x.
  // All three are +-infinity when |f'| only approaches its supremum as |x| grows (softplus).
  double max_abs_derivative = 0.0;
  double max_derivative_x = 0.0;
  double max_derivative_from = 0.0;
  double max_derivative_to = 0.0;
  double derivative_at_zero = 0.0;  // what autograd returns at 0, the subgradient training uses

  bool monotonic = false;        // non-decreasing or non-increasing on the grid and the tails
  bool zero_centred = false;     // f(0) = 0 and f takes both signs
  bool odd = false;              // f(-x) = -f(x) on the grid
  bool smooth = false;           // no jump in f' anywhere on the grid
  std::vector<double> kinks;     // where f' jumps, located to ~1e-4
  bool saturates_left = false;   // f'(x) -> 0 as x -> -infinity
  bool saturates_right = false;  // f'(x) -> 0 as x -> +infinity
  // f(x) = 0 exactly on a half-line, x <= sparse_threshold (x >= it when sparse_on_right), left
  // at a rate above rounding (an underflowing tail like GELU's does not count).
  bool sparse = false;
  bool sparse_on_right = false;
  double sparse_threshold = 0.0;
  // f'(x) = 0 exactly on a half-line by the function's definition (ReLU's x <= 0, relu6's x >= 6,
  // hard_tanh's both ends): a unit whose pre-activations all lie there is structurally dead. An
  // underflowing tail is not such a half-line (float64 rounds tanh' to 0 beyond |x| ~ 19 and
  // float32 rounds SiLU' to 0 below about -100): as for `sparse`, within 0.1 of the flat
  // stretch's end |f'| must reach 1e-6 of its maximum. -inf / +inf when there is none.
  double flat_below = -std::numeric_limits<double>::infinity();  // f' = 0 for every x <= this
  double flat_above = std::numeric_limits<double>::infinity();   // f' = 0 for every x >= this
  bool has_flat_half_line() const { return std::isfinite(flat_below) || std::isfinite(flat_above); }

  // E[f(z)] and Var[f(z)] for z ~ N(0, 1) (for maxout: the max of k iid N(0, 1) pieces).
  double mean = 0.0;
  double variance = 0.0;
  double gain = 0.0;  // the registry's recommended gain, for the table
};

// Computes every property of the activation, with its parameters as resolved. Deterministic and
// cheap (a few tens of milliseconds).
ActivationProperties compute_properties(const ResolvedActivation& activation);

// "alpha=1, beta=2": every parameter as resolved, in name order; empty without parameters.
std::string parameter_string(const ResolvedActivation& activation);

// The activation with default parameters, looked up by name or alias; throws a ConfigError (with
// a did-you-mean) located at `where` for an unknown name.
ResolvedActivation default_activation(const std::string& name,
                                      const SourceLocation& where = SourceLocation::defaulted());

}  // namespace actbench::model
