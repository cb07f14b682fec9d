// The dying-ReLU study's collapse section: the cells as CSV and a Markdown table with Wilson
// intervals, plots of the collapsed share against width and depth, and the README text, all
// printed from the measured cells and the decided claims (dying_relu_collapse_decide.cpp).
#include <fmt/format.h>

#include <cmath>
#include <map>

#include "report/svg_plot.hpp"
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

std::string published_text(const CollapseCell& c) {
  if (c.target != "abs" || c.depth != 10 || c.init != "kaiming_normal") return "";
  for (const auto& p : published_collapse())
    if (p.width == c.width) return p.text;
  return "";
}

void write_plots(const std::filesystem::path& out, const CollapseMeasurements& m) {
  const auto& palette = report::default_palette();
  report::Chart widths;
  widths.title = "Depth 10: collapsed share by width (solid He normal, dashed RAI)";
  widths.x.label = "width";
  widths.x.integer = true;
  widths.y.label = "P(collapsed)";
  widths.y.min = 0.0;
  widths.y.max = 1.0;
  size_t colour = 0;
  for (const char* target : {"abs", "xsin5x", "sum_abs"}) {
    for (const char* init : {"kaiming_normal", "rai"}) {
      report::Series s;
      s.label = fmt::format("{}, {}", target_label(target), init_label(init));
      s.colour = palette[colour % palette.size()];
      s.style = std::string(init) == "rai" ? report::LineStyle::Dashed : report::LineStyle::Solid;
      for (const auto& c : m.cells)
        if (c.target == target && c.init == init && c.depth == 10 && c.trials > 0) {
          s.x.push_back(static_cast<double>(c.width));
          s.y.push_back(share_of(c.collapsed, c.trials));
        }
      if (!s.x.empty()) widths.series.push_back(s);
    }
    ++colour;
  }
  report::write_svg(out / "collapse_width.svg", report::render_svg(widths));

  report::Chart depths;
  depths.title = "Width 3 on |x|: collapsed (solid) and born dead (dashed) by depth";
  depths.x.label = "hidden layers";
  depths.x.integer = true;
  depths.y.label = "share of runs";
  depths.y.min = 0.0;
  depths.y.max = 1.0;
  colour = 0;
  for (const char* init : {"kaiming_normal", "rai"}) {
    std::map<int64_t, const CollapseCell*> by_depth;
    for (const auto& c : m.cells)
      if (c.target == "abs" && c.width == 3 && c.init == init && c.trials > 0)
        by_depth[c.depth] = &c;
    report::Series collapsed, born;
    collapsed.label = fmt::format("{}: collapsed", init_label(init));
    born.label = fmt::format("{}: born dead", init_label(init));
    collapsed.colour = born.colour = palette[colour++ % palette.size()];
    born.style = report::LineStyle::Dashed;
    for (const auto& [depth, c] : by_depth) {
      collapsed.x.push_back(static_cast<double>(depth));
      collapsed.y.push_back(share_of(c->collapsed, c->trials));
      born.x.push_back(static_cast<double>(depth));
      born.y.push_back(share_of(c->born_dead, c->trials));
    }
    if (!collapsed.x.empty()) {
      depths.series.push_back(collapsed);
      depths.series.push_back(born);
    }
  }
  report::write_svg(out / "collapse_depth.svg", report::render_svg(depths));
}

}  // namespace

std::string write_collapse(const std::filesystem::path& out, const CollapseMeasurements& m,
                           const std::vector<ClaimResult>& claims) {
  MarkdownTable csv({"target", "dims", "width", "depth", "init", "trials", "unfinished",
                     "collapsed", "p_collapsed", "ci95_low", "ci95_high", "born_dead",
                     "p_born_dead", "collapsed_not_born_dead", "p_collapsed_not_born_dead"});
  MarkdownTable table({"target", "width", "depth", "init", "runs", "collapsed [95% Wilson]",
                       "born dead", "collapsed, not born dead", "published (Lu et al. 2018)"});
  int64_t he_collapsed = 0, he_collapsed_born_dead = 0;
  for (const auto& c : m.cells) {
    const Interval ci = wilson_interval(c.collapsed, c.trials, 1.96);
    csv.add({c.target, std::to_string(c.dims), std::to_string(c.width), std::to_string(c.depth),
             c.init, std::to_string(c.trials), std::to_string(c.unfinished),
             std::to_string(c.collapsed), fixed(share_of(c.collapsed, c.trials), 4),
             fixed(ci.low, 4), fixed(ci.high, 4), std::to_string(c.born_dead),
             fixed(share_of(c.born_dead, c.trials), 4), std::to_string(c.collapsed_not_born_dead),
             fixed(share_of(c.collapsed_not_born_dead, c.trials), 4)});
    table.add({target_label(c.target), std::to_string(c.width), std::to_string(c.depth),
               init_label(c.init),
               c.unfinished > 0 ? fmt::format("{} (+{} unfinished)", c.trials, c.unfinished)
                                : std::to_string(c.trials),
               fmt::format("{} [{}, {}]", percent(share_of(c.collapsed, c.trials)), percent(ci.low),
                           percent(ci.high)),
               percent(share_of(c.born_dead, c.trials)),
               percent(share_of(c.collapsed_not_born_dead, c.trials)), published_text(c)});
    if (c.init == "kaiming_normal" && c.depth == 10) {
      he_collapsed += c.collapsed;
      he_collapsed_born_dead += c.collapsed - c.collapsed_not_born_dead;
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
      "*Collapsed*: the trained network's output std over the test inputs is below 1e-3 of the "
      "target's (docs/regression.md). *Born dead*: at step 0 some hidden layer is zero on every "
      "probe input, so the network starts constant.\n\n",
      m.lr, m.steps, m.points, m.trials_per_cell);
  md +=
      "**Initialisations.** He normal: weights N(0, 2/fan_in), zero biases. RAI as implemented "
      "(`src/model/init/rai.cpp`): for each hidden unit, one entry of its row [W | b] chosen "
      "uniformly at random is drawn from Beta(2, 1), the others from N(0, 1.5/fan_in), so that "
      "a row's second moment matches He's; the output layer gets N(0, 1/fan_in) and a zero "
      "bias. The paper's recipe is the same in kind (one Beta(2, 1) entry per row, the rest "
      "symmetric); its variance constant is derived in the paper and was not checked against "
      "the text here, so the scale of the symmetric part is ours.\n\n";
  md += table.str() + "\n";
  md += "![collapse against width](collapse_width.svg)\n\n";
  md += "![collapse against depth](collapse_depth.svg)\n\n";
  if (he_collapsed > 0)
    md += fmt::format(
        "Of the {} He normal runs at depth 10 that collapsed, {} ({}) were born dead; the rest "
        "collapsed during training.\n\n",
        he_collapsed, he_collapsed_born_dead,
        percent(share_of(he_collapsed_born_dead, he_collapsed)));
  for (const auto& c : claims) md += verdict_paragraph(c);
  return md;
}

}  // namespace actbench::study
