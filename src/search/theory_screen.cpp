// The theory screen (theory_screen.hpp): the candidate as the `expr` activation a run would build,
// handed to the catalogue's Gaussian expectations.
#include "search/theory_screen.hpp"

#include <fmt/format.h>

#include <cmath>
#include <exception>
#include <limits>

#include "catalogue/activation_theory.hpp"
#include "catalogue/mean_field.hpp"
#include "core/error.hpp"

namespace actbench::search {
namespace theory_screen_internal {

void screen_theory(const model::ResolvedActivation& activation, const ScreenOptions& options,
                   ScreenResult* result) {
  result->gain = activation.gain();
  const catalogue::GaussianExpectations e(catalogue::functions_of(activation));
  bool degenerate = false;
  for (const catalogue::EdgeOfChaosPoint& p :
       catalogue::edge_of_chaos(e, options.edge_sigma_b2, &degenerate)) {
    if (!p.stable && !degenerate) continue;
    result->edge_of_chaos = true;
    result->edge_sigma_w2 = p.sigma_w2;
    break;
  }
  if (!std::isfinite(result->gain) || result->gain <= 0.0) {
    result->reason = fmt::format("no usable gain ({})", result->gain);
    return;
  }
  // The first layer sees the normalised input (second moment 1); each later one the activation's
  // second moment at the layer before.
  const double sigma_w2 = result->gain * result->gain;
  double q = sigma_w2 + options.sigma_b2;
  for (int64_t layer = 0; layer < options.depth; ++layer) {
    if (layer > 0) q = sigma_w2 * e.length(q).f2 + options.sigma_b2;
    result->q.push_back(q);
    if (!std::isfinite(q) || q < options.q_low || q > options.q_high) {
      result->reason = fmt::format("the length map takes q to {:.3g} at hidden layer {} of {}", q,
                                   layer + 1, options.depth);
      return;
    }
  }
  result->passes = true;
}

}  // namespace theory_screen_internal
using namespace theory_screen_internal;

ScreenResult screen_candidate(const std::string& expression_text, const ScreenOptions& options) {
  ScreenResult result;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  result.gain = nan;
  result.edge_sigma_w2 = nan;
  model::ResolvedActivation activation;
  try {
    activation =
        catalogue::activation_from_text(fmt::format("{{expr: \"{}\"}}", expression_text), 0);
  } catch (const ConfigError& e) {
    result.refused = e.message();
    result.reason = "the expr activation refuses it: " + e.message();
    return result;
  }
  try {
    screen_theory(activation, options, &result);
  } catch (const std::exception& e) {
    // A candidate the quadrature cannot handle is recorded as such, not a failed search.
    result.passes = false;
    result.reason = std::string("the theory cannot be computed: ") + e.what();
  }
  return result;
}

}  // namespace actbench::search
