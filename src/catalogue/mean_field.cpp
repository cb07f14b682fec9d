// Mean-field maps of a wide random network: Gaussian expectations by composite Gauss-Legendre
// quadrature split at the activation's kinks, every fixed point of the length map by a log scan
// and bisection, the correlation map's fixed point, and the edge of chaos (mean_field.hpp).
#include "catalogue/mean_field.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "core/numbers.hpp"

namespace actbench::catalogue {

namespace {

using core::kInfinity;
using core::kNaN;
using core::kPi;
// No segment of one rule gets more panels than this (only a periodic f at a huge q needs more;
// its expectation is then less accurate, and quadrature_description says so).
constexpr int kMaxPanelsPerSegment = 4000;
// The correlation map's 2-D rule (outer times inner nodes) takes fewer: it bounds the cost for a
// periodic f, whose c-map is then less accurate at large q.
constexpr int kMaxPanels2D = 100;
// Beyond feature_extent panels grow with |x|: width kGrowth |x|.
constexpr double kGrowth = 0.25;
// Bisection to this relative width.
constexpr double kRelativeTolerance = 1e-13;

const std::vector<double>& legendre_nodes() {
  static const std::vector<double> nodes = [] {
    std::vector<double> x, w;
    gauss_legendre(kLegendreOrder, &x, &w);
    return x;
  }();
  return nodes;
}

const std::vector<double>& legendre_weights() {
  static const std::vector<double> weights = [] {
    std::vector<double> x, w;
    gauss_legendre(kLegendreOrder, &x, &w);
    return w;
  }();
  return weights;
}

// Appends nodes and weights for E[g(u)], u ~ N(mean, sd^2): the weights include the density.
void append_normal_rule(const ActivationFunctions& activation, double mean, double sd,
                        std::vector<double>* nodes, std::vector<double>* weights,
                        int max_panels = kMaxPanelsPerSegment,
                        double max_width = std::numeric_limits<double>::infinity(),
                        const std::vector<double>& extra_edges = {}) {
  if (!(sd > 0.0)) {  // a point mass
    nodes->push_back(mean);
    weights->push_back(1.0);
    return;
  }
  const double lo = mean - kTailSigmas * sd;
  const double hi = mean + kTailSigmas * sd;
  std::vector<double> edges{lo, hi};
  for (double kink : activation.kinks)
    if (kink > lo && kink < hi) edges.push_back(kink);
  for (double edge : extra_edges)
    if (edge > lo && edge < hi) edges.push_back(edge);
  if (0.0 > lo && 0.0 < hi) edges.push_back(0.0);  // the usual centre of an activation's features
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());

  const std::vector<double>& gx = legendre_nodes();
  const std::vector<double>& gw = legendre_weights();
  const double norm = 1.0 / (sd * std::sqrt(2.0 * kPi));
  const double density_width = sd;  // 10 nodes integrate the density over 1 sd to rounding
  // Panel width for a panel whose end nearer to 0 is at |x| = ax.
  auto width_at = [&](double ax) {
    double w = activation.panel_width;
    if (ax > activation.feature_extent) w = std::max(w, kGrowth * (ax - activation.feature_extent));
    return std::min({w, density_width, max_width});
  };
  for (size_t s = 0; s + 1 < edges.size(); ++s) {
    const double a = edges[s], b = edges[s + 1];
    std::vector<double> ends{a};
    const double min_width = (b - a) / max_panels;
    for (double x = a; x < b;) {
      double w = width_at(std::abs(x));
      if (x < 0.0) w = width_at(std::max(0.0, -x - w));  // the end nearer 0 sets the width
      w = std::max(w, min_width);
      x = (b - x <= w * 1.000001) ? b : x + w;
      ends.push_back(x);
    }
    for (size_t p = 0; p + 1 < ends.size(); ++p) {
      const double mid = 0.5 * (ends[p] + ends[p + 1]);
      const double half = 0.5 * (ends[p + 1] - ends[p]);
      for (size_t k = 0; k < gx.size(); ++k) {
        const double u = mid + half * gx[k];
        const double d = (u - mean) / sd;
        nodes->push_back(u);
        weights->push_back(gw[k] * half * norm * std::exp(-0.5 * d * d));
      }
    }
  }
}

void evaluate(const ActivationFunctions& activation, const std::vector<double>& x,
              std::vector<double>* f, std::vector<double>* df) {
  activation.evaluate(x, f, df);
  if ((f != nullptr && f->size() != x.size()) || (df != nullptr && df->size() != x.size()))
    throw std::logic_error("activation evaluator for '" + activation.name +
                           "' returned the wrong number of values");
}

// Indices i with a sign change between values[i] and values[i + 1] (values[i] nonzero). A change
// where both values are below kNoise times scales[i + 1] is rounding, not a root: tanh's
// sigma_b2(q) = q - E[f^2] / E[f'^2] is O(q^3), lost in the cancellation below q ~ 1e-5.
constexpr double kNoise = 1e-11;
std::vector<size_t> sign_changes(const std::vector<double>& values,
                                 const std::vector<double>& scales) {
  std::vector<size_t> changes;
  for (size_t i = 0; i + 1 < values.size(); ++i) {
    const double a = values[i], b = values[i + 1];
    if (std::max(std::abs(a), std::abs(b)) <= kNoise * scales[i + 1]) continue;
    if ((a > 0.0 && b <= 0.0) || (a < 0.0 && b >= 0.0)) changes.push_back(i);
  }
  return changes;
}

// Root of g in [lo, hi], where g(lo) and g(hi) have opposite signs, by the Illinois variant of
// regula falsi (superlinear, and the bracket is never lost), to kRelativeTolerance.
double bisect(const std::function<double(double)>& g, double lo, double hi, double g_lo) {
  double g_hi = g(hi);
  if (g_hi == 0.0) return hi;
  int side = 0;
  for (int i = 0; i < 200; ++i) {
    if (hi - lo <= kRelativeTolerance * std::max(std::abs(hi), std::abs(lo))) break;
    double mid = (lo * g_hi - hi * g_lo) / (g_hi - g_lo);
    // A plain bisection step when the secant point is not well inside the bracket.
    if (!(mid > lo && mid < hi)) mid = 0.5 * (lo + hi);
    const double g_mid = g(mid);
    if (g_mid == 0.0) return mid;
    if ((g_mid > 0.0) == (g_lo > 0.0)) {
      lo = mid;
      g_lo = g_mid;
      if (side == -1) g_hi *= 0.5;
      side = -1;
    } else {
      hi = mid;
      g_hi = g_mid;
      if (side == 1) g_lo *= 0.5;
      side = 1;
    }
  }
  return 0.5 * (lo + hi);
}

double depth_scale(double slope) {
  if (!(slope >= 0.0)) return kNaN;
  if (slope >= 1.0) return slope == 1.0 ? kInfinity : kNaN;
  if (slope == 0.0) return 0.0;
  return -1.0 / std::log(slope);
}

std::string number(double v) {
  if (std::isnan(v)) return "n/a";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{:.6g}", v);
}

}  // namespace

std::string quadrature_description(const ActivationFunctions& activation) {
  if (activation.closed_form != ActivationFunctions::ClosedForm::None)
    return "closed form (" + activation.name + ")";
  std::string kinks;
  for (double k : activation.kinks) kinks += (kinks.empty() ? "" : ", ") + fmt::format("{:g}", k);
  return fmt::format(
             "composite Gauss-Legendre, {} nodes per panel, panels at most {:g} wide in x{}, over "
             "mean "
             "+- {:g} sd of the normal density, panel edges at 0{}",
             kLegendreOrder, activation.panel_width,
             std::isinf(activation.feature_extent)
                 ? ""
                 : fmt::format(" up to |x| = {:g} and growing beyond", activation.feature_extent),
             kTailSigmas, kinks.empty() ? "" : " and the kinks " + kinks) +
         fmt::format(" (at most {} panels a segment, {} in each dimension of the correlation map)",
                     kMaxPanelsPerSegment, kMaxPanels2D);
}

void gauss_legendre(int order, std::vector<double>* nodes, std::vector<double>* weights) {
  nodes->assign(order, 0.0);
  weights->assign(order, 0.0);
  for (int i = 0; i < (order + 1) / 2; ++i) {
    double x = std::cos(kPi * (i + 0.75) / (order + 0.5));
    double dp = 0.0;
    for (int iteration = 0; iteration < 100; ++iteration) {
      double p0 = 1.0, p1 = 0.0;
      for (int j = 1; j <= order; ++j) {
        const double p2 = p1;
        p1 = p0;
        p0 = ((2.0 * j - 1.0) * x * p1 - (j - 1.0) * p2) / j;
      }
      dp = order * (x * p0 - p1) / (x * x - 1.0);
      const double step = p0 / dp;
      x -= step;
      if (std::abs(step) < 1e-16) break;
    }
    (*nodes)[i] = -x;
    (*nodes)[order - 1 - i] = x;
    const double w = 2.0 / ((1.0 - x * x) * dp * dp);
    (*weights)[i] = w;
    (*weights)[order - 1 - i] = w;
  }
}

void gauss_hermite(int order, std::vector<double>* nodes, std::vector<double>* weights) {
  nodes->assign(order, 0.0);
  weights->assign(order, 0.0);
  const double pim4 = std::pow(kPi, -0.25);
  double z = 0.0;
  for (int i = 0; i < (order + 1) / 2; ++i) {
    // Initial guesses of Numerical Recipes' gauher for the largest roots first.
    if (i == 0) {
      z = std::sqrt(2.0 * order + 1.0) - 1.85575 * std::pow(2.0 * order + 1.0, -0.16667);
    } else if (i == 1) {
      z -= 1.14 * std::pow(order, 0.426) / z;
    } else if (i == 2) {
      z = 1.86 * z - 0.86 * (*nodes)[0];
    } else if (i == 3) {
      z = 1.91 * z - 0.91 * (*nodes)[1];
    } else {
      z = 2.0 * z - (*nodes)[i - 2];
    }
    double pp = 0.0;
    for (int iteration = 0; iteration < 100; ++iteration) {
      double p1 = pim4, p2 = 0.0;
      for (int j = 0; j < order; ++j) {
        const double p3 = p2;
        p2 = p1;
        p1 = z * std::sqrt(2.0 / (j + 1)) * p2 - std::sqrt(static_cast<double>(j) / (j + 1)) * p3;
      }
      pp = std::sqrt(2.0 * order) * p2;
      const double step = p1 / pp;
      z -= step;
      if (std::abs(step) < 1e-15) break;
    }
    (*nodes)[i] = z;
    (*nodes)[order - 1 - i] = -z;
    (*weights)[i] = 2.0 / (pp * pp);
    (*weights)[order - 1 - i] = (*weights)[i];
  }
}

GaussianExpectations::GaussianExpectations(ActivationFunctions activation, bool use_closed_form)
    : activation_(std::move(activation)),
      closed_form_(use_closed_form &&
                   activation_.closed_form != ActivationFunctions::ClosedForm::None) {
  if (!activation_.evaluate) throw std::invalid_argument("GaussianExpectations: no evaluator");
}

std::vector<LengthMoments> GaussianExpectations::length(const std::vector<double>& qs) const {
  std::vector<LengthMoments> out(qs.size());
  if (closed_form_ && activation_.closed_form == ActivationFunctions::ClosedForm::Sine) {
    // u ~ N(0, q): E[cos(2 w u)] = exp(-2 w^2 q), so E[sin^2] = (1 - that) / 2 and E[f'^2] =
    // w^2 (1 + that) / 2; d E[sin^2] / dq = w^2 exp(-2 w^2 q).
    const double w2 = activation_.omega * activation_.omega;
    for (size_t i = 0; i < qs.size(); ++i) {
      const double e = std::exp(-2.0 * w2 * qs[i]);
      out[i] = {qs[i], 0.5 * (1.0 - e), 0.5 * w2 * (1.0 + e), w2 * e};
    }
    return out;
  }
  if (closed_form_) {
    const bool relu = activation_.closed_form == ActivationFunctions::ClosedForm::Relu;
    for (size_t i = 0; i < qs.size(); ++i) {
      const double scale = relu ? 0.5 : 1.0;
      out[i] = {qs[i], scale * qs[i], scale, scale};
    }
    return out;
  }
  // In chunks of q, so that a periodic f (uniform panels everywhere) at huge q stays in memory.
  constexpr size_t kChunk = 16;
  for (size_t first = 0; first < qs.size(); first += kChunk) {
    const size_t last = std::min(qs.size(), first + kChunk);
    std::vector<double> nodes, weights;
    std::vector<size_t> starts;
    for (size_t i = first; i < last; ++i) {
      if (!(qs[i] >= 0.0)) throw std::invalid_argument("length moments need q >= 0");
      starts.push_back(nodes.size());
      append_normal_rule(activation_, 0.0, std::sqrt(qs[i]), &nodes, &weights);
    }
    starts.push_back(nodes.size());
    std::vector<double> f, df;
    evaluate(activation_, nodes, &f, &df);
    for (size_t i = first; i < last; ++i) {
      double f2 = 0.0, df2 = 0.0, stein = 0.0;
      for (size_t k = starts[i - first]; k < starts[i - first + 1]; ++k) {
        f2 += weights[k] * f[k] * f[k];
        df2 += weights[k] * df[k] * df[k];
        stein += weights[k] * f[k] * df[k] * nodes[k];
      }
      // At q = 0 the Stein form is 0/0; its limit is f'(0)^2 + f(0) f''(0), and the rule's point
      // mass at 0 gives f'(0)^2 (exact for f(0) = 0, the case where q = 0 can be a fixed point).
      const double slope = qs[i] > 0.0 ? stein / qs[i] : df2;
      out[i] = {qs[i], f2, df2, slope};
    }
  }
  return out;
}

const std::vector<double>& GaussianExpectations::scan_grid() const {
  if (scan_grid_.empty()) scan_grid_ = log_grid(kQMin, kQMax, kScanPoints);
  return scan_grid_;
}

const std::vector<LengthMoments>& GaussianExpectations::scan_moments() const {
  if (scan_moments_.empty()) scan_moments_ = length(scan_grid());
  return scan_moments_;
}

double GaussianExpectations::mean(double q) const {
  std::vector<double> nodes, weights, f;
  append_normal_rule(activation_, 0.0, std::sqrt(q), &nodes, &weights);
  evaluate(activation_, nodes, &f, nullptr);
  double m = 0.0;
  for (size_t k = 0; k < nodes.size(); ++k) m += weights[k] * f[k];
  return m;
}

CorrelationMoments GaussianExpectations::correlation(double q, double c) const {
  c = std::clamp(c, -1.0, 1.0);
  if (closed_form_) {
    if (activation_.closed_form == ActivationFunctions::ClosedForm::Identity) return {c * q, 1.0};
    if (activation_.closed_form == ActivationFunctions::ClosedForm::Sine) {
      // sin a sin b = (cos(a - b) - cos(a + b)) / 2, and w (u1 -+ u2) is normal with variance
      // 2 w^2 q (1 -+ c); cos a cos b the same with a plus.
      const double w2 = activation_.omega * activation_.omega;
      const double minus = std::exp(-w2 * q * (1.0 - c)), plus = std::exp(-w2 * q * (1.0 + c));
      return {0.5 * (minus - plus), 0.5 * w2 * (minus + plus)};
    }
    // The arc-cosine kernel of degree 1 and 0 (Cho and Saul 2009).
    const double theta = std::acos(c);
    return {q / (2.0 * kPi) * (std::sin(theta) + (kPi - theta) * c), (kPi - theta) / (2.0 * kPi)};
  }
  // u2 given u1 is N(c u1, q (1 - c^2)): an outer rule over u1, an inner one per outer node, all
  // evaluated in one batch.
  // The inner expectation, as a function of u1, turns a kink k of f into a step of width
  // inner_sd / |c| around u1 = k / c: the outer panels are no wider, and have an edge there.
  const double inner_sd = std::sqrt(std::max(0.0, q * (1.0 - c * c)));
  const double outer_width = std::max(inner_sd / std::max(std::abs(c), 1e-300),
                                      std::min(activation_.panel_width, std::sqrt(q)) / 8.0);
  std::vector<double> shifted_kinks;
  if (c != 0.0)
    for (double kink : activation_.kinks) shifted_kinks.push_back(kink / c);
  std::vector<double> outer, outer_w;
  append_normal_rule(
      activation_, 0.0, std::sqrt(q), &outer, &outer_w, kMaxPanels2D,
      activation_.kinks.empty() ? std::numeric_limits<double>::infinity() : outer_width,
      shifted_kinks);
  // Kept from call to call (the phase diagram makes thousands): the rule holds tens of thousands
  // of nodes, and growing fresh vectors to that size each time costs more than the sums.
  static thread_local std::vector<double> nodes, weights, f, df;
  static thread_local std::vector<size_t> starts;
  nodes.assign(outer.begin(), outer.end());
  weights.clear();
  starts.clear();
  for (double u1 : outer) {
    starts.push_back(nodes.size());
    append_normal_rule(activation_, c * u1, inner_sd, &nodes, &weights, kMaxPanels2D);
  }
  starts.push_back(nodes.size());
  evaluate(activation_, nodes, &f, &df);
  CorrelationMoments m;
  const size_t n = outer.size();
  for (size_t i = 0; i < n; ++i) {
    double inner_f = 0.0, inner_df = 0.0;
    for (size_t k = starts[i]; k < starts[i + 1]; ++k) {
      inner_f += weights[k - n] * f[k];
      inner_df += weights[k - n] * df[k];
    }
    m.ff += outer_w[i] * f[i] * inner_f;
    m.dfdf += outer_w[i] * df[i] * inner_df;
  }
  return m;
}

double correlation_map(const GaussianExpectations& e, double sigma_w2, double sigma_b2, double q,
                       double c) {
  if (!(q > 0.0)) return 1.0;  // all inputs collapse onto the same point
  return (sigma_w2 * e.correlation(q, c).ff + sigma_b2) / q;
}

std::vector<double> log_grid(double lo, double hi, int count) {
  std::vector<double> grid(count);
  const double a = std::log(lo), b = std::log(hi);
  for (int i = 0; i < count; ++i) grid[i] = std::exp(a + (b - a) * i / std::max(1, count - 1));
  grid.front() = lo;
  grid.back() = hi;
  return grid;
}

namespace {

// The correlation map's stable fixed point and slope at the fixed point q (chaotic phase): the
// largest c in [0, 1) where c' - c turns from >= 0 to < 0 (just below 1 it is < 0, as chi1 > 1).
std::pair<double, double> correlation_fixed_point(const GaussianExpectations& e, double sigma_w2,
                                                  double sigma_b2, double q) {
  auto g = [&](double c) { return correlation_map(e, sigma_w2, sigma_b2, q, c) - c; };
  std::vector<double> cs;
  for (int i = 0; i <= 9; ++i) cs.push_back(0.1 * i);
  for (double k = 1.5; k <= 8.0; k += 0.5) cs.push_back(1.0 - std::pow(10.0, -k));
  std::vector<double> gs;
  // c' - c within rounding of 0 is 0 (an odd f without biases maps c = 0 to 0 exactly).
  for (double c : cs) {
    const double value = g(c);
    gs.push_back(std::abs(value) <= kNoise ? 0.0 : value);
  }
  double c_star = kNaN;
  if (gs[0] == 0.0) c_star = 0.0;
  for (size_t i = cs.size() - 1; i-- > 0;) {
    if (gs[i] >= 0.0 && gs[i + 1] < 0.0) {
      c_star = gs[i] == 0.0 ? cs[i] : bisect(g, cs[i], cs[i + 1], gs[i]);
      break;
    }
  }
  if (std::isnan(c_star)) return {kNaN, kNaN};
  return {c_star, sigma_w2 * e.correlation(q, c_star).dfdf};
}

FixedPoint analyse_fixed_point(const GaussianExpectations& e, double sigma_w2, double sigma_b2,
                               double q, bool with_correlation) {
  const LengthMoments m = e.length(q);
  FixedPoint p;
  p.q = q;
  p.length_slope = sigma_w2 * m.slope;
  p.stable = p.length_slope < 1.0;
  p.chi1 = sigma_w2 * m.df2;
  p.xi_q = depth_scale(p.length_slope);
  const double tolerance = 1e-9;
  if (std::abs(p.chi1 - 1.0) <= tolerance) {
    p.phase = "critical";
  } else {
    p.phase = p.chi1 < 1.0 ? "ordered" : "chaotic";
  }
  if (p.chi1 <= 1.0 + tolerance) {
    p.c_star = 1.0;
    p.chi_c = p.chi1;
  } else if (with_correlation) {
    std::tie(p.c_star, p.chi_c) = correlation_fixed_point(e, sigma_w2, sigma_b2, q);
  } else {
    p.c_star = p.chi_c = kNaN;
  }
  p.xi_c = p.phase == "critical" ? kInfinity : depth_scale(p.chi_c);
  return p;
}

}  // namespace

std::vector<const FixedPoint*> PhaseAnalysis::stable() const {
  std::vector<const FixedPoint*> out;
  for (const FixedPoint& p : fixed_points)
    if (p.stable) out.push_back(&p);
  return out;
}

std::string PhaseAnalysis::summary() const {
  std::string head =
      fmt::format("sigma_w2 = {}, sigma_b2 = {}: ", number(sigma_w2), number(sigma_b2));
  if (every_q_fixed)
    return head + "every q is a fixed point of the length map (no single q*), chi1 = " +
           number(fixed_points.empty() ? kNaN : fixed_points.front().chi1);
  if (grows_without_bound)
    return head + fmt::format("no fixed point: q grows without bound (none up to q = {:g})", kQMax);
  std::string out = head;
  for (size_t i = 0; i < fixed_points.size(); ++i) {
    const FixedPoint& p = fixed_points[i];
    out += fmt::format("{}q* = {} ({}, dq'/dq = {}), chi1 = {} ({}), c* = {}, xi_q = {}, xi_c = {}",
                       i == 0 ? "" : "; ", number(p.q), p.stable ? "stable" : "unstable",
                       number(p.length_slope), number(p.chi1), p.phase, number(p.c_star),
                       number(p.xi_q), number(p.xi_c));
  }
  return out;
}

PhaseAnalysis analyse(const GaussianExpectations& e, double sigma_w2, double sigma_b2,
                      bool with_correlation) {
  if (!(sigma_w2 > 0.0) || !(sigma_b2 >= 0.0) || !std::isfinite(sigma_w2) ||
      !std::isfinite(sigma_b2))
    throw std::invalid_argument("analyse: need sigma_w2 > 0 and sigma_b2 >= 0, finite");
  PhaseAnalysis a;
  a.sigma_w2 = sigma_w2;
  a.sigma_b2 = sigma_b2;
  const std::vector<double>& qs = e.scan_grid();
  const std::vector<LengthMoments>& moments = e.scan_moments();
  auto gap_of = [&](const LengthMoments& m) { return sigma_w2 * m.f2 + sigma_b2 - m.q; };
  std::vector<double> gaps;
  bool all_zero = true;
  for (const LengthMoments& m : moments) {
    gaps.push_back(gap_of(m));
    all_zero = all_zero && std::abs(gaps.back()) <= 1e-9 * (m.q + sigma_b2 + 1e-300);
  }
  if (all_zero) {
    a.every_q_fixed = true;
    a.fixed_points.push_back(analyse_fixed_point(e, sigma_w2, sigma_b2, 1.0, with_correlation));
    return a;
  }
  auto gap = [&](double q) { return gap_of(e.length(q)); };
  std::vector<double> roots;
  const double gap_zero = gap(0.0);
  if (gap_zero == 0.0) roots.push_back(0.0);
  if ((gap_zero > 0.0 && gaps[0] < 0.0) || (gap_zero < 0.0 && gaps[0] > 0.0))
    roots.push_back(bisect(gap, 0.0, qs[0], gap_zero));
  for (size_t i : sign_changes(gaps, qs))
    roots.push_back(gaps[i + 1] == 0.0 ? qs[i + 1] : bisect(gap, qs[i], qs[i + 1], gaps[i]));
  for (double q : roots)
    a.fixed_points.push_back(analyse_fixed_point(e, sigma_w2, sigma_b2, q, with_correlation));
  a.grows_without_bound = a.fixed_points.empty() && gaps.back() > 0.0;
  return a;
}

std::vector<EdgeOfChaosPoint> critical_curve(const GaussianExpectations& e,
                                             const std::vector<double>& qs) {
  std::vector<EdgeOfChaosPoint> out;
  for (const LengthMoments& m : e.length(qs)) {
    if (!(m.df2 > 0.0)) continue;
    EdgeOfChaosPoint p;
    p.q = m.q;
    p.sigma_w2 = 1.0 / m.df2;
    p.sigma_b2 = m.q - p.sigma_w2 * m.f2;
    p.length_slope = p.sigma_w2 * m.slope;
    p.stable = p.length_slope < 1.0;
    out.push_back(p);
  }
  return out;
}

std::vector<EdgeOfChaosPoint> edge_of_chaos(const GaussianExpectations& e, double sigma_b2,
                                            bool* degenerate) {
  if (degenerate != nullptr) *degenerate = false;
  const std::vector<EdgeOfChaosPoint> curve = critical_curve(e, e.scan_grid());
  std::vector<EdgeOfChaosPoint> out;
  if (curve.empty()) return out;
  // ReLU: sigma_b2(q) = 0 at every q; the line is the single point sigma_w2 = 2 at any q.
  bool constant = true;
  for (const EdgeOfChaosPoint& p : curve)
    constant = constant && std::abs(p.sigma_b2 - curve.front().sigma_b2) <= 1e-9 * (1.0 + p.q) &&
               std::abs(p.sigma_w2 - curve.front().sigma_w2) <= 1e-9 * p.sigma_w2;
  if (constant) {
    if (degenerate != nullptr) *degenerate = true;
    if (std::abs(curve.front().sigma_b2 - sigma_b2) <= 1e-9 * (1.0 + sigma_b2)) {
      EdgeOfChaosPoint p = curve.front();
      p.q = kNaN;
      p.sigma_b2 = sigma_b2;
      out.push_back(p);
    }
    return out;
  }
  // The q -> 0 end: with f(0) = 0, sigma_b2(q) -> 0 and sigma_w2 -> 1 / f'(0)^2.
  const LengthMoments at_zero = e.length(0.0);
  if (sigma_b2 == 0.0 && at_zero.f2 == 0.0 && at_zero.df2 > 0.0) {
    EdgeOfChaosPoint p;
    p.sigma_w2 = 1.0 / at_zero.df2;
    p.length_slope = p.sigma_w2 * at_zero.slope;
    p.stable = p.length_slope < 1.0;
    out.push_back(p);
  }
  auto residual = [&](double q) {
    const LengthMoments m = e.length(q);
    return q - m.f2 / m.df2 - sigma_b2;
  };
  std::vector<double> residuals, curve_qs;
  for (const EdgeOfChaosPoint& p : curve) {
    residuals.push_back(p.sigma_b2 - sigma_b2);
    curve_qs.push_back(p.q);
  }
  for (size_t i : sign_changes(residuals, curve_qs)) {
    const double q = residuals[i + 1] == 0.0
                         ? curve[i + 1].q
                         : bisect(residual, curve[i].q, curve[i + 1].q, residuals[i]);
    EdgeOfChaosPoint p = critical_curve(e, {q}).front();
    p.sigma_b2 = sigma_b2;  // exact by construction; the curve's value differs by rounding
    out.push_back(p);
  }
  return out;
}

}  // namespace actbench::catalogue
