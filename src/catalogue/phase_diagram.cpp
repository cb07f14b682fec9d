// Computes an activation's phase diagram on a (sigma_w2, sigma_b2) grid and draws it with the
// report stage's SVG line charts (phase_diagram.hpp).
#include "catalogue/phase_diagram.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "report/svg_plot.hpp"

namespace actbench::catalogue {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// An infinite xi_c (on the critical line) as a large finite value, so contours interpolate.
constexpr double kLargeXi = 1e6;

std::vector<double> linear_grid(double lo, double hi, int count) {
  std::vector<double> grid(count);
  for (int i = 0; i < count; ++i) grid[i] = lo + (hi - lo) * i / std::max(1, count - 1);
  return grid;
}

// The critical line sampled densely enough to draw within the sigma_b2 range: a log-q grid, then
// geometric midpoints wherever consecutive points reaching into the range lie more than 1/40 of
// it apart in sigma_b2 (sigmoid's whole visible line lies within q in [25, 27], which the log grid
// steps over in two points).
std::vector<EdgeOfChaosPoint> drawable_critical_curve(const GaussianExpectations& e, double lo,
                                                      double hi) {
  std::vector<EdgeOfChaosPoint> curve = critical_curve(e, log_grid(1e-6, 1e4, 401));
  const double step = (hi - lo) / 40;
  for (int round = 0; round < 12; ++round) {
    std::vector<double> midpoints;
    for (size_t i = 0; i + 1 < curve.size(); ++i) {
      const double a = curve[i].sigma_b2, b = curve[i + 1].sigma_b2;
      if (std::max(a, b) < lo || std::min(a, b) > hi || std::abs(b - a) <= step) continue;
      midpoints.push_back(std::sqrt(curve[i].q * curve[i + 1].q));
    }
    if (midpoints.empty()) break;
    const std::vector<EdgeOfChaosPoint> more = critical_curve(e, midpoints);
    curve.insert(curve.end(), more.begin(), more.end());
    std::sort(curve.begin(), curve.end(),
              [](const EdgeOfChaosPoint& x, const EdgeOfChaosPoint& y) { return x.q < y.q; });
  }
  return curve;
}

}  // namespace

PhaseDiagram compute_phase_diagram(const GaussianExpectations& e,
                                   const PhaseDiagramOptions& options) {
  PhaseDiagram d;
  d.options = options;
  d.critical = drawable_critical_curve(e, options.sigma_b2_min, options.sigma_b2_max);
  if (options.fit_to_critical_line) {
    double widest = 0.0;
    for (const EdgeOfChaosPoint& p : d.critical)
      if (p.sigma_b2 >= options.sigma_b2_min && p.sigma_b2 <= options.sigma_b2_max &&
          std::isfinite(p.sigma_w2))
        widest = std::max(widest, p.sigma_w2);
    if (widest > 0.0) {
      // The first column sits just right of 0: sigma_w2 = 0 is no network.
      d.options.sigma_w2_max = 2.0 * widest;
      d.options.sigma_w2_min = d.options.sigma_w2_max / (4 * options.columns);
    }
  }
  d.sigma_w2 = linear_grid(d.options.sigma_w2_min, d.options.sigma_w2_max, options.columns);
  d.sigma_b2 = linear_grid(options.sigma_b2_min, options.sigma_b2_max, options.rows);
  for (double sb2 : d.sigma_b2) {
    std::vector<double> xi_row, chi_row;
    for (double sw2 : d.sigma_w2) {
      const PhaseAnalysis a = analyse(e, sw2, sb2);
      const auto stable = a.stable();
      if (stable.empty()) {
        xi_row.push_back(kNaN);
        chi_row.push_back(kNaN);
      } else {
        xi_row.push_back(std::isinf(stable.front()->xi_c) ? kLargeXi : stable.front()->xi_c);
        chi_row.push_back(stable.front()->chi1);
      }
    }
    d.xi_c.push_back(xi_row);
    d.chi1.push_back(chi_row);
  }
  return d;
}

void contour_segments(const std::vector<double>& xs, const std::vector<double>& ys,
                      const std::vector<std::vector<double>>& values, double level,
                      std::vector<double>* out_x, std::vector<double>* out_y) {
  auto crossing = [&](double xa, double ya, double va, double xb, double yb, double vb,
                      std::vector<std::pair<double, double>>* points) {
    if ((va - level) * (vb - level) >= 0.0 || va == vb) return;
    const double t = (level - va) / (vb - va);
    points->push_back({xa + t * (xb - xa), ya + t * (yb - ya)});
  };
  for (size_t r = 0; r + 1 < ys.size(); ++r) {
    for (size_t c = 0; c + 1 < xs.size(); ++c) {
      const double v00 = values[r][c], v01 = values[r][c + 1];
      const double v10 = values[r + 1][c], v11 = values[r + 1][c + 1];
      if (std::isnan(v00) || std::isnan(v01) || std::isnan(v10) || std::isnan(v11)) continue;
      std::vector<std::pair<double, double>> points;
      crossing(xs[c], ys[r], v00, xs[c + 1], ys[r], v01, &points);
      crossing(xs[c + 1], ys[r], v01, xs[c + 1], ys[r + 1], v11, &points);
      crossing(xs[c + 1], ys[r + 1], v11, xs[c], ys[r + 1], v10, &points);
      crossing(xs[c], ys[r + 1], v10, xs[c], ys[r], v00, &points);
      for (size_t k = 0; k + 1 < points.size(); k += 2) {
        out_x->insert(out_x->end(), {points[k].first, points[k + 1].first, kNaN});
        out_y->insert(out_y->end(), {points[k].second, points[k + 1].second, kNaN});
      }
    }
  }
}

std::string phase_diagram_svg(const PhaseDiagram& d, const std::string& title) {
  report::Chart chart;
  chart.title = title;
  chart.x = {"sigma_w^2 (weight variance x fan-in)", d.options.sigma_w2_min, d.options.sigma_w2_max,
             false, 0.0};
  chart.y = {"sigma_b^2 (bias variance)", d.options.sigma_b2_min, d.options.sigma_b2_max, false,
             0.0};
  chart.width = 720;
  chart.height = 480;
  // The critical line, solid where its q* attracts and dashed where it repels.
  report::Series stable{"critical line chi1 = 1 (q* stable)", {}, {}, "#000000"};
  report::Series unstable{
      "critical line, q* unstable", {}, {}, "#000000", report::LineStyle::Dashed};
  stable.width = unstable.width = 2.5;
  for (const EdgeOfChaosPoint& p : d.critical) {
    const bool inside = p.sigma_w2 <= d.options.sigma_w2_max * 1.05 &&
                        p.sigma_b2 >= d.options.sigma_b2_min - 0.05 &&
                        p.sigma_b2 <= d.options.sigma_b2_max * 1.05;
    const double x = inside ? p.sigma_w2 : kNaN;
    stable.x.push_back(x);
    unstable.x.push_back(x);
    stable.y.push_back(p.stable ? p.sigma_b2 : kNaN);
    unstable.y.push_back(p.stable ? kNaN : p.sigma_b2);
  }
  chart.series.push_back(stable);
  bool any_unstable = false;
  for (double y : unstable.y) any_unstable = any_unstable || !std::isnan(y);
  if (any_unstable) chart.series.push_back(unstable);
  // Contours of log xi_c: xi_c grows without bound towards the line, so linear interpolation
  // between grid points would pull every high level towards the far point.
  std::vector<std::vector<double>> log_xi;
  for (const auto& row : d.xi_c) {
    std::vector<double> r;
    for (double v : row) r.push_back(v > 0.0 ? std::log(v) : kNaN);
    log_xi.push_back(r);
  }
  const std::vector<std::string> colours = {"#1f77b4", "#2ca02c", "#ff7f0e", "#d62728", "#9467bd"};
  for (size_t i = 0; i < d.options.xi_levels.size(); ++i) {
    report::Series s;
    s.label = fmt::format("xi_c = {:g}", d.options.xi_levels[i]);
    s.colour = colours[i % colours.size()];
    s.style = report::LineStyle::Dotted;
    s.width = 1.5;
    contour_segments(d.sigma_w2, d.sigma_b2, log_xi, std::log(d.options.xi_levels[i]), &s.x, &s.y);
    if (!s.x.empty()) chart.series.push_back(s);
  }
  // Where a stable fixed point exists (1) and where not (0): the boundary at 0.5.
  std::vector<std::vector<double>> has_fixed_point;
  for (const auto& row : d.xi_c) {
    std::vector<double> r;
    for (double v : row) r.push_back(std::isnan(v) ? 0.0 : 1.0);
    has_fixed_point.push_back(r);
  }
  report::Series boundary{
      "edge of the region with no stable q*", {}, {}, "#7f7f7f", report::LineStyle::Dashed};
  boundary.width = 3.0;
  contour_segments(d.sigma_w2, d.sigma_b2, has_fixed_point, 0.5, &boundary.x, &boundary.y);
  if (!boundary.x.empty()) chart.series.push_back(boundary);
  return report::render_svg(chart);
}

}  // namespace actbench::catalogue
