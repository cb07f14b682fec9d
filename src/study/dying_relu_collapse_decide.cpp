// The dying-ReLU study's collapse claims (Lu, Su and Karniadakis 2018; Lu, Shin, Su and
// Karniadakis 2019) as data, decided from the measured cells with their intervals: the published
// collapse shares by width (each cell's Wilson interval against its published range), RAI against
// the symmetric init in the published figure's own configuration (Katz interval of the ratio; the
// pooled ratio is reported beside, not used), and depth (Newcombe interval of a difference of
// shares). Reads nothing and trains nothing, so the tests feed it made-up cells for every outcome.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/numbers.hpp"
#include "stats/statistics.hpp"
#include "study/dying_relu.hpp"
#include "study/study_support.hpp"

namespace actbench::study {
namespace {

using core::kNaN;

const Claim kWidthClaim{
    "dying_relu.collapse_by_width",
    "Lu, Su, Karniadakis 2018",
    "10-layer ReLU nets fitting |x| from a symmetric init collapse to a constant: width 2 over "
    "90%, width 3 about 60%, width 5 over 10%, width 10 under 1%",
    "share of those four figures whose published range holds our cell's 95% Wilson interval "
    "(|x|, depth 10, He normal weights, zero biases; 'about 60%' read as 50-70%): the interval's "
    "low end counts the figures it lies inside, its high end those it reaches",
    {Rule::Direction::kAtLeast, 1.0, 0.5},
    "collapse probability against width (figures quoted by secondary sources; 'width 3 about "
    "60%' may be the theory section's born-dead estimate rather than a trained share)",
    Reading::kSecondary,
    ""};

const Claim kCollapseRaiClaim{
    "dying_relu.collapse_rai",
    "Lu, Shin, Su, Karniadakis 2019",
    "randomized asymmetric initialisation (RAI) makes deep narrow nets collapse far less often "
    "than a symmetric init (the 1-D example, width 2, depth 10, |x|: 91.9% against 29.2%, a "
    "ratio of 0.32)",
    "collapsed share with RAI over the same with He normal in the published figure's "
    "configuration (width 2, depth 10, |x|); 'far less' read as at most half",
    {Rule::Direction::kAtMost, 0.5, 0.9},
    "numerical examples, the 1-D |x| comparison (91.9% and 29.2% quoted by secondary sources)",
    Reading::kSecondary,
    "the paper's training setup for this figure (points, steps, optimiser) was not read here; "
    "ours is the study's setup"};

const Claim kDepthClaim{
    "dying_relu.collapse_by_depth",
    "Lu, Su, Karniadakis 2018",
    "at a fixed small width, deeper ReLU nets collapse more often",
    "collapsed share at the deepest minus at the shallowest measured depth (width 3, |x|, He "
    "normal)",
    {Rule::Direction::kAtLeast, 0.3, 0.1},
    "collapse probability against depth (the abstract: deep and narrow nets collapse 'with high "
    "probability'; the figure was not read here)",
    Reading::kSecondary,
    ""};

double share(int64_t count, int64_t trials) {
  return trials > 0 ? static_cast<double>(count) / static_cast<double>(trials) : kNaN;
}

// "96.0% [92.3%, 98.0%]"
std::string with_interval(int64_t count, int64_t trials) {
  if (trials == 0) return "n/a";
  const Interval ci = wilson_interval(count, trials, 1.96);
  return fmt::format("{} [{}, {}]", percent(share(count, trials)), percent(ci.low),
                     percent(ci.high));
}

ClaimResult decide_width(const CollapseMeasurements& m) {
  int64_t compared = 0, inside = 0, reaching = 0;
  std::vector<std::string> parts, cells;
  for (const auto& published : published_collapse()) {
    const CollapseCell* c = find_collapse_cell(m, "abs", published.width, 10, "kaiming_normal");
    if (c == nullptr || c->trials == 0) {
      parts.push_back(fmt::format("width {}: not measured", published.width));
      continue;
    }
    ++compared;
    const Interval ci = wilson_interval(c->collapsed, c->trials, 1.96);
    const bool reaches = ci.high >= published.low && ci.low <= published.high;
    const bool within = ci.low >= published.low && ci.high <= published.high;
    inside += within ? 1 : 0;
    reaching += reaches ? 1 : 0;
    const double gap =
        reaches ? 0.0
                : (ci.low > published.high ? ci.low - published.high : published.low - ci.high);
    parts.push_back(fmt::format("width {}: {} of {} collapsed, {} against {} ({})", published.width,
                                c->collapsed, c->trials, with_interval(c->collapsed, c->trials),
                                published.text,
                                within    ? "inside"
                                : reaches ? "straddles its edge"
                                          : fmt::format("outside by {:.1f} points", 100.0 * gap)));
    cells.push_back(
        fmt::format("w{} {}", published.width, percent(share(c->collapsed, c->trials))));
  }
  const int64_t figures = static_cast<int64_t>(published_collapse().size());
  const double value = compared == figures ? static_cast<double>(inside) / figures : kNaN;
  ClaimResult r = decide(
      kWidthClaim,
      compared < figures
          ? Measurement::undecidable(value, "not every published width was measured")
          : Measurement::within(
                value, static_cast<double>(inside) / figures,
                static_cast<double>(reaching) / figures,
                "each cell's Wilson 95% interval: low counts the figures it lies inside, high "
                "those it reaches"));
  r.measured = cells.empty() ? "not measured"
                             : fmt::format("{}; inside {} and reaching {} of {} figures",
                                           fmt::join(cells, ", "), inside, reaching, compared);
  r.sentence = fmt::format(
      "{}. Our interval lies inside {} of the {} published ranges and reaches {}. The figures "
      "were read in secondary sources, not in the paper.",
      fmt::join(parts, "; "), inside, figures, reaching);
  return r;
}

ClaimResult decide_rai(const CollapseMeasurements& m) {
  const PublishedRai& paper = published_rai();
  const CollapseCell* he =
      find_collapse_cell(m, paper.target, paper.width, paper.depth, "kaiming_normal");
  const CollapseCell* rai = find_collapse_cell(m, paper.target, paper.width, paper.depth, "rai");
  const double published_ratio = paper.rai / paper.symmetric;
  // Pooled over widths and targets at depth 10: reported beside, never decided from.
  int64_t ht = 0, hc = 0, rt = 0, rc = 0;
  for (const auto& c : m.cells) {
    if (c.depth != 10) continue;
    if (c.init == "kaiming_normal") ht += c.trials, hc += c.collapsed;
    if (c.init == "rai") rt += c.trials, rc += c.collapsed;
  }
  if (he == nullptr || rai == nullptr || he->trials == 0 || rai->trials == 0 ||
      he->collapsed == 0) {
    ClaimResult r = decide(
        kCollapseRaiClaim,
        Measurement::undecidable(kNaN, fmt::format("the matched cell (width {}, depth {}, {}) "
                                                   "has no He normal collapse to compare with",
                                                   paper.width, paper.depth, paper.target)));
    r.measured = "not measured";
    r.sentence =
        "The published configuration was not measured with both inits, or He normal "
        "never collapsed there.";
    return r;
  }
  const stats::Ratio ratio =
      stats::risk_ratio(rai->collapsed, rai->trials, he->collapsed, he->trials);
  ClaimResult r =
      decide(kCollapseRaiClaim, Measurement::within(ratio.estimate, ratio.ci.low, ratio.ci.high,
                                                    "Katz 95% for a ratio of shares"));
  const bool published_inside = published_ratio >= ratio.ci.low && published_ratio <= ratio.ci.high;
  r.measured =
      fmt::format("width {}, depth {}, |x|: He {} vs RAI {} (ratio {:.2f}; paper {:.2f})",
                  paper.width, paper.depth, with_interval(he->collapsed, he->trials),
                  with_interval(rai->collapsed, rai->trials), ratio.estimate, published_ratio);
  r.sentence = fmt::format(
      "In the published configuration (width {}, depth {}, |x|), He normal collapses in {} of "
      "{} runs ({}) and RAI in {} of {} ({}), against the quoted {} and {}. RAI's share is {:.2f} "
      "of He normal's [{:.2f}, {:.2f}]; the published ratio {:.2f} lies {} that interval. Pooled "
      "over every width and target at depth 10 (not used for the verdict: other configurations), "
      "{} of {} He normal and {} of {} RAI runs collapsed, a ratio of {:.2f}.",
      paper.width, paper.depth, he->collapsed, he->trials, with_interval(he->collapsed, he->trials),
      rai->collapsed, rai->trials, with_interval(rai->collapsed, rai->trials),
      percent(paper.symmetric), percent(paper.rai), ratio.estimate, ratio.ci.low, ratio.ci.high,
      published_ratio, published_inside ? "inside" : "outside", hc, ht, rc, rt,
      ht > 0 && rt > 0 && hc > 0 ? share(rc, rt) / share(hc, ht) : kNaN);
  return r;
}

ClaimResult decide_depth(const CollapseMeasurements& m) {
  const CollapseCell *shallow = nullptr, *deep = nullptr;
  for (const auto& c : m.cells) {
    if (c.target != "abs" || c.width != 3 || c.init != "kaiming_normal" || c.trials == 0) continue;
    if (shallow == nullptr || c.depth < shallow->depth) shallow = &c;
    if (deep == nullptr || c.depth > deep->depth) deep = &c;
  }
  const bool measured = shallow != nullptr && deep != nullptr && deep->depth > shallow->depth;
  if (!measured) {
    ClaimResult r =
        decide(kDepthClaim, Measurement::undecidable(kNaN, "fewer than two depths measured"));
    r.measured = "not measured";
    r.sentence = "Fewer than two depths were measured at width 3.";
    return r;
  }
  const stats::Difference rise =
      stats::share_difference(deep->collapsed, deep->trials, shallow->collapsed, shallow->trials);
  ClaimResult r =
      decide(kDepthClaim, Measurement::within(rise.estimate, rise.ci.low, rise.ci.high,
                                              "Newcombe 95% for a difference of shares"));
  std::vector<const CollapseCell*> by_depth;
  for (const auto& c : m.cells)
    if (c.target == "abs" && c.width == 3 && c.init == "kaiming_normal" && c.trials > 0)
      by_depth.push_back(&c);
  std::sort(by_depth.begin(), by_depth.end(),
            [](const CollapseCell* a, const CollapseCell* b) { return a->depth < b->depth; });
  std::vector<std::string> steps;
  int64_t falls = 0;
  for (size_t i = 0; i < by_depth.size(); ++i) {
    steps.push_back(fmt::format("{} layers {}", by_depth[i]->depth,
                                percent(share(by_depth[i]->collapsed, by_depth[i]->trials))));
    if (i > 0 && share(by_depth[i]->collapsed, by_depth[i]->trials) <
                     share(by_depth[i - 1]->collapsed, by_depth[i - 1]->trials))
      ++falls;
  }
  r.measured = fmt::format("{} layers {} -> {} layers {}", shallow->depth,
                           with_interval(shallow->collapsed, shallow->trials), deep->depth,
                           with_interval(deep->collapsed, deep->trials));
  r.sentence = fmt::format(
      "Width 3, |x|, He normal: {}. From {} to {} layers the collapsed share changes by {:+.1f} "
      "points [{:+.1f}, {:+.1f}]; {} of the {} steps between neighbouring depths go down.",
      fmt::join(steps, ", "), shallow->depth, deep->depth, 100.0 * rise.estimate,
      100.0 * rise.ci.low, 100.0 * rise.ci.high, falls, by_depth.size() - 1);
  return r;
}

}  // namespace

const std::vector<PublishedCollapse>& published_collapse() {
  static const std::vector<PublishedCollapse> figures{
      {2, "over 90%", 0.9, 1.0},
      {3, "about 60%", 0.5, 0.7},
      {5, "over 10%", 0.1, 1.0},
      {10, "under 1%", 0.0, 0.01},
  };
  return figures;
}

const PublishedRai& published_rai() {
  static const PublishedRai figure{};
  return figure;
}

std::vector<ClaimResult> decide_collapse(const CollapseMeasurements& m) {
  return {decide_width(m), decide_rai(m), decide_depth(m)};
}

}  // namespace actbench::study
