// The mean-field theory of a catalogue activation: the adapter that hands any registered
// activation, built-in or expression, to catalogue/mean_field.hpp (its module evaluated in eval
// mode, float64, autograd for f'; its kinks found on the properties grid), and the report `actbench
// theory` prints and `actbench activations --format json` carries: the fixed points at a
// (sigma_w2, sigma_b2), the edge-of-chaos point(s) at a sigma_b2 and the critical line.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "catalogue/mean_field.hpp"
#include "model/activation.hpp"

namespace actbench::catalogue {

// Why the theory does not apply to this activation ("" when it does): maxout is not elementwise.
std::string theory_not_applicable(const model::ResolvedActivation& activation);

// f and f' through the module a run would build; throws std::invalid_argument when
// theory_not_applicable says why. ReLU and the identity get their closed forms.
ActivationFunctions functions_of(const model::ResolvedActivation& activation);

// The activation from its command-line text: a name ("tanh"), or a component as the config
// writes it ("{name: leaky_relu, negative_slope: 0.1}", "{expr: 'x * sigmoid(x)'}"). Errors are
// ConfigErrors located at <cli>:arg`arg`.
model::ResolvedActivation activation_from_text(const std::string& text, int arg);

struct TheoryOptions {
  std::optional<double> sigma_w2;  // analyse this point too
  double sigma_b2 = 0.0;
  // The critical line is listed at these sigma_b2.
  std::vector<double> line_sigma_b2 = {0.0, 0.01, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0};
};

struct EdgeOfChaosRow {
  double sigma_b2 = 0.0;
  bool degenerate = false;  // the same sigma_w2 at every q (ReLU)
  std::vector<EdgeOfChaosPoint> points;
};

struct TheoryReport {
  std::string activation;  // label with parameters
  std::string quadrature;
  double sigma_b2 = 0.0;
  EdgeOfChaosRow edge;                    // at sigma_b2
  std::vector<PhaseAnalysis> at_edge;     // the length map at each edge point
  std::optional<PhaseAnalysis> at_point;  // at (options.sigma_w2, sigma_b2)
  std::vector<EdgeOfChaosRow> line;
};

TheoryReport compute_theory(const model::ResolvedActivation& activation,
                            const TheoryOptions& options);
std::string theory_text(const TheoryReport& report);
nlohmann::ordered_json theory_json(const TheoryReport& report);
nlohmann::ordered_json phase_json(const PhaseAnalysis& analysis);

// The `theory` section of `actbench activations --format json`: the length map at the
// activation's recommended init (sigma_w2 = gain^2, sigma_b2 = 0) and the edge of chaos at
// sigma_b2 = 0 and 0.05; {"applicable": false, "reason": ...} for maxout.
nlohmann::ordered_json catalogue_theory_json(const model::ResolvedActivation& activation);

// For the `critical` init: the edge-of-chaos sigma_w2 of this activation at sigma_b2 (the point
// with a stable q*, else the first one by q). Cached per activation and sigma_b2, as a network
// asks once per layer. Throws std::domain_error when the critical line does not reach sigma_b2.
double critical_sigma_w2(const model::ResolvedActivation& activation, double sigma_b2);

// One line for the run's meta.json: q*, chi1 and xi_c at (sigma_w2, sigma_b2) for the activation,
// every stable fixed point if several, or "no fixed point". Cached likewise.
std::string init_theory_summary(const model::ResolvedActivation& activation, double sigma_w2,
                                double sigma_b2);

}  // namespace actbench::catalogue
