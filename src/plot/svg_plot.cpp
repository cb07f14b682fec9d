// Renders line charts as SVG text: axes, ticks, grid, legend, solid/dashed/dotted series, linear or
// log scales. Layout sizes are estimated from character counts (SVG cannot measure text before a
// viewer lays it out), generously enough for the default sans-serif fonts.
#include "plot/svg_plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <system_error>
#include <tuple>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/numbers.hpp"

namespace actbench::plot {

namespace {

constexpr size_t kMaxHoverPoints = 40;
using core::kNaN;

constexpr double kTickFont = 12.0;
constexpr double kLabelFont = 13.0;
constexpr double kTitleFont = 15.0;
constexpr double kCharWidth = 0.62;  // average glyph width of a sans-serif font, in ems

double text_width(const std::string& text, double font_size) {
  // Counts code points, not bytes, so "f'(x)" and "∞" are sized alike.
  size_t glyphs = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++glyphs;
  return static_cast<double>(glyphs) * font_size * kCharWidth;
}

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Pixel coordinates with two decimals: far below what a screen resolves, and short files.
std::string px(double v) {
  std::string s = fmt::format("{:.2f}", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

bool drawable(double v, bool log) { return std::isfinite(v) && (!log || v > 0.0); }

// Maps data values to pixels along one axis.
struct Scale {
  double lo = 0.0, hi = 1.0;    // data limits (log10 of them on a log axis)
  double from = 0.0, to = 1.0;  // pixels
  bool log = false;
  double operator()(double v) const {
    const double t = ((log ? std::log10(v) : v) - lo) / (hi - lo);
    return from + t * (to - from);
  }
};

// The drawable values of the series along one axis.
std::vector<double> axis_data(const Axis& axis, const std::vector<Series>& series, bool is_x) {
  std::vector<double> out;
  for (const auto& s : series) {
    const auto& values = is_x ? s.x : s.y;
    const size_t n = std::min(s.x.size(), s.y.size());
    for (size_t i = 0; i < n; ++i) {
      if (!drawable(s.x[i], false) || !drawable(s.y[i], false)) continue;
      if (drawable(values[i], axis.log)) out.push_back(values[i]);
    }
  }
  return out;
}

// Step between ticks: 1, 2 or 5 times a power of ten.
double nice_step(double span, int target) {
  const double raw = span / std::max(1, target);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double fraction = raw / magnitude;
  const double nice = fraction < 1.5 ? 1.0 : fraction < 3.0 ? 2.0 : fraction < 7.0 ? 5.0 : 10.0;
  return nice * magnitude;
}

// Tick labels: as many decimals as the step needs, so 0.25 and 0.5 are not both printed "0.3".
std::string tick_label(double value, double step, bool log) {
  if (log) {
    const double exponent = std::log10(value);
    if (exponent >= -3 && exponent <= 4) {
      const int decimals = std::max(0, static_cast<int>(-std::floor(exponent + 1e-9)));
      return fmt::format("{:.{}f}", value, decimals);
    }
    const int power = static_cast<int>(std::floor(exponent + 1e-9));
    const long mantissa = std::lround(value / std::pow(10.0, power));
    return fmt::format("{}e{}", mantissa, power);  // "1e-5", not "1e-05"
  }
  if (std::abs(value) < step * 1e-6) return "0";
  const double largest = std::max(std::abs(value), step);
  if (largest >= 1e6 || step < 1e-4) return fmt::format("{:g}", value);
  const int decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
  return fmt::format("{:.{}f}", value, decimals);
}

// Ramer-Douglas-Peucker in pixels: long straight stretches (ReLU's flat half, a plateau of a
// learning curve) become single segments, with no visible change (epsilon 0.1 px).
void simplify(const std::vector<std::pair<double, double>>& points, size_t first, size_t last,
              std::vector<bool>& keep) {
  if (last <= first + 1) return;
  const auto [x0, y0] = points[first];
  const auto [x1, y1] = points[last];
  const double dx = x1 - x0, dy = y1 - y0, length = std::hypot(dx, dy);
  double worst = -1.0;
  size_t worst_index = first;
  for (size_t i = first + 1; i < last; ++i) {
    const double d =
        length > 0.0 ? std::abs(dy * (points[i].first - x0) - dx * (points[i].second - y0)) / length
                     : std::hypot(points[i].first - x0, points[i].second - y0);
    if (d > worst) {
      worst = d;
      worst_index = i;
    }
  }
  if (worst <= 0.1) return;
  keep[worst_index] = true;
  simplify(points, first, worst_index, keep);
  simplify(points, worst_index, last, keep);
}

std::string path_data(const Series& s, const Scale& sx, const Scale& sy) {
  std::string d;
  std::vector<std::pair<double, double>> run;
  auto flush = [&] {
    if (run.empty()) return;
    std::vector<bool> keep(run.size(), false);
    keep.front() = keep.back() = true;
    simplify(run, 0, run.size() - 1, keep);
    bool first = true;
    for (size_t i = 0; i < run.size(); ++i) {
      if (!keep[i]) continue;
      d += fmt::format("{}{},{}", first ? (d.empty() ? "M" : " M") : " L", px(run[i].first),
                       px(run[i].second));
      first = false;
    }
    if (run.size() == 1) d += fmt::format(" h0.01");  // a lone point still shows its round cap
    run.clear();
  };
  const size_t n = std::min(s.x.size(), s.y.size());
  for (size_t i = 0; i < n; ++i) {
    if (!drawable(s.x[i], sx.log) || !drawable(s.y[i], sy.log)) {
      flush();
      continue;
    }
    // Far outside the plot, clamp to a few plot heights away: the clip path hides the rest, and
    // viewers mis-draw coordinates in the billions.
    const double py = std::clamp(sy(s.y[i]), sy.to - 10.0 * std::abs(sy.from - sy.to),
                                 sy.from + 10.0 * std::abs(sy.from - sy.to));
    run.emplace_back(sx(s.x[i]), py);
  }
  flush();
  return d;
}

std::string dash_array(LineStyle style, double width) {
  switch (style) {
    case LineStyle::Dashed:
      return fmt::format(" stroke-dasharray=\"{} {}\"", px(3.5 * width), px(2.5 * width));
    case LineStyle::Dotted:
      return fmt::format(" stroke-dasharray=\"0.1 {}\"", px(2.0 * width));
    case LineStyle::Solid:
      break;
  }
  return "";
}

// One chart as a group of elements, its top-left corner at the origin; `id` makes the clip path's
// id unique within the document.
std::string render_chart(const Chart& chart, const std::string& id) {
  const auto [x_lo, x_hi] = axis_range(chart.x, axis_data(chart.x, chart.series, true));
  const auto [y_lo, y_hi] = axis_range(chart.y, axis_data(chart.y, chart.series, false));
  const auto ticks_of = [](const Axis& axis, double lo, double hi, int target) {
    if (!axis.categories.empty()) {
      std::vector<double> ticks;
      for (size_t k = 0; k < axis.categories.size(); ++k)
        if (k >= lo - 1e-9 && k <= hi + 1e-9) ticks.push_back(static_cast<double>(k));
      return ticks;
    }
    return axis_ticks(axis.log ? std::pow(10.0, lo) : lo, axis.log ? std::pow(10.0, hi) : hi,
                      axis.log, target, axis.integer);
  };
  const auto label_of = [](const Axis& axis, double value, double step) {
    if (!axis.categories.empty()) {
      const auto k = static_cast<size_t>(std::lround(value));
      return k < axis.categories.size() ? axis.categories[k] : std::string();
    }
    return tick_label(value, step, axis.log);
  };
  const auto x_ticks = ticks_of(chart.x, x_lo, x_hi, std::max(3, chart.width / 90));
  const auto y_ticks = ticks_of(chart.y, y_lo, y_hi, std::max(3, chart.height / 70));
  const double x_step = x_ticks.size() > 1 ? x_ticks[1] - x_ticks[0] : 1.0;
  const double y_step = y_ticks.size() > 1 ? y_ticks[1] - y_ticks[0] : 1.0;
  std::vector<std::string> y_labels;
  double y_label_width = 0.0;
  for (double t : y_ticks) {
    y_labels.push_back(label_of(chart.y, t, y_step));
    y_label_width = std::max(y_label_width, text_width(y_labels.back(), kTickFont));
  }

  // Plot area inside the margins; a legend that would cover data inside it moves out to the right
  // (or, when too wide for that, below), and the plot area shrinks to make room.
  const double left = 14.0 + y_label_width + (chart.y.label.empty() ? 0.0 : kLabelFont + 12.0);
  double right = chart.width - 18.0;
  const double top = chart.title.empty() ? 14.0 : kTitleFont + 22.0;
  const double x_label_room = chart.x.label.empty() ? 26.0 : 30.0 + kLabelFont + 8.0;
  double bottom = chart.height - x_label_room;
  Scale sx{x_lo, x_hi, left, right, chart.x.log};
  Scale sy{y_lo, y_hi, bottom, top, chart.y.log};
  auto inside_x = [&](double px_) { return px_ >= left - 0.01 && px_ <= right + 0.01; };
  auto inside_y = [&](double px_) { return px_ >= top - 0.01 && px_ <= bottom + 0.01; };

  // Legend entries: labelled series that draw something visible in the plot (a line of some
  // length, or a dot), so the legend never names what is not there (ReLU's critical "line" is
  // one point, a contour level may not occur in range).
  auto visible = [&](const Series& s) {
    double x0 = kNaN, y0 = kNaN, extent = 0.0;
    for (size_t k = 0; k < std::min(s.x.size(), s.y.size()); ++k) {
      if (!drawable(s.x[k], sx.log) || !drawable(s.y[k], sy.log)) continue;
      const double a = sx(s.x[k]), b = sy(s.y[k]);
      if (!inside_x(a) || !inside_y(b)) continue;
      if (s.points) return true;
      if (std::isnan(x0)) x0 = a, y0 = b;
      extent = std::max(extent, std::hypot(a - x0, b - y0));
      if (extent >= 1.0) return true;
    }
    return false;
  };
  std::vector<size_t> entries;
  for (size_t i = 0; i < chart.series.size(); ++i)
    if (!chart.series[i].label.empty() && visible(chart.series[i])) entries.push_back(i);
  constexpr double kRow = 18.0, kSample = 28.0, kPad = 8.0;
  double legend_w = 0.0, legend_h = 0.0;
  if (chart.legend && !entries.empty()) {
    double label_width = 0.0;
    for (size_t i : entries)
      label_width = std::max(label_width, text_width(chart.series[i].label, kTickFont));
    legend_w = kPad + kSample + 6.0 + label_width + kPad;
    legend_h = kPad + kRow * static_cast<double>(entries.size()) + kPad / 2;
  }
  // Top-left corner of the box for column (0 left, 1 centre, 2 right) and row (0 top, ...).
  auto place = [&](int column, int row) {
    const double xs[] = {left + 8.0, (left + right - legend_w) / 2, right - 8.0 - legend_w};
    const double ys[] = {top + 8.0, (top + bottom - legend_h) / 2, bottom - 8.0 - legend_h};
    return std::make_pair(xs[column], ys[row]);
  };
  // Length of drawn line (in pixels) and number of dots a box would hide. Length, not sample
  // points: a steep stretch (tanh' peak) has few samples but is what the reader looks at.
  auto hidden_under = [&](double bx, double by) {
    double hidden = 0.0;
    auto under = [&](double a, double b) {
      return a >= bx - 4 && a <= bx + legend_w + 4 && b >= by - 4 && b <= by + legend_h + 4;
    };
    for (const auto& s : chart.series) {
      const size_t n = std::min(s.x.size(), s.y.size());
      for (size_t i = 0; i < n; ++i) {
        if (!drawable(s.x[i], sx.log) || !drawable(s.y[i], sy.log)) continue;
        const double x0 = sx(s.x[i]), y0 = sy(s.y[i]);
        if (s.points || n == 1) {
          if (under(x0, y0)) hidden += std::max(4.0, s.width);
          continue;
        }
        if (i + 1 >= n || !drawable(s.x[i + 1], sx.log) || !drawable(s.y[i + 1], sy.log)) continue;
        const double x1 = sx(s.x[i + 1]), y1 = sy(s.y[i + 1]);
        const double length = std::hypot(x1 - x0, y1 - y0);
        const int steps = std::clamp(static_cast<int>(length / 2.0), 1, 1000);
        for (int k = 0; k < steps; ++k) {
          const double t = (k + 0.5) / steps;
          if (under(x0 + t * (x1 - x0), y0 + t * (y1 - y0))) hidden += length / steps;
        }
      }
    }
    return hidden;
  };
  std::pair<int, int> cell{0, 0};
  double legend_x = 0.0, legend_y = 0.0;
  if (legend_w > 0.0) {
    switch (chart.legend_position) {
      case LegendPosition::TopLeft:
        cell = {0, 0};
        break;
      case LegendPosition::TopRight:
        cell = {2, 0};
        break;
      case LegendPosition::BottomLeft:
        cell = {0, 2};
        break;
      case LegendPosition::BottomRight:
        cell = {2, 2};
        break;
      case LegendPosition::Auto: {
        // Corners first on ties.
        double least = std::numeric_limits<double>::infinity();
        for (const auto& candidate : std::vector<std::pair<int, int>>{
                 {0, 0}, {2, 0}, {2, 2}, {0, 2}, {1, 0}, {1, 2}, {0, 1}, {2, 1}}) {
          const auto [bx, by] = place(candidate.first, candidate.second);
          const double hidden = hidden_under(bx, by);
          if (hidden < least - 1.0 || (least > 0.0 && hidden == 0.0)) {
            least = hidden;
            cell = candidate;
          }
        }
        if (least > 0.0) {
          // Every place inside hides data: outside, beside the plot when that leaves the plot at
          // least half its width, else under the x axis label.
          if (legend_w + 12.0 <= 0.5 * (right - left)) {
            right -= legend_w + 12.0;
            legend_x = right + 12.0;
            legend_y = top;
          } else {
            bottom -= legend_h + 8.0;
            legend_x = left;
            legend_y = chart.height - legend_h - 4.0;
          }
          sx = Scale{x_lo, x_hi, left, right, chart.x.log};
          sy = Scale{y_lo, y_hi, bottom, top, chart.y.log};
          cell = {-1, -1};
        }
        break;
      }
    }
    if (cell.first >= 0) std::tie(legend_x, legend_y) = place(cell.first, cell.second);
  }

  std::string out = "<g>\n";
  out += fmt::format(
      "<defs><clipPath id=\"{}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath>"
      "</defs>\n",
      id, px(left), px(top), px(right - left), px(bottom - top));
  out += fmt::format("<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"white\"/>\n",
                     chart.width, chart.height);
  if (!chart.title.empty()) {
    out += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\" font-weight=\"bold\">{}"
        "</text>\n",
        px((left + right) / 2), px(top - 12.0), kTitleFont, escape(chart.title));
  }

  // Grid lines and tick labels.
  out += "<g stroke=\"#e3e3e3\" stroke-width=\"1\">\n";
  for (double t : x_ticks) {
    const double p = sx(t);
    if (inside_x(p))
      out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>\n", px(p), px(top),
                         px(bottom));
  }
  for (double t : y_ticks) {
    const double p = sy(t);
    if (inside_y(p))
      out += fmt::format("<line x1=\"{1}\" y1=\"{0}\" x2=\"{2}\" y2=\"{0}\"/>\n", px(p), px(left),
                         px(right));
  }
  out += "</g>\n";
  if (chart.zero_lines) {
    out += "<g stroke=\"#9a9a9a\" stroke-width=\"1\">\n";
    if (!chart.x.log && x_lo < 0.0 && x_hi > 0.0)
      out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>\n", px(sx(0.0)),
                         px(top), px(bottom));
    if (!chart.y.log && y_lo < 0.0 && y_hi > 0.0)
      out += fmt::format("<line x1=\"{1}\" y1=\"{0}\" x2=\"{2}\" y2=\"{0}\"/>\n", px(sy(0.0)),
                         px(left), px(right));
    out += "</g>\n";
  }
  out += fmt::format("<g font-size=\"{}\" fill=\"#333\">\n", kTickFont);
  for (double t : x_ticks) {
    const double p = sx(t);
    if (!inside_x(p)) continue;
    out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#333\"/>\n",
                       px(p), px(bottom), px(bottom + 5));
    out += fmt::format("<text class=\"xtick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                       px(p), px(bottom + 8 + kTickFont), escape(label_of(chart.x, t, x_step)));
  }
  for (size_t i = 0; i < y_ticks.size(); ++i) {
    const double p = sy(y_ticks[i]);
    if (!inside_y(p)) continue;
    out += fmt::format("<line x1=\"{1}\" y1=\"{0}\" x2=\"{2}\" y2=\"{0}\" stroke=\"#333\"/>\n",
                       px(p), px(left - 5), px(left));
    out += fmt::format("<text class=\"ytick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n",
                       px(left - 8), px(p + kTickFont * 0.35), escape(y_labels[i]));
  }
  out += "</g>\n";
  if (!chart.x.label.empty()) {
    out += fmt::format(
        "<text class=\"xlabel\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\">{}"
        "</text>\n",
        px((left + right) / 2), px(bottom + x_label_room - 12.0), kLabelFont,
        escape(chart.x.label));
  }
  if (!chart.y.label.empty()) {
    const double x = 6.0 + kLabelFont, y = (top + bottom) / 2;
    out += fmt::format(
        "<text x=\"{0}\" y=\"{1}\" text-anchor=\"middle\" font-size=\"{2}\" "
        "transform=\"rotate(-90 {0} {1})\">{3}</text>\n",
        px(x), px(y), kLabelFont, escape(chart.y.label));
  }

  // Series, clipped to the plot area.
  const auto& palette = default_palette();
  std::vector<std::string> colours;
  size_t next_colour = 0;
  for (const auto& s : chart.series)
    colours.push_back(s.colour.empty() ? palette[next_colour++ % palette.size()] : s.colour);
  out += fmt::format("<g clip-path=\"url(#{})\" fill=\"none\" stroke-linejoin=\"round\">\n", id);
  for (size_t i = 0; i < chart.series.size(); ++i) {
    const Series& s = chart.series[i];
    const std::string group = escape(s.group.empty() ? s.label : s.group);
    if (s.points) {
      out += fmt::format("<g class=\"series\" data-series=\"{}\" fill=\"{}\" stroke=\"none\">",
                         group, escape(colours[i]));
      for (size_t k = 0; k < std::min(s.x.size(), s.y.size()); ++k)
        if (drawable(s.x[k], sx.log) && drawable(s.y[k], sy.log))
          out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"{}\"/>", px(sx(s.x[k])),
                             px(sy(s.y[k])), px(s.width / 2));
      out += "</g>\n";
      continue;
    }
    const std::string d = path_data(s, sx, sy);
    if (d.empty()) continue;
    out += fmt::format(
        "<path class=\"series\" data-series=\"{}\" d=\"{}\" stroke=\"{}\" "
        "stroke-width=\"{}\"{}{}/>\n",
        group, d, escape(colours[i]), px(s.width), dash_array(s.style, s.width),
        s.style == LineStyle::Dotted ? " stroke-linecap=\"round\"" : "");
  }
  out += "</g>\n";
  // Hover targets: an invisible dot with a tooltip on every point of a labelled series (the
  // values a reader would otherwise read off the axes), outside the clip path so edge points
  // keep theirs.
  out += "<g class=\"hover\" fill=\"transparent\" stroke=\"none\">\n";
  for (size_t i = 0; i < chart.series.size(); ++i) {
    const Series& s = chart.series[i];
    if (s.label.empty() && s.point_titles.empty()) continue;
    const std::string group = escape(s.group.empty() ? s.label : s.group);
    // At most about kMaxHoverPoints targets per series: a dense curve (an activation sampled at
    // 1,000 points) would otherwise make the file tens of times larger than its drawing.
    const size_t points = std::min(s.x.size(), s.y.size());
    const size_t stride = std::max<size_t>(
        {size_t{1}, s.hover_stride, (points + kMaxHoverPoints - 1) / kMaxHoverPoints});
    for (size_t k = 0; k < points; k += stride) {
      if (!drawable(s.x[k], sx.log) || !drawable(s.y[k], sy.log)) continue;
      const double cx = sx(s.x[k]), cy = sy(s.y[k]);
      if (!inside_x(cx) || !inside_y(cy)) continue;
      const std::string title =
          k < s.point_titles.size()
              ? s.point_titles[k]
              : fmt::format("{}: {} = {:.6g}, {} = {:.6g}", s.label,
                            chart.x.label.empty() ? "x" : chart.x.label, s.x[k],
                            chart.y.label.empty() ? "y" : chart.y.label, s.y[k]);
      out += fmt::format(
          "<circle data-series=\"{}\" cx=\"{}\" cy=\"{}\" r=\"{}\"><title>{}</title></circle>\n",
          group, px(cx), px(cy), px(std::max(5.0, s.width)), escape(title));
    }
  }
  out += "</g>\n";
  out += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#333\"/>\n",
      px(left), px(top), px(right - left), px(bottom - top));

  // Legend: where asked, or where it hides no data (see above).
  if (legend_w > 0.0) {
    const double lx = legend_x, ly = legend_y, w = legend_w, h = legend_h;
    out += fmt::format("<g class=\"legend\" font-size=\"{}\">\n", kTickFont);
    out += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"white\" fill-opacity=\"0.9\" "
        "stroke=\"#bbb\"/>\n",
        px(lx), px(ly), px(w), px(h));
    for (size_t row = 0; row < entries.size(); ++row) {
      const Series& s = chart.series[entries[row]];
      const double cy = ly + kPad + kRow * (static_cast<double>(row) + 0.5);
      out += fmt::format("<g class=\"legend-entry\" data-series=\"{}\">",
                         escape(s.group.empty() ? s.label : s.group));
      if (s.points)  // a marker's sample is the marker
        out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\"/>\n",
                           px(lx + kPad + kSample / 2), px(cy), px(std::min(s.width, kRow) / 2),
                           escape(colours[entries[row]]));
      else
        out += fmt::format(
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" "
            "stroke-width=\"{}\"{}{}/>\n",
            px(lx + kPad), px(cy), px(lx + kPad + kSample), px(cy), escape(colours[entries[row]]),
            px(s.width), dash_array(s.style, s.width),
            s.style == LineStyle::Dotted ? " stroke-linecap=\"round\"" : "");
      out += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#222\">{}</text></g>\n",
                         px(lx + kPad + kSample + 6.0), px(cy + kTickFont * 0.35), escape(s.label));
    }
    out += "</g>\n";
  }
  out += "</g>\n";
  return out;
}

std::string document(int width, int height, const std::string& body) {
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n{2}</svg>\n",
      width, height, body);
}

}  // namespace

const std::vector<std::string>& default_palette() {
  static const std::vector<std::string> palette = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                                   "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                                   "#bcbd22", "#17becf"};
  return palette;
}

std::pair<double, double> axis_range(const Axis& axis, const std::vector<double>& data) {
  double lo = 0.0, hi = 1.0;
  if (!data.empty()) {
    lo = *std::min_element(data.begin(), data.end());
    hi = *std::max_element(data.begin(), data.end());
    if (axis.log) {
      lo = std::log10(lo);
      hi = std::log10(hi);
    }
  }
  if (axis.log) {
    // Whole decades: the axis then always has at least two labelled powers of ten.
    lo = std::floor(lo + 1e-9);
    hi = std::ceil(hi - 1e-9);
    if (!(hi > lo)) hi = lo + 1.0;
  } else if (!(hi > lo)) {
    // One value: a span of 20% around it (1 around zero, at least 1 for counts).
    double span = lo != 0.0 ? std::abs(lo) * 0.2 : 1.0;
    if (axis.integer) span = std::max(span, 1.0);
    lo -= span / 2;
    hi += span / 2;
  } else {
    const double span = hi - lo;
    lo -= axis.padding * span;
    hi += axis.padding * span;
  }
  auto bound = [&](const std::optional<double>& b) { return axis.log ? std::log10(*b) : *b; };
  // Inside the bounds, keeping the span where the other side has room (0 stays at the bottom
  // of a fraction axis instead of the middle).
  if (axis.lower_bound && lo < bound(axis.lower_bound)) {
    hi += bound(axis.lower_bound) - lo;
    lo = bound(axis.lower_bound);
  }
  if (axis.upper_bound && hi > bound(axis.upper_bound)) {
    lo -= hi - bound(axis.upper_bound);
    hi = bound(axis.upper_bound);
    if (axis.lower_bound) lo = std::max(lo, bound(axis.lower_bound));
  }
  if (axis.min) lo = bound(axis.min);
  if (axis.max) hi = bound(axis.max);
  if (!(hi > lo)) hi = lo + 1.0;
  return {lo, hi};
}

std::vector<double> axis_ticks(double lo, double hi, bool log, int target, bool integer) {
  std::vector<double> ticks;
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return ticks;
  if (log) {
    if (!(lo > 0.0)) return ticks;
    const int first = static_cast<int>(std::floor(std::log10(lo) + 1e-9));
    const int last = static_cast<int>(std::ceil(std::log10(hi) - 1e-9));
    const bool dense = std::log10(hi) - std::log10(lo) < 2.0;
    const int stride = std::max(1, (last - first) / std::max(1, target));
    for (int e = first; e <= last; e += stride) {
      for (double m : dense ? std::vector<double>{1, 2, 5} : std::vector<double>{1}) {
        const double t = m * std::pow(10.0, e);
        if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) ticks.push_back(t);
      }
    }
    return ticks;
  }
  const double step =
      integer ? std::max(1.0, nice_step(hi - lo, target)) : nice_step(hi - lo, target);
  const double first = std::ceil(lo / step - 1e-9);
  const double last = std::floor(hi / step + 1e-9);
  // A span of a few ulps (members that all collapsed to one loss) makes first so large that
  // k + 1 == k: the loop below would never end. Such an axis gets no ticks, as an empty span does.
  if (first + 1.0 == first || !(last - first <= 1e6)) return ticks;
  for (double k = first; k <= last; k += 1.0) {
    const double t = k * step;
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  }
  return ticks;
}

std::string render_svg(const Chart& chart, const std::string& id) {
  return document(chart.width, chart.height, render_chart(chart, id));
}

std::string render_svg(const std::vector<Chart>& panels, int columns, const std::string& title) {
  columns = std::max(1, columns);
  const double title_height = title.empty() ? 0.0 : kTitleFont + 20.0;
  std::vector<double> column_width(static_cast<size_t>(columns), 0.0);
  std::vector<double> row_height((panels.size() + columns - 1) / columns, 0.0);
  for (size_t i = 0; i < panels.size(); ++i) {
    auto& w = column_width[i % columns];
    auto& h = row_height[i / columns];
    w = std::max(w, static_cast<double>(panels[i].width));
    h = std::max(h, static_cast<double>(panels[i].height));
  }
  double total_width = 0.0, total_height = title_height;
  for (double w : column_width) total_width += w;
  for (double h : row_height) total_height += h;
  std::string body;
  if (!title.empty()) {
    body += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\" font-weight=\"bold\">{}"
        "</text>\n",
        px(total_width / 2), px(kTitleFont + 8.0), kTitleFont + 1.0, escape(title));
  }
  for (size_t i = 0; i < panels.size(); ++i) {
    double x = 0.0, y = title_height;
    for (size_t c = 0; c < i % columns; ++c) x += column_width[c];
    for (size_t r = 0; r < i / columns; ++r) y += row_height[r];
    body += fmt::format("<g transform=\"translate({},{})\">\n{}</g>\n", px(x), px(y),
                        render_chart(panels[i], fmt::format("plot{}", i)));
  }
  return document(static_cast<int>(std::ceil(total_width)),
                  static_cast<int>(std::ceil(total_height)), body);
}

void write_svg(const std::filesystem::path& file, const std::string& svg) {
  std::error_code error;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), error);
  if (error) {
    throw Error(fmt::format("cannot create {}: {}", file.parent_path().string(), error.message()));
  }
  core::write_file_atomic(file, svg);
}

}  // namespace actbench::plot
