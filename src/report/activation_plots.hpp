// Figures of activation functions drawn from their modules: one per activation with f solid and
// f' dashed, and a comparison of several side by side (f in one panel, f' in the other). The
// values come from model::evaluate_activation, the same evaluation the property catalogue uses.
#pragma once

#include <string>
#include <vector>

#include "model/activation.hpp"
#include "plot/svg_plot.hpp"

namespace actbench::report {

struct ActivationPlotOptions {
  double x_min = -6.0;
  double x_max = 6.0;
  int points = 2001;  // enough for sine's 30 periods per unit of 2 pi at the default range
};

// "leaky_relu (negative_slope=0.01)": the name and parameters, as plot titles and legends show.
std::string activation_label(const model::ResolvedActivation& activation);

// f (solid) and f' (dashed) of one activation. f' is broken where it jumps, so that a step in
// ReLU's derivative is not drawn as a steep but continuous line.
plot::Chart activation_chart(const model::ResolvedActivation& activation,
                             const ActivationPlotOptions& options = {});

// Two panels, f and f', one colour per activation; the legend is in the f panel only.
std::string comparison_svg(const std::vector<model::ResolvedActivation>& activations,
                           const ActivationPlotOptions& options = {});

}  // namespace actbench::report
