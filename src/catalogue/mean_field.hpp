// Mean-field signal propagation through a wide random network (Poole et al. 2016; Schoenholz et al.
// 2017; Hayou, Doucet and Rousseau 2019): weights N(0, sigma_w2 / fan_in), biases N(0, sigma_b2),
// and an elementwise activation f. The length map q' = sigma_w2 E[f(sqrt(q) z)^2] + sigma_b2, its
// fixed points q*, chi1 = sigma_w2 E[f'(sqrt(q*) z)^2], the correlation map's fixed point c* and
// slope, the depth scales xi_q and xi_c, and the critical line chi1 = 1 (the edge of chaos).
//
// Pure numerical analysis over f and f': this file knows nothing of LibTorch. The activation comes
// in as a batch evaluator (catalogue/activation_functions.hpp builds one from any catalogue entry,
// built-in or expression). Gaussian expectations use composite Gauss-Legendre quadrature (order
// kLegendreOrder per panel) over the normal density, with panel edges at every kink of f: Gauss-
// Hermite, the textbook choice, converges slowly when f has a kink and when sqrt(q) is large enough
// that f(sqrt(q) z) changes on a scale finer than its nodes (tanh at q = 100); the tests compare
// both where Gauss-Hermite is accurate. ReLU and the identity use their closed forms.
#pragma once

#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace actbench::catalogue {

// The range the fixed points and the edge of chaos are searched in: 20 points a decade.
inline constexpr double kQMin = 1e-8;
inline constexpr double kQMax = 1e6;
inline constexpr int kScanPoints = 281;

// Gauss-Legendre nodes per panel of the composite rule.
inline constexpr int kLegendreOrder = 10;
// The normal density is integrated over mean +- kTailSigmas standard deviations (mass outside:
// 1.5e-23).
inline constexpr double kTailSigmas = 10.0;

// An activation as the analysis needs it. `evaluate` sets f(x) and f'(x) for every x (either
// output may be null; each is replaced, not appended to: the analysis hands the same vectors back
// call after call); f' is the derivative training uses (autograd's, with its choice at kinks).
struct ActivationFunctions {
  enum class ClosedForm { None, Identity, Relu, Sine };

  std::string name;
  std::function<void(const std::vector<double>& x, std::vector<double>* f, std::vector<double>* df)>
      evaluate;
  std::vector<double> kinks;  // where f' jumps: panel edges of every quadrature
  // Widest panel, in x: small enough that f varies smoothly across it (sine's 1/omega_0).
  double panel_width = 1.0;
  // |x| beyond which f is smooth and slowly varying, so panels may grow with |x| (infinite for a
  // periodic f, whose features go on forever).
  double feature_extent = 8.0;
  ClosedForm closed_form = ClosedForm::None;
  double omega = 1.0;  // Sine: f(x) = sin(omega x)
};

// How the expectations are computed, for the reports ("composite Gauss-Legendre, ...").
std::string quadrature_description(const ActivationFunctions& activation);

// Gauss-Legendre nodes and weights on [-1, 1] (Newton on the Legendre polynomial).
void gauss_legendre(int order, std::vector<double>* nodes, std::vector<double>* weights);
// Gauss-Hermite (physicists') nodes and weights for the weight exp(-x^2) (Newton, as Numerical
// Recipes' gauher): for the tests' cross-check on smooth activations.
void gauss_hermite(int order, std::vector<double>* nodes, std::vector<double>* weights);

// Moments of the length map at one q (u ~ N(0, q)).
struct LengthMoments {
  double q = 0.0;
  double f2 = 0.0;     // E[f(u)^2]
  double df2 = 0.0;    // E[f'(u)^2]
  double slope = 0.0;  // d E[f(u)^2] / dq = E[f(u) f'(u) u] / q (Stein), finite as q -> 0
};

// Moments of the correlation map at (q, c): (u1, u2) ~ N(0, q [[1, c], [c, 1]]).
struct CorrelationMoments {
  double ff = 0.0;    // E[f(u1) f(u2)]
  double dfdf = 0.0;  // E[f'(u1) f'(u2)]
};

// The Gaussian expectations of one activation; every call evaluates f in one batch.
class GaussianExpectations {
 public:
  // `use_closed_form` false forces quadrature even for ReLU and the identity (for the tests).
  explicit GaussianExpectations(ActivationFunctions activation, bool use_closed_form = true);

  const ActivationFunctions& activation() const { return activation_; }
  std::vector<LengthMoments> length(const std::vector<double>& qs) const;
  LengthMoments length(double q) const { return length(std::vector<double>{q})[0]; }
  CorrelationMoments correlation(double q, double c) const;
  // E[f(u)] for u ~ N(0, q).
  double mean(double q) const;
  // The q grid every fixed-point search scans, and the moments there (computed once, then kept).
  const std::vector<double>& scan_grid() const;
  const std::vector<LengthMoments>& scan_moments() const;

 private:
  ActivationFunctions activation_;
  bool closed_form_;
  mutable std::vector<double> scan_grid_;
  mutable std::vector<LengthMoments> scan_moments_;
};

// One fixed point of the length map and what follows from it.
struct FixedPoint {
  double q = 0.0;
  double length_slope = 0.0;  // dq'/dq at q*: below 1 the point attracts
  bool stable = false;
  double chi1 = 0.0;    // sigma_w2 E[f'(sqrt(q*) z)^2]
  double c_star = 1.0;  // stable fixed point of the correlation map
  double chi_c = 0.0;   // the correlation map's slope at c*
  double xi_q = 0.0;    // -1 / log(length_slope); infinite at slope 1
  double xi_c = 0.0;    // -1 / log(chi_c); infinite on the critical line
  std::string phase;    // "ordered" (chi1 < 1), "chaotic" (> 1) or "critical" (= 1)
};

// Everything the length map does at one (sigma_w2, sigma_b2).
struct PhaseAnalysis {
  double sigma_w2 = 0.0, sigma_b2 = 0.0;
  // Every fixed point found, by increasing q (stable and unstable).
  std::vector<FixedPoint> fixed_points;
  // No fixed point at all: q grows without bound from any start (within the scan, up to kQMax).
  bool grows_without_bound = false;
  // Every q is a fixed point (ReLU at sigma_w2 = 2, sigma_b2 = 0): no single q* exists.
  bool every_q_fixed = false;
  // The stable fixed points; empty when there is none.
  std::vector<const FixedPoint*> stable() const;
  // One line a person reads: "q* = 0.156, chi1 = 1.000 (critical) ..." or "no fixed point: ...".
  std::string summary() const;
};

// Scans q on a log grid over [kQMin, kQMax] (and q = 0 itself), refines every sign change of
// q' - q by bisection to 1e-13 relative, and analyses each fixed point (chi1, c*, xi_q, xi_c).
// `with_correlation` false skips c* and xi_c in the chaotic phase (the costly 2-D part; xi_c is
// then NaN there).
PhaseAnalysis analyse(const GaussianExpectations& e, double sigma_w2, double sigma_b2,
                      bool with_correlation = true);

// The correlation map c -> (sigma_w2 E[f(u1) f(u2)] + sigma_b2) / q at the fixed point q.
double correlation_map(const GaussianExpectations& e, double sigma_w2, double sigma_b2, double q,
                       double c);

// A point of the critical line chi1 = 1 with q its fixed point. On the line, sigma_w2 =
// 1 / E[f'(sqrt(q) z)^2] and sigma_b2 = q - sigma_w2 E[f(sqrt(q) z)^2] (Hayou et al. 2019): the
// line is a curve parameterised by q, so no root finder can jump between its branches.
struct EdgeOfChaosPoint {
  double q = 0.0;
  double sigma_w2 = 0.0;
  double sigma_b2 = 0.0;
  double length_slope = 0.0;  // of the length map at q: below 1, q is an attracting fixed point
  bool stable = false;
};

// The critical line as sampled at `qs` (sorted by q): for the phase diagram.
std::vector<EdgeOfChaosPoint> critical_curve(const GaussianExpectations& e,
                                             const std::vector<double>& qs);

// Every edge-of-chaos point with this sigma_b2: the q where sigma_b2(q) = sigma_b2, found by a
// log scan of q and bisection, each a separate point (the line may branch, or end: then none).
// For sigma_b2 = 0 and f(0) = 0 the limit q -> 0 counts too (tanh: sigma_w2 = 1 / f'(0)^2).
// `degenerate` is set when sigma_b2(q) is the same for every q (ReLU: sigma_b2 = 0 at every q).
std::vector<EdgeOfChaosPoint> edge_of_chaos(const GaussianExpectations& e, double sigma_b2,
                                            bool* degenerate = nullptr);

// The usual scan grid: `count` points log-spaced over [lo, hi].
std::vector<double> log_grid(double lo, double hi, int count);

}  // namespace actbench::catalogue
