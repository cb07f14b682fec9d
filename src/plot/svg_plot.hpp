// A small SVG line-chart writer for every figure: the reports' activation shapes and learning
// curves, the catalogue's phase diagrams, the studies' figures. A stage of its own below catalogue/
// and report/ (src/stages.txt), so that both draw with it.
// SVG because it is text (diffable, testable, viewable in any browser) and needs no plotting
// library at build or run time; this file depends on nothing but the standard library and fmt.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace actbench::plot {

enum class LineStyle { Solid, Dashed, Dotted };

// One line. Non-finite points (and, on a log axis, non-positive ones) break the line rather than
// being dropped silently into a straight segment across the gap.
struct Series {
  std::string label;  // legend entry; empty keeps the series out of the legend
  std::vector<double> x;
  std::vector<double> y;
  std::string colour;  // any SVG colour ("#1f77b4"); empty takes the next palette colour
  LineStyle style = LineStyle::Solid;
  double width = 2.0;  // stroke width in pixels
  // Points: a dot (diameter `width`) at each point instead of a line, e.g. one per seed.
  bool points = false;
  // What the HTML report toggles together (a group's mean and its band); empty: the label.
  std::string group{};
  // Hover text per point (an SVG <title>, which browsers show as a tooltip); empty: "label: x, y".
  std::vector<std::string> point_titles{};
  size_t hover_stride = 1;  // hover targets on every n-th point only (long curves)
};

struct Axis {
  std::string label;
  std::optional<double> min;  // fixed limits; otherwise the data's range (plus padding)
  std::optional<double> max;
  bool log = false;  // log10 scale; the data's non-positive values are not drawn
  // Fraction of the data range added on each side when the limits come from the data, so lines
  // at the extremes are not drawn on the frame.
  double padding = 0.05;
  bool integer = false;  // a count (epochs, layers): ticks on whole numbers only
  // Limits the data-driven range never crosses (a fraction: 0 and 1), padding included.
  std::optional<double> lower_bound{};
  std::optional<double> upper_bound{};
  // Category names: tick k (k = 0, 1, ...) is labelled categories[k] instead of a number.
  std::vector<std::string> categories{};
};

enum class LegendPosition { Auto, TopLeft, TopRight, BottomLeft, BottomRight };

struct Chart {
  std::string title;
  Axis x{"", std::nullopt, std::nullopt, false, 0.0};
  Axis y;
  std::vector<Series> series;
  bool legend = true;
  // Auto picks, of the corners and edge midpoints, the place hiding the least length of line.
  LegendPosition legend_position = LegendPosition::Auto;
  bool zero_lines = false;  // darker lines at x = 0 and y = 0 when they are in range
  int width = 640;
  int height = 420;
};

// The palette series without a colour take in turn (Tableau 10, as matplotlib's default: distinct
// for the common forms of colour blindness and in greyscale print).
const std::vector<std::string>& default_palette();

// Tick positions for [lo, hi]: multiples of 1, 2 or 5 times a power of ten, about `target` of them
// (Heckbert's "nice numbers"), whole numbers only when `integer`; on a log axis, the powers of ten
// in range (with 2x and 5x when the range spans less than two decades).
std::vector<double> axis_ticks(double lo, double hi, bool log, int target = 6,
                               bool integer = false);

// The axis range a chart draws: fixed limits where given, else the data's range with padding;
// on a log axis widened to whole decades (so it has decade ticks); a degenerate range widened to a
// sensible span; always inside the axis's bounds. Log axes return log10 of the limits.
std::pair<double, double> axis_range(const Axis& axis, const std::vector<double>& data);

// A standalone SVG document for one chart; `id` names its clip path, and must differ between the
// charts of one HTML page (a repeated id clips every chart to the first one's plot area).
std::string render_svg(const Chart& chart, const std::string& id = "plot0");

// Several charts in a grid of `columns` columns (each at its own width and height), with an
// optional title over the whole figure: f and f' side by side, loss next to accuracy.
std::string render_svg(const std::vector<Chart>& panels, int columns,
                       const std::string& title = "");

// Writes the document, creating the parent directories; throws actbench::Error on failure.
void write_svg(const std::filesystem::path& file, const std::string& svg);

}  // namespace actbench::plot
