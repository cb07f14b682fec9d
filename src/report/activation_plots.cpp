// Activation figures: samples f and f' from the module with model::evaluate_activation and hands
// them to the SVG chart writer.
#include "report/activation_plots.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "core/strings.hpp"
#include "model/properties.hpp"

namespace actbench::report {

namespace {

struct Sampled {
  std::vector<double> x, f;
  std::vector<double> df_x, df;  // with a NaN point wherever f' jumps
};

Sampled sample(const model::ResolvedActivation& activation, const ActivationPlotOptions& options) {
  const int points = std::max(options.points, 16);
  const torch::Tensor x = torch::linspace(options.x_min, options.x_max, points,
                                          torch::TensorOptions().dtype(torch::kFloat64));
  const model::ActivationCurve curve = model::evaluate_activation(activation, x);
  // Autograd may hand back f' expanded (identity's is one 1.0 with stride 0): a raw pointer walks
  // memory only over a contiguous copy.
  const torch::Tensor x_values = curve.x.to(torch::kFloat64).contiguous();
  const torch::Tensor f_values = curve.f.to(torch::kFloat64).contiguous();
  const torch::Tensor df_values = curve.df.to(torch::kFloat64).contiguous();
  const double* xs = x_values.data_ptr<double>();
  const double* df = df_values.data_ptr<double>();
  Sampled s;
  s.x.assign(xs, xs + points);
  s.f.assign(f_values.data_ptr<double>(), f_values.data_ptr<double>() + points);
  std::vector<bool> break_after(static_cast<size_t>(points), false);
  for (const auto& jump : model::derivative_jumps(curve))
    for (int64_t i = jump.first; i <= jump.last; ++i) break_after[static_cast<size_t>(i)] = true;
  for (int i = 0; i < points; ++i) {
    s.df_x.push_back(xs[i]);
    s.df.push_back(df[i]);
    if (break_after[static_cast<size_t>(i)]) {
      s.df_x.push_back(std::numeric_limits<double>::quiet_NaN());
      s.df.push_back(std::numeric_limits<double>::quiet_NaN());
    }
  }
  return s;
}

}  // namespace

std::string activation_label(const model::ResolvedActivation& activation) {
  const std::string params = model::parameter_string(activation);
  return params.empty() ? activation.entry->name
                        : fmt::format("{} ({})", activation.entry->name, params);
}

plot::Chart activation_chart(const model::ResolvedActivation& activation,
                             const ActivationPlotOptions& options) {
  const Sampled s = sample(activation, options);
  const bool equal_pieces = activation.make(model::ActivationContext{1, false})->pieces() > 1;
  plot::Chart chart;
  chart.title = activation_label(activation) + (equal_pieces ? ", all pieces equal to x" : "");
  chart.x.label = "x";
  chart.y.label = "f(x) and f'(x)";
  chart.zero_lines = true;
  chart.series.push_back(
      plot::Series{"f(x)", s.x, s.f, plot::default_palette()[0], plot::LineStyle::Solid, 2.2});
  chart.series.push_back(plot::Series{"f'(x)", s.df_x, s.df, plot::default_palette()[3],
                                      plot::LineStyle::Dashed, 2.0});
  return chart;
}

std::string comparison_svg(const std::vector<model::ResolvedActivation>& activations,
                           const ActivationPlotOptions& options) {
  plot::Chart f, df;
  f.title = "f(x)";
  df.title = "f'(x)";
  df.legend = false;  // the colours are the same in both panels
  for (plot::Chart* chart : {&f, &df}) {
    chart->x.label = "x";
    chart->zero_lines = true;
    chart->width = 560;
    chart->height = 420;
  }
  std::vector<std::string> names;
  const auto& palette = plot::default_palette();
  for (size_t i = 0; i < activations.size(); ++i) {
    const Sampled s = sample(activations[i], options);
    const std::string label = activation_label(activations[i]);
    const std::string& colour = palette[i % palette.size()];
    f.series.push_back(plot::Series{label, s.x, s.f, colour, plot::LineStyle::Solid, 2.0});
    df.series.push_back(plot::Series{label, s.df_x, s.df, colour, plot::LineStyle::Dashed, 2.0});
    names.push_back(activations[i].entry->name);
  }
  return plot::render_svg({f, df}, 2, "activations: " + core::join(names));
}

}  // namespace actbench::report
