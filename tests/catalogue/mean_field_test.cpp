// The mean-field theory against values computed independently of it: the identity and ReLU in
// closed form, tanh's edge of chaos at sigma_b = 0 (sigma_w = 1, q* = 0), the tanh table of Hayou
// et al. 2019's official code, and every edge-of-chaos point of every catalogue activation checked
// by a separate quadrature (composite Simpson, model::normal_expectation) for chi1 = 1 and q' = q.
#include "catalogue/mean_field.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "catalogue/activation_theory.hpp"
#include "catalogue/phase_diagram.hpp"
#include "model/properties.hpp"

namespace actbench::catalogue {
namespace {

GaussianExpectations expectations(const std::string& name, bool closed_form = true) {
  return GaussianExpectations(functions_of(model::default_activation(name)), closed_form);
}

// E[f(u)^2] and E[f'(u)^2], u ~ N(0, q), by composite Simpson in u on the module's own values,
// not by mean_field's rule: 4000 intervals between neighbouring kinks (f'^2 jumps there).
struct Independent {
  double f2 = 0.0, df2 = 0.0;
};
Independent independent_moments(const model::ResolvedActivation& activation, double q) {
  const double sd = std::sqrt(q), pi = 3.14159265358979323846;
  std::vector<double> edges = {-12.0 * sd, 12.0 * sd};
  for (double kink : model::compute_properties(activation).kinks)
    if (std::abs(kink) < 12.0 * sd) edges.push_back(kink);
  std::sort(edges.begin(), edges.end());
  Independent m;
  constexpr int kIntervals = 4000;
  for (size_t s = 0; s + 1 < edges.size(); ++s) {
    const auto options = torch::TensorOptions().dtype(torch::kFloat64);
    const torch::Tensor u = torch::linspace(edges[s], edges[s + 1], kIntervals + 1, options);
    torch::Tensor w = torch::full({kIntervals + 1}, 2.0, options);
    w.slice(0, 1, kIntervals, 2).fill_(4.0);
    w[0] = 1.0;
    w[kIntervals] = 1.0;
    w = w * ((edges[s + 1] - edges[s]) / kIntervals / 3.0) * torch::exp(-0.5 * u * u / q) /
        (sd * std::sqrt(2.0 * pi));
    // One-sided values at the segment's ends: nudge the end nodes inside.
    torch::Tensor inside = u.clone();
    const double nudge = 1e-12 * std::max(1.0, std::abs(edges[s + 1] - edges[s]));
    inside[0] = edges[s] + nudge;
    inside[kIntervals] = edges[s + 1] - nudge;
    const model::ActivationCurve curve = model::evaluate_activation(activation, inside);
    m.f2 += (curve.f * curve.f * w).sum().item<double>();
    m.df2 += (curve.df * curve.df * w).sum().item<double>();
  }
  return m;
}

TEST(MeanField, IdentityMapsAreLinearAndChi1IsSigmaW2) {
  for (bool closed_form : {true, false}) {
    const GaussianExpectations e = expectations("identity", closed_form);
    for (double q : {0.01, 1.0, 50.0}) {
      EXPECT_NEAR(e.length(q).f2, q, 1e-12 * q) << closed_form;
      EXPECT_NEAR(e.length(q).df2, 1.0, 1e-12);
    }
    // q' = 0.7 q + 0.3: q* = 1, chi1 = 0.7, the correlation map c' = (0.7 c q* + 0.3) / q*.
    const PhaseAnalysis a = analyse(e, 0.7, 0.3);
    ASSERT_EQ(a.fixed_points.size(), 1u) << a.summary();
    EXPECT_NEAR(a.fixed_points[0].q, 1.0, 1e-9);
    EXPECT_NEAR(a.fixed_points[0].chi1, 0.7, 1e-12);
    EXPECT_EQ(a.fixed_points[0].phase, "ordered");
    EXPECT_NEAR(correlation_map(e, 0.7, 0.3, 1.0, 0.2), 0.7 * 0.2 + 0.3, 1e-10);
    // sigma_w2 > 1: q grows without bound.
    EXPECT_TRUE(analyse(e, 1.3, 0.1).grows_without_bound);
  }
}

TEST(MeanField, ReluQuadratureMatchesTheClosedForms) {
  const GaussianExpectations quadrature = expectations("relu", false);
  constexpr double kPi = 3.14159265358979323846;
  for (double q : {0.01, 1.0, 100.0}) {
    EXPECT_NEAR(quadrature.length(q).f2, q / 2.0, 1e-12 * q);
    EXPECT_NEAR(quadrature.length(q).df2, 0.5, 1e-12);
    EXPECT_NEAR(quadrature.length(q).slope, 0.5, 1e-12);
    for (double c : {-0.5, 0.3, 0.99}) {
      // The arc-cosine kernels (Cho and Saul 2009), written out here.
      const double theta = std::acos(c);
      const CorrelationMoments m = quadrature.correlation(q, c);
      EXPECT_NEAR(m.ff, q / (2 * kPi) * (std::sin(theta) + (kPi - theta) * c), 1e-10 * q);
      EXPECT_NEAR(m.dfdf, (kPi - theta) / (2 * kPi), 1e-10);
    }
  }
}

TEST(MeanField, SineQuadratureMatchesTheClosedForms) {
  // SIREN's sin(30 x): the closed forms (the normal's characteristic function) against the
  // composite Gauss-Legendre rule at q where both are accurate.
  const GaussianExpectations exact = expectations("sine", true);
  const GaussianExpectations quadrature = expectations("sine", false);
  for (double q : {1e-4, 1e-3, 0.01}) {
    EXPECT_NEAR(exact.length(q).f2, quadrature.length(q).f2, 1e-9);
    EXPECT_NEAR(exact.length(q).df2, quadrature.length(q).df2, 1e-9 * 900);
    EXPECT_NEAR(exact.length(q).slope, quadrature.length(q).slope, 1e-7 * 900);
    for (double c : {-0.5, 0.3, 0.9}) {
      EXPECT_NEAR(exact.correlation(q, c).ff, quadrature.correlation(q, c).ff, 1e-8)
          << q << " " << c;
      EXPECT_NEAR(exact.correlation(q, c).dfdf, quadrature.correlation(q, c).dfdf, 1e-8 * 900)
          << q << " " << c;
    }
  }
  // Independent values: q = 1/900 puts w^2 q at 1.
  EXPECT_NEAR(exact.length(1.0 / 900).f2, 0.5 * (1 - std::exp(-2.0)), 1e-15);
}

TEST(MeanField, ReluIsCriticalOnlyAtHeInitialisation) {
  for (bool closed_form : {true, false}) {
    const GaussianExpectations e = expectations("relu", closed_form);
    // q' = sigma_w2 q / 2 + sigma_b2: q* = 0.1 / (1 - 0.75) = 0.4, chi1 = 0.75.
    const PhaseAnalysis a = analyse(e, 1.5, 0.1);
    ASSERT_EQ(a.fixed_points.size(), 1u) << a.summary();
    EXPECT_NEAR(a.fixed_points[0].q, 0.4, 1e-9);
    EXPECT_NEAR(a.fixed_points[0].chi1, 0.75, 1e-12);
    bool degenerate = false;
    const auto at_zero = edge_of_chaos(e, 0.0, &degenerate);
    ASSERT_EQ(at_zero.size(), 1u);
    EXPECT_TRUE(degenerate);
    EXPECT_NEAR(at_zero[0].sigma_w2, 2.0, 1e-12);
    EXPECT_TRUE(edge_of_chaos(e, 0.05).empty());
    EXPECT_TRUE(analyse(e, 2.0, 0.0).every_q_fixed);
    const PhaseAnalysis runaway = analyse(e, 2.0, 0.1);
    EXPECT_TRUE(runaway.grows_without_bound);
    EXPECT_NE(runaway.summary().find("no fixed point"), std::string::npos);
  }
}

TEST(MeanField, TanhWithoutBiasIsCriticalAtSigmaW1WithQStarZero) {
  const GaussianExpectations e = expectations("tanh");
  const auto points = edge_of_chaos(e, 0.0);
  ASSERT_EQ(points.size(), 1u);
  EXPECT_NEAR(points[0].sigma_w2, 1.0, 1e-9);
  EXPECT_EQ(points[0].q, 0.0);
  const PhaseAnalysis ordered = analyse(e, 0.5, 0.0);
  ASSERT_EQ(ordered.fixed_points.size(), 1u) << ordered.summary();
  EXPECT_EQ(ordered.fixed_points[0].q, 0.0);
  EXPECT_TRUE(ordered.fixed_points[0].stable);
  // Above sigma_w2 = 1, q = 0 repels and a positive q* attracts; without biases and with an odd
  // f, two inputs decorrelate completely: c* = 0.
  const PhaseAnalysis chaotic = analyse(e, 1.5, 0.0);
  ASSERT_EQ(chaotic.stable().size(), 1u) << chaotic.summary();
  EXPECT_GT(chaotic.stable()[0]->q, 0.1);
  EXPECT_EQ(chaotic.stable()[0]->phase, "chaotic");
  EXPECT_NEAR(chaotic.stable()[0]->c_star, 0.0, 1e-9);
}

TEST(MeanField, TanhEdgeOfChaosMatchesHayouEtAlAndIsExactAtOurValues) {
  // simulation_script.py of soufiane001/impact_of_init_and_activation: (sigma_b, sigma_w, q*),
  // standard deviations, by Monte Carlo with 500,000 samples.
  struct Row {
    double sigma_b, sigma_w, q;
  };
  const std::vector<Row> table = {{0.05, 1.1243396, 0.15603},
                                  {0.2, 1.3078679, 0.51969},
                                  {0.5, 1.5525448, 1.32593},
                                  {1.0, 1.8575552, 3.04376}};
  const model::ResolvedActivation tanh = model::default_activation("tanh");
  const GaussianExpectations e(functions_of(tanh));
  for (const Row& row : table) {
    const double sigma_b2 = row.sigma_b * row.sigma_b;
    const auto points = edge_of_chaos(e, sigma_b2);
    ASSERT_EQ(points.size(), 1u) << row.sigma_b;
    const EdgeOfChaosPoint& p = points[0];
    EXPECT_NEAR(std::sqrt(p.sigma_w2), row.sigma_w, 0.005 * row.sigma_w) << row.sigma_b;
    // q* moves more than sigma_w: within 2% of their Monte Carlo value.
    EXPECT_NEAR(p.q, row.q, 0.02 * row.q) << row.sigma_b;
    // An accurate quadrature puts sigma_w slightly below their Monte Carlo value.
    EXPECT_LT(std::sqrt(p.sigma_w2), row.sigma_w) << row.sigma_b;
    const Independent m = independent_moments(tanh, p.q);
    EXPECT_NEAR(p.sigma_w2 * m.df2, 1.0, 1e-6) << row.sigma_b;
    EXPECT_NEAR(p.sigma_w2 * m.f2 + sigma_b2, p.q, 1e-6) << row.sigma_b;
  }
  // The accurate value at sigma_b = 0.2, and their training script's 1.3029.
  EXPECT_NEAR(std::sqrt(edge_of_chaos(e, 0.04)[0].sigma_w2), 1.304, 1e-3);
}

TEST(MeanField, XiCGrowsWithoutBoundTowardsTheCriticalLine) {
  const GaussianExpectations e = expectations("tanh");
  const double critical = edge_of_chaos(e, 0.05)[0].sigma_w2;
  for (double side : {-1.0, 1.0}) {
    double previous = 0.0;
    for (int k = 1; k <= 4; ++k) {
      const PhaseAnalysis a = analyse(e, critical * (1.0 + side * std::pow(10.0, -k)), 0.05);
      ASSERT_EQ(a.stable().size(), 1u) << a.summary();
      const double xi = a.stable()[0]->xi_c;
      EXPECT_GT(xi, previous * 3.0) << a.summary();
      previous = xi;
    }
    EXPECT_GT(previous, 300.0);
  }
}

// Every edge-of-chaos point of every elementwise activation has chi1 = 1 and q* a fixed point by
// a quadrature that shares no code with mean_field: a root finder that jumped between branches of
// the critical line would give a sigma_w2 where chi1 is nowhere near 1. And analyse() finds the
// same point among its fixed points.
TEST(MeanField, EveryEdgeOfChaosPointOfEveryActivationIsCriticalAndFixed) {
  int checked = 0;
  for (const model::ActivationEntry* entry : model::ActivationRegistry::instance().entries()) {
    const model::ResolvedActivation activation = model::default_activation(entry->name);
    if (!theory_not_applicable(activation).empty()) continue;
    const GaussianExpectations e(functions_of(activation));
    for (double sigma_b2 : {0.01, 0.05, 0.5}) {
      for (const EdgeOfChaosPoint& p : edge_of_chaos(e, sigma_b2)) {
        if (!std::isfinite(p.q) || p.q > 100.0) continue;  // Simpson's grid is for moderate q
        const Independent m = independent_moments(activation, p.q);
        EXPECT_NEAR(p.sigma_w2 * m.df2, 1.0, 1e-6) << entry->name << " sigma_b2 " << sigma_b2;
        EXPECT_NEAR(p.sigma_w2 * m.f2 + sigma_b2, p.q, 1e-6 * std::max(1.0, p.q))
            << entry->name << " sigma_b2 " << sigma_b2;
        const PhaseAnalysis a = analyse(e, p.sigma_w2, sigma_b2, false);
        bool found = false;
        for (const FixedPoint& f : a.fixed_points)
          found = found || (std::abs(f.q - p.q) <= 1e-6 * std::max(1.0, p.q) &&
                            std::abs(f.chi1 - 1.0) <= 1e-6);
        EXPECT_TRUE(found) << entry->name << ": " << a.summary();
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 20);
}

TEST(MeanField, SiluHasTwoFixedPointsOrNoneAndSaysSo) {
  const model::ResolvedActivation silu = model::default_activation("silu");
  const GaussianExpectations e(functions_of(silu));
  const PhaseAnalysis two = analyse(e, 2.0, 0.05, false);
  ASSERT_EQ(two.fixed_points.size(), 2u) << two.summary();
  EXPECT_TRUE(two.fixed_points[0].stable);
  EXPECT_FALSE(two.fixed_points[1].stable);
  for (const FixedPoint& p : two.fixed_points) {
    if (p.q > 100.0) continue;
    const Independent m = independent_moments(silu, p.q);
    EXPECT_NEAR(2.0 * m.f2 + 0.05, p.q, 1e-6 * std::max(1.0, p.q));
  }
  const PhaseAnalysis none = analyse(e, 4.0, 0.05, false);
  EXPECT_TRUE(none.grows_without_bound);
  EXPECT_TRUE(none.fixed_points.empty());
  EXPECT_NE(none.summary().find("no fixed point"), std::string::npos);
}

TEST(MeanField, GaussHermiteAgreesWithTheCompositeRuleOnSmoothTanh) {
  std::vector<double> x, w;
  gauss_hermite(80, &x, &w);
  double sum = 0.0, weights = 0.0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double y = std::tanh(std::sqrt(2.0) * x[i]);
    sum += w[i] * y * y;
    weights += w[i];
  }
  EXPECT_NEAR(weights, std::sqrt(3.14159265358979323846), 1e-12);
  EXPECT_NEAR(sum / std::sqrt(3.14159265358979323846), expectations("tanh").length(1.0).f2, 1e-9);
}

TEST(MeanField, AnExpressionActivationGetsTheSameTheoryAsTheBuiltIn) {
  const model::ResolvedActivation expression = activation_from_text("{expr: 'tanh(x)'}", 2);
  const double from_expression = critical_sigma_w2(expression, 0.05);
  EXPECT_NEAR(from_expression, critical_sigma_w2(model::default_activation("tanh"), 0.05), 1e-9);
  // A kinked expression: max(x, 0) is ReLU, the kink found on the grid.
  const GaussianExpectations relu(functions_of(activation_from_text("{expr: 'max(x, 0)'}", 2)));
  EXPECT_NEAR(relu.length(2.0).f2, 1.0, 1e-12);
  EXPECT_NEAR(relu.correlation(1.0, 0.0).ff, 1.0 / (2.0 * 3.14159265358979323846), 1e-10);
}

TEST(MeanField, MaxoutIsRefusedWithAReason) {
  const model::ResolvedActivation maxout = model::default_activation("maxout");
  EXPECT_NE(theory_not_applicable(maxout).find("not elementwise"), std::string::npos);
  EXPECT_THROW(functions_of(maxout), std::invalid_argument);
}

TEST(PhaseDiagram, ContoursFollowTheLevelLine) {
  // values = x + y on [0, 1]^2: the level 0.9 is a line between the grid points.
  const std::vector<double> xs = {0.0, 0.25, 0.5, 0.75, 1.0};
  std::vector<std::vector<double>> values;
  for (double y : xs) {
    std::vector<double> row;
    for (double x : xs) row.push_back(x + y);
    values.push_back(row);
  }
  std::vector<double> cx, cy;
  contour_segments(xs, xs, values, 0.9, &cx, &cy);
  ASSERT_FALSE(cx.empty());
  for (size_t i = 0; i < cx.size(); ++i) {
    if (std::isnan(cx[i])) continue;
    EXPECT_NEAR(cx[i] + cy[i], 0.9, 1e-12);
  }
}

TEST(PhaseDiagram, TanhDiagramShowsTheCriticalLineAndContours) {
  const GaussianExpectations e = expectations("tanh");
  PhaseDiagramOptions options;
  options.columns = 8;
  options.rows = 4;
  const PhaseDiagram d = compute_phase_diagram(e, options);
  const std::string svg = phase_diagram_svg(d, "tanh");
  EXPECT_NE(svg.find("critical line chi1 = 1"), std::string::npos);
  EXPECT_NE(svg.find("xi_c = 2"), std::string::npos);
  // Ordered left of the line, chaotic right of it, on the sigma_b2 = 0 row.
  EXPECT_LT(d.chi1[0].front(), 1.0);
  EXPECT_GT(d.chi1[0].back(), 1.0);
}

TEST(PhaseDiagram, ProgressHearsEveryRowInOrder) {
  PhaseDiagramOptions options;
  options.rows = 5;
  options.columns = 3;
  std::vector<std::pair<int, int>> heard;
  compute_phase_diagram(expectations("relu"), options,
                        [&](int done, int rows) { heard.emplace_back(done, rows); });
  const std::vector<std::pair<int, int>> expected{{1, 5}, {2, 5}, {3, 5}, {4, 5}, {5, 5}};
  EXPECT_EQ(heard, expected);
}

TEST(PhaseDiagram, TheSigmaW2RangeFollowsTheCriticalLine) {
  // sigmoid's line lies near sigma_w2 = 100 (f'(0) = 1/4): a fixed [0.25, 5] axis would show an
  // empty plane. Fitted, both phases are in the picture on every row.
  const GaussianExpectations e = expectations("sigmoid");
  PhaseDiagramOptions options;
  options.columns = 6;
  options.rows = 3;
  const PhaseDiagram d = compute_phase_diagram(e, options);
  EXPECT_GT(d.options.sigma_w2_max, 100.0);
  for (const auto& row : d.chi1) {
    EXPECT_LT(row.front(), 1.0);
    EXPECT_GT(row.back(), 1.0);
  }
  // The line itself is drawn: enough of its points fall in the sigma_b2 range.
  int inside = 0;
  for (const EdgeOfChaosPoint& p : d.critical) inside += p.sigma_b2 >= 0.0 && p.sigma_b2 <= 1.0;
  EXPECT_GE(inside, 20);
  options.fit_to_critical_line = false;
  EXPECT_EQ(compute_phase_diagram(e, options).options.sigma_w2_max, 5.0);
}

}  // namespace
}  // namespace actbench::catalogue
