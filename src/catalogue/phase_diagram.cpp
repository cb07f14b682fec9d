// Computes an activation's phase diagram on a (sigma_w2, sigma_b2) grid and draws it with the
// report stage's SVG line charts (phase_diagram.hpp).
#include "catalogue/phase_diagram.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <optional>

#include "core/numbers.hpp"
#include "plot/svg_plot.hpp"

namespace actbench::catalogue {

namespace {

using core::kInfinity;
using core::kNaN;
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
                                   const PhaseDiagramOptions& options,
                                   const std::function<void(int rows_done, int rows)>& progress) {
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
    if (progress) progress(static_cast<int>(d.xi_c.size()), static_cast<int>(d.sigma_b2.size()));
  }
  return d;
}

void contour_segments(const std::vector<double>& xs, const std::vector<double>& ys,
                      const std::vector<std::vector<double>>& values, double level,
                      std::vector<double>* out_x, std::vector<double>* out_y) {
  using Point = std::pair<double, double>;
  auto crossing = [&](double xa, double ya, double va, double xb, double yb, double vb,
                      std::vector<Point>* points) {
    if ((va - level) * (vb - level) >= 0.0 || va == vb) return;
    // The same edge is met from the cells on both sides of it: interpolate in one direction
    // (from the smaller point) so both give the same bits and the pieces join up.
    if (std::make_pair(xb, yb) < std::make_pair(xa, ya)) {
      std::swap(xa, xb);
      std::swap(ya, yb);
      std::swap(va, vb);
    }
    const double t = (level - va) / (vb - va);
    points->push_back({xa + t * (xb - xa), ya + t * (yb - ya)});
  };
  std::vector<std::pair<Point, Point>> segments;
  for (size_t r = 0; r + 1 < ys.size(); ++r) {
    for (size_t c = 0; c + 1 < xs.size(); ++c) {
      const double v00 = values[r][c], v01 = values[r][c + 1];
      const double v10 = values[r + 1][c], v11 = values[r + 1][c + 1];
      if (std::isnan(v00) || std::isnan(v01) || std::isnan(v10) || std::isnan(v11)) continue;
      std::vector<Point> points;
      crossing(xs[c], ys[r], v00, xs[c + 1], ys[r], v01, &points);
      crossing(xs[c + 1], ys[r], v01, xs[c + 1], ys[r + 1], v11, &points);
      crossing(xs[c + 1], ys[r + 1], v11, xs[c], ys[r + 1], v10, &points);
      crossing(xs[c], ys[r + 1], v10, xs[c], ys[r], v00, &points);
      for (size_t k = 0; k + 1 < points.size(); k += 2)
        segments.emplace_back(points[k], points[k + 1]);
    }
  }
  // Chained into polylines: a dotted contour drawn as hundreds of two-point pieces restarts its
  // dash pattern at every grid line, and a reader sees beads instead of a line.
  std::multimap<Point, size_t> at;
  for (size_t i = 0; i < segments.size(); ++i) {
    at.emplace(segments[i].first, i);
    at.emplace(segments[i].second, i);
  }
  std::vector<bool> used(segments.size(), false);
  auto next_from = [&](const Point& p) -> std::optional<size_t> {
    const auto [lo, hi] = at.equal_range(p);
    for (auto it = lo; it != hi; ++it)
      if (!used[it->second]) return it->second;
    return std::nullopt;
  };
  auto other_end = [&](size_t i, const Point& p) {
    return segments[i].first == p ? segments[i].second : segments[i].first;
  };
  for (size_t start = 0; start < segments.size(); ++start) {
    if (used[start]) continue;
    used[start] = true;
    std::deque<Point> line = {segments[start].first, segments[start].second};
    while (const auto i = next_from(line.back())) {
      used[*i] = true;
      line.push_back(other_end(*i, line.back()));
    }
    while (const auto i = next_from(line.front())) {
      used[*i] = true;
      line.push_front(other_end(*i, line.front()));
    }
    for (const Point& p : line) {
      out_x->push_back(p.first);
      out_y->push_back(p.second);
    }
    out_x->push_back(kNaN);
    out_y->push_back(kNaN);
  }
}

std::string phase_diagram_svg(const PhaseDiagram& d, const std::string& title) {
  plot::Chart chart;
  chart.title = title;
  chart.x = {"sigma_w^2 (weight variance x fan-in)", d.options.sigma_w2_min, d.options.sigma_w2_max,
             false, 0.0};
  chart.y = {"sigma_b^2 (bias variance)", d.options.sigma_b2_min, d.options.sigma_b2_max, false,
             0.0};
  // Wide enough for the legend beside the plane when no corner of it is free of lines.
  chart.width = 980;
  chart.height = 480;
  // The critical line, solid where its q* attracts and dashed where it repels.
  plot::Series stable{"critical line chi1 = 1 (q* stable)", {}, {}, "#000000"};
  plot::Series unstable{"critical line, q* unstable", {}, {}, "#000000", plot::LineStyle::Dashed};
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
  // ReLU's critical "line" is one point, (2, 0): every q is critical there. Drawn as a line it is
  // invisible, so a point gets a marker (and the legend names the point, not two line styles).
  double lo_w = kInfinity, hi_w = -kInfinity, lo_b = kInfinity, hi_b = -kInfinity;
  for (size_t i = 0; i < stable.x.size(); ++i) {
    const double y = std::isnan(stable.y[i]) ? unstable.y[i] : stable.y[i];
    if (std::isnan(stable.x[i]) || std::isnan(y)) continue;
    lo_w = std::min(lo_w, stable.x[i]);
    hi_w = std::max(hi_w, stable.x[i]);
    lo_b = std::min(lo_b, y);
    hi_b = std::max(hi_b, y);
  }
  const double w_span = d.options.sigma_w2_max - d.options.sigma_w2_min;
  const double b_span = d.options.sigma_b2_max - d.options.sigma_b2_min;
  if (lo_w <= hi_w && hi_w - lo_w <= 1e-6 * w_span && hi_b - lo_b <= 1e-6 * b_span) {
    plot::Series point{
        fmt::format("edge of chaos ({:.4g}, {:.4g})", lo_w, lo_b + 0.0), {lo_w}, {lo_b}, "#000000"};
    point.points = true;
    point.width = 11.0;
    chart.series.push_back(point);
    // A point on the frame (sigma_b2 = 0) would be half clipped: a little room below it.
    if (lo_b <= d.options.sigma_b2_min + 0.02 * b_span)
      chart.y.min = d.options.sigma_b2_min - 0.04 * b_span;
  } else {
    chart.series.push_back(stable);
    bool any_unstable = false;
    for (double y : unstable.y) any_unstable = any_unstable || !std::isnan(y);
    if (any_unstable) chart.series.push_back(unstable);
  }
  // Contours of the signed inverse depth, -1/xi_c on the ordered side (chi1 < 1) and +1/xi_c on
  // the chaotic side: xi_c grows without bound towards the critical line from both sides, and
  // 1/xi_c falls to 0 there about linearly in the distance to it (xi_c ~ 1/|1 - chi1|). Signed,
  // it passes through 0 across the line, so grid interpolation places a high level (50) between
  // the right grid points; in xi_c or log xi_c a cell straddling the line has both corners below
  // the level and the contour breaks into beads, one around each grid point near the line.
  std::vector<std::vector<double>> inverse_xi;
  for (size_t r = 0; r < d.xi_c.size(); ++r) {
    std::vector<double> row;
    for (size_t c = 0; c < d.xi_c[r].size(); ++c) {
      const double xi = d.xi_c[r][c], chi = d.chi1[r][c];
      row.push_back(xi > 0.0 && !std::isnan(chi) ? (chi < 1.0 ? -1.0 : 1.0) / xi : kNaN);
    }
    inverse_xi.push_back(row);
  }
  const std::vector<std::string> colours = {"#1f77b4", "#2ca02c", "#ff7f0e", "#d62728", "#9467bd"};
  for (size_t i = 0; i < d.options.xi_levels.size(); ++i) {
    plot::Series s;
    s.label = fmt::format("xi_c = {:g}", d.options.xi_levels[i]);
    s.colour = colours[i % colours.size()];
    s.style = plot::LineStyle::Dotted;
    s.width = 1.5;
    for (double side : {-1.0, 1.0})
      contour_segments(d.sigma_w2, d.sigma_b2, inverse_xi, side / d.options.xi_levels[i], &s.x,
                       &s.y);
    if (!s.x.empty()) chart.series.push_back(s);
  }
  // Where a stable fixed point exists (1) and where not (0): the boundary at 0.5.
  std::vector<std::vector<double>> has_fixed_point;
  for (const auto& row : d.xi_c) {
    std::vector<double> r;
    for (double v : row) r.push_back(std::isnan(v) ? 0.0 : 1.0);
    has_fixed_point.push_back(r);
  }
  plot::Series boundary{
      "edge of the region with no stable q*", {}, {}, "#7f7f7f", plot::LineStyle::Dashed};
  boundary.width = 3.0;
  contour_segments(d.sigma_w2, d.sigma_b2, has_fixed_point, 0.5, &boundary.x, &boundary.y);
  if (!boundary.x.empty()) chart.series.push_back(boundary);
  return plot::render_svg(chart);
}

}  // namespace actbench::catalogue
