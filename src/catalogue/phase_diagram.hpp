// The phase diagram of an activation's mean-field theory: the (sigma_w2, sigma_b2) plane with the
// critical line chi1 = 1 (solid where its q* attracts, dashed where it repels; a marked point
// where it is one point, as ReLU's (2, 0)), contours of the correlation depth scale xi_c
// (Schoenholz et al. 2017, fig. 2), and the edge of the region where the length map has no
// stable fixed point (ReLU-like activations at large sigma_w2).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "catalogue/mean_field.hpp"

namespace actbench::catalogue {

struct PhaseDiagramOptions {
  double sigma_w2_min = 0.25, sigma_w2_max = 5.0;
  // Replace the sigma_w2 range by [0, 2 x the critical line's largest sigma_w2 within the
  // sigma_b2 range], so the line sits in the picture whatever the activation's scale (sigmoid's
  // line lies near sigma_w2 = 100, SIREN's sine near 0.002); the range above is kept when the
  // line does not cross the sigma_b2 range.
  bool fit_to_critical_line = true;
  double sigma_b2_min = 0.0, sigma_b2_max = 1.0;
  int columns = 24;  // grid points along sigma_w2
  int rows = 13;     // grid points along sigma_b2
  std::vector<double> xi_levels = {2.0, 5.0, 10.0, 20.0, 50.0};
};

struct PhaseDiagram {
  PhaseDiagramOptions options;
  std::vector<double> sigma_w2, sigma_b2;  // the grid's columns and rows
  // xi_c at the stable fixed point of smallest q, [row][column]; NaN where there is none.
  std::vector<std::vector<double>> xi_c;
  std::vector<std::vector<double>> chi1;
  std::vector<EdgeOfChaosPoint> critical;  // the line, sampled along q
};

// `progress`, when given, hears (rows done, rows) after each row of the grid: a smooth activation's
// chaotic cells each need the correlation map's fixed point, and tanh's diagram takes about 15 s.
PhaseDiagram compute_phase_diagram(
    const GaussianExpectations& e, const PhaseDiagramOptions& options = {},
    const std::function<void(int rows_done, int rows)>& progress = {});

// Where the grid's values cross `level` (marching squares, linear interpolation), the pieces
// joined into polylines, as x/y lists with a NaN after each: one plot series. NaN cells are
// skipped.
void contour_segments(const std::vector<double>& xs, const std::vector<double>& ys,
                      const std::vector<std::vector<double>>& values, double level,
                      std::vector<double>* out_x, std::vector<double>* out_y);

std::string phase_diagram_svg(const PhaseDiagram& diagram, const std::string& title);

}  // namespace actbench::catalogue
