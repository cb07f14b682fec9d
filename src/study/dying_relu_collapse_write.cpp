// The dying-ReLU study's collapse section: the cells as CSV and a Markdown table with Wilson
// intervals and the three ways a run ends constant (born dead, constant at init, died in
// training), plots of the collapsed share against width and depth with their Wilson intervals and
// the published values they are compared with, and the README text, all printed from the measured
// cells and the decided claims (dying_relu_collapse_decide.cpp).
#include <fmt/format.h>

#include <cmath>
#include <map>

#include "plot/svg_plot.hpp"
#include "study/dying_relu.hpp"
#include "study/study_support.hpp"

namespace actbench::study {
namespace {

double share_of(int64_t count, int64_t trials) {
  return trials > 0 ? static_cast<double>(count) / static_cast<double>(trials) : std::nan("");
}

std::string init_label(const std::string& init) {
  return init == "rai" ? "RAI" : init == "kaiming_normal" ? "He normal" : init;
}

std::string target_label(const std::string& target) {
  if (target == "abs") return "|x|";
  if (target == "xsin5x") return "x sin 5x";
  if (target == "sum_abs") return "|x1| + |x2|";
  return target;
}

// The published values a cell is compared with, as quoted by secondary sources.
std::string published_text(const CollapseCell& c) {
  std::vector<std::string> out;
  if (c.target == "abs" && c.depth == 10 && c.init == "kaiming_normal")
    for (const auto& p : published_collapse())
      if (p.width == c.width) out.push_back(p.text + " (2018)");
  const PublishedRai& rai = published_rai();
  if (c.target == rai.target && c.depth == rai.depth && c.width == rai.width)
    out.push_back(percent(c.init == "rai" ? rai.rai : rai.symmetric) + " (2019)");
  return fmt::format("{}", fmt::join(out, "; "));
}

// Vertical bars from each point's Wilson 95% low to high end: one series, NaN between bars.
plot::Series wilson_bars(const std::vector<const CollapseCell*>& cells, double x_shift,
                         const std::string& colour, int64_t CollapseCell::*count) {
  plot::Series bars;
  bars.colour = colour;
  bars.width = 1.2;
  for (const CollapseCell* c : cells) {
    const Interval ci = wilson_interval(c->*count, c->trials, 1.96);
    const double x = static_cast<double>(c->width == 0 ? c->depth : c->width) + x_shift;
    bars.x.insert(bars.x.end(), {x, x, std::nan("")});
    bars.y.insert(bars.y.end(), {ci.low, ci.high, std::nan("")});
  }
  return bars;
}

void write_plots(const std::filesystem::path& out, const CollapseMeasurements& m) {
  const auto& palette = plot::default_palette();
  plot::Chart widths;
  widths.title = "Depth 10: collapsed share by width (solid He, dashed RAI; bars Wilson 95%)";
  widths.x.label = "width";
  widths.x.integer = true;
  widths.y.label = "P(collapsed)";
  widths.y.min = 0.0;
  widths.y.max = 1.0;
  widths.width = 760;
  widths.height = 480;
  size_t colour = 0;
  for (const char* target : {"abs", "xsin5x", "sum_abs"}) {
    for (const char* init : {"kaiming_normal", "rai"}) {
      plot::Series s;
      s.label = fmt::format("{}, {}", target_label(target), init_label(init));
      s.colour = palette[colour % palette.size()];
      s.style = std::string(init) == "rai" ? plot::LineStyle::Dashed : plot::LineStyle::Solid;
      std::vector<const CollapseCell*> drawn;
      // A small shift per series keeps the bars of one width apart.
      const double shift =
          0.04 * (static_cast<double>(2 * colour) + (std::string(init) == "rai" ? 1.0 : 0.0) - 2.5);
      for (const auto& c : m.cells)
        if (c.target == target && c.init == init && c.depth == 10 && c.trials > 0) {
          s.x.push_back(static_cast<double>(c.width) + shift);
          s.y.push_back(share_of(c.collapsed, c.trials));
          drawn.push_back(&c);
        }
      if (s.x.empty()) continue;
      widths.series.push_back(s);
      plot::Series bars = wilson_bars(drawn, shift, s.colour, &CollapseCell::collapsed);
      bars.group = s.label;
      widths.series.push_back(bars);
    }
    ++colour;
  }
  // The published values compared with: the collapse ranges for He on |x| (a black bar over each
  // range) and the RAI example's two shares at width 2 (black dots).
  plot::Series ranges;
  ranges.label = "published, He on |x| (quoted ranges)";
  ranges.colour = "#000000";
  ranges.width = 5.0;
  for (const auto& p : published_collapse()) {
    ranges.x.insert(ranges.x.end(),
                    {static_cast<double>(p.width), static_cast<double>(p.width), std::nan("")});
    ranges.y.insert(ranges.y.end(), {p.low, std::min(p.high, 1.0), std::nan("")});
  }
  widths.series.push_back(ranges);
  plot::Series rai_points;
  rai_points.label = fmt::format("published, width {} on |x|: symmetric {}, RAI {} (quoted)",
                                 published_rai().width, percent(published_rai().symmetric),
                                 percent(published_rai().rai));
  rai_points.colour = "#000000";
  rai_points.points = true;
  rai_points.width = 9.0;
  rai_points.x = {static_cast<double>(published_rai().width),
                  static_cast<double>(published_rai().width)};
  rai_points.y = {published_rai().symmetric, published_rai().rai};
  widths.series.push_back(rai_points);
  plot::write_svg(out / "collapse_width.svg", plot::render_svg(widths));

  plot::Chart depths;
  depths.title = "Width 3 on |x|: collapsed (solid, Wilson 95% bars) and born dead (dashed)";
  depths.x.label = "hidden layers";
  depths.x.integer = true;
  depths.y.label = "share of runs";
  depths.y.min = 0.0;
  depths.y.max = 1.0;
  depths.width = 760;
  depths.height = 480;
  colour = 0;
  for (const char* init : {"kaiming_normal", "rai"}) {
    std::map<int64_t, const CollapseCell*> by_depth;
    for (const auto& c : m.cells)
      if (c.target == "abs" && c.width == 3 && c.init == init && c.trials > 0)
        by_depth[c.depth] = &c;
    plot::Series collapsed, born;
    collapsed.label = fmt::format("{}: collapsed", init_label(init));
    born.label = fmt::format("{}: born dead", init_label(init));
    collapsed.colour = born.colour = palette[colour++ % palette.size()];
    born.style = plot::LineStyle::Dashed;
    std::vector<CollapseCell> as_depth;  // width 0 so that the bars sit at x = depth
    for (const auto& [depth, c] : by_depth) {
      collapsed.x.push_back(static_cast<double>(depth));
      collapsed.y.push_back(share_of(c->collapsed, c->trials));
      born.x.push_back(static_cast<double>(depth));
      born.y.push_back(share_of(c->born_dead, c->trials));
      as_depth.push_back(*c);
      as_depth.back().width = 0;
    }
    if (collapsed.x.empty()) continue;
    std::vector<const CollapseCell*> drawn;
    for (const auto& c : as_depth) drawn.push_back(&c);
    plot::Series bars = wilson_bars(drawn, std::string(init) == "rai" ? 0.15 : -0.15,
                                    collapsed.colour, &CollapseCell::collapsed);
    bars.group = collapsed.label;
    depths.series.push_back(collapsed);
    depths.series.push_back(bars);
    depths.series.push_back(born);
  }
  plot::write_svg(out / "collapse_depth.svg", plot::render_svg(depths));
}

}  // namespace

std::string write_collapse(const std::filesystem::path& out, const CollapseMeasurements& m,
                           const std::vector<ClaimResult>& claims) {
  MarkdownTable csv({"target", "dims", "width", "depth", "init", "trials", "unfinished",
                     "collapsed", "p_collapsed", "ci95_low", "ci95_high", "born_dead",
                     "p_born_dead", "constant_at_init", "p_constant_at_init", "died_in_training",
                     "p_died_in_training"});
  MarkdownTable table({"target", "width", "depth", "init", "runs", "collapsed [95% Wilson]",
                       "born dead", "constant at init, no dead layer", "died in training",
                       "published (quoted)"});
  int64_t he_collapsed = 0, he_born = 0, he_constant = 0, he_died = 0;
  for (const auto& c : m.cells) {
    const Interval ci = wilson_interval(c.collapsed, c.trials, 1.96);
    csv.add({c.target, std::to_string(c.dims), std::to_string(c.width), std::to_string(c.depth),
             c.init, std::to_string(c.trials), std::to_string(c.unfinished),
             std::to_string(c.collapsed), fixed(share_of(c.collapsed, c.trials), 4),
             fixed(ci.low, 4), fixed(ci.high, 4), std::to_string(c.born_dead),
             fixed(share_of(c.born_dead, c.trials), 4), std::to_string(c.constant_at_init),
             fixed(share_of(c.constant_at_init, c.trials), 4), std::to_string(c.died_in_training),
             fixed(share_of(c.died_in_training, c.trials), 4)});
    table.add({target_label(c.target), std::to_string(c.width), std::to_string(c.depth),
               init_label(c.init),
               c.unfinished > 0 ? fmt::format("{} (+{} unfinished)", c.trials, c.unfinished)
                                : std::to_string(c.trials),
               fmt::format("{} [{}, {}]", percent(share_of(c.collapsed, c.trials)), percent(ci.low),
                           percent(ci.high)),
               percent(share_of(c.born_dead, c.trials)),
               percent(share_of(c.constant_at_init, c.trials)),
               percent(share_of(c.died_in_training, c.trials)), published_text(c)});
    if (c.init == "kaiming_normal" && c.depth == 10) {
      he_collapsed += c.collapsed;
      he_born += c.born_dead;
      he_constant += c.constant_at_init;
      he_died += c.died_in_training;
    }
  }
  write_text(out / "collapse.csv", csv.csv());
  write_plots(out, m);

  std::string md = "## 2. Training collapse of deep narrow nets (Lu, Su, Karniadakis 2018)\n\n";
  md += fmt::format(
      "**Setup.** ReLU MLPs with one output and 10 hidden layers of width 2, 3, 4, 5 and 10 (and "
      "width 3 at other depths on |x|), trained with full-batch Adam (lr {:g}) for {} steps on "
      "the MSE of {} points uniform in [-sqrt 3, sqrt 3]^d (`function` dataset; targets |x|, "
      "x sin 5x, and |x1| + |x2| in 2-D). {} trials per cell, trained as packs "
      "(`experiments/dying_relu_collapse*.yaml`, each member is a run with its own directory). "
      "Each target and the depth sweep have seeds of their own, so no two targets share an "
      "initialisation; He normal and RAI runs of one cell use the same seeds, and the depths of "
      "one seed share their first layers' draws: such pairs are positively correlated, which "
      "makes the independent-sample intervals below wider than they need be, not narrower. "
      "*Collapsed*: the trained network's output std over the test inputs is below 1e-3 of the "
      "target's (docs/regression.md). Every finished run falls in at most one of three "
      "columns: *born dead*, some hidden layer zero on every probe input at step 0; *constant at "
      "init, no dead layer*, no such layer but the initial output already constant by the "
      "collapse rule (the initial network rebuilt from the run's config and seed); *died in "
      "training*, neither, yet collapsed at the end. {}\n\n",
      m.lr, m.steps, m.points, m.trials_per_cell,
      m.born_dead_not_constant == 0
          ? std::string("Every born-dead run's rebuilt initial output is constant, as it must be.")
          : fmt::format("Check failed: {} born-dead runs have a rebuilt initial output that is "
                        "not constant.",
                        m.born_dead_not_constant));
  md +=
      "**Initialisations.** He normal: weights N(0, 2/fan_in), zero biases. RAI "
      "(`src/model/init/rai.cpp`): for each hidden unit, one entry of its row [W | b], at a "
      "position chosen uniformly at random, is drawn from Beta(2, 1), the others from "
      "N(0, 0.6007^2/fan_in), as public implementations that cite Lu et al. draw it (the "
      "paper's text was not reachable to check the constant); the output layer gets "
      "N(0, 1/fan_in) and a zero bias. actbench's earlier recipe, the rest N(0, 1.5/fan_in), is "
      "kept as `rai_he_moment` and appears in part 1 only.\n\n";
  md += table.str() + "\n";
  md += "![collapse against width](collapse_width.svg)\n\n";
  md += "![collapse against depth](collapse_depth.svg)\n\n";
  if (he_collapsed > 0)
    md += fmt::format(
        "Of the {} He normal runs at depth 10 that collapsed, {} ({}) were born dead, {} ({}) "
        "were constant at initialisation without a dead layer, and {} ({}) died in "
        "training.\n\n",
        he_collapsed, he_born, percent(share_of(he_born, he_collapsed)), he_constant,
        percent(share_of(he_constant, he_collapsed)), he_died,
        percent(share_of(he_died, he_collapsed)));
  for (const auto& c : claims) md += verdict_paragraph(c);
  return md;
}

}  // namespace actbench::study
