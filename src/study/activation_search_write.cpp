// The activation search's write layer: the share of candidates each stage eliminated, the theory
// screen's audit, where relu, gelu and silu rank among the unique candidates, the leaderboard with
// the final round's intervals and Holm-adjusted p-values against relu, the claims, f and f' of the
// finalists, and the aggregate across the two final settings; every number from the measurements.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/strings.hpp"
#include "plot/svg_plot.hpp"
#include "report/aggregate_report.hpp"
#include "report/sweep_report.hpp"
#include "search/halving.hpp"
#include "stats/statistics.hpp"
#include "study/activation_search.hpp"
#include "study/study_support.hpp"

namespace actbench::study {
namespace activation_search_write_internal {

// Leaderboard rows printed in the README (leaderboard.csv holds every trained function).
constexpr size_t kLeaderboardRows = 25;

struct FinalStats {
  std::string mean_ci = "-";  // "0.8512 [0.8490, 0.8534]"
  std::string p_holm = "-";   // against relu, Holm over the setting's family
  double mean = std::nan("");
};

// Per member of a setting: mean with its t interval, and Welch against relu, Holm-adjusted.
std::map<std::string, FinalStats> final_stats(const FinalSetting& s) {
  std::map<std::string, FinalStats> out;
  const FinalMember* relu = nullptr;
  for (const auto& m : s.members)
    if (m.name == "relu") relu = &m;
  std::vector<std::string> compared;
  std::vector<double> p;
  for (const auto& m : s.members) {
    FinalStats& st = out[m.name];
    if (m.accuracies.empty()) continue;
    const stats::Summary sum = stats::summarize(m.accuracies);
    st.mean = sum.mean;
    st.mean_ci = m.accuracies.size() < 2
                     ? fmt::format("{:.4f}", sum.mean)
                     : fmt::format("{:.4f} [{:.4f}, {:.4f}]", sum.mean, sum.ci.low, sum.ci.high);
    if (m.failed > 0) st.mean_ci += fmt::format(" ({} failed)", m.failed);
    if (relu == nullptr || &m == relu) continue;
    compared.push_back(m.name);
    p.push_back(stats::welch_test(m.accuracies, relu->accuracies).p);
  }
  const std::vector<double> adjusted = stats::holm_adjust(p);
  for (size_t i = 0; i < compared.size(); ++i)
    out[compared[i]].p_holm =
        std::isfinite(adjusted[i]) ? fmt::format("{:.3g}", adjusted[i]) : "n/a";
  return out;
}

std::string aliases_cell(const search::UniqueFunction& f) {
  if (f.aliases.empty()) return "-";
  std::vector<std::string> shown(f.aliases.begin(),
                                 f.aliases.begin() + std::min<size_t>(2, f.aliases.size()));
  std::string cell = core::join(shown, "; ");
  if (f.aliases.size() > shown.size())
    cell += fmt::format(" (+{} more)", f.aliases.size() - shown.size());
  return cell;
}

// The score of the last round a candidate was trained in, with its t interval over seeds.
std::string proxy_cell(const search::CandidateRecord& c) {
  if (c.scores.empty()) return "-";
  const auto& seeds = c.accuracies.back();
  if (seeds.size() < 2 || c.failed.back() > 0)
    return fmt::format("{:.4f} ({} seed{})", c.scores.back(), seeds.size() + c.failed.back(),
                       seeds.size() + c.failed.back() == 1 ? "" : "s");
  const stats::Summary sum = stats::summarize(seeds);
  return fmt::format("{:.4f} [{:.4f}, {:.4f}]", sum.mean, sum.ci.low, sum.ci.high);
}

// Trained candidates, best first: by the last round reached, then that round's score.
std::vector<size_t> leaderboard_order(const search::SearchOutcome& o) {
  std::vector<size_t> order;
  for (size_t i = 0; i < o.candidates.size(); ++i)
    if (!o.candidates[i].scores.empty()) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const auto& x = o.candidates[a];
    const auto& y = o.candidates[b];
    if (x.finalist != y.finalist) return x.finalist;
    if (x.scores.size() != y.scores.size()) return x.scores.size() > y.scores.size();
    const double sx = x.scores.back(), sy = y.scores.back();
    if (std::isnan(sx) != std::isnan(sy)) return !std::isnan(sx);
    return sx > sy;
  });
  // Finalists in the order the last round ranked them.
  std::vector<size_t> finalists = o.finalists;
  std::vector<size_t> rest;
  for (size_t i : order)
    if (!o.candidates[i].finalist) rest.push_back(i);
  finalists.insert(finalists.end(), rest.begin(), rest.end());
  return finalists;
}

plot::Chart curve_chart(const std::string& title, const std::string& y_label) {
  plot::Chart chart;
  chart.title = title;
  chart.x.label = "x";
  chart.y.label = y_label;
  chart.zero_lines = true;
  chart.width = 560;
  chart.height = 400;
  return chart;
}

}  // namespace activation_search_write_internal
using namespace activation_search_write_internal;

std::filesystem::path write_search_study(const std::filesystem::path& out,
                                         const SearchStudyMeasurements& m,
                                         const std::vector<ClaimResult>& claims) {
  const search::SearchOutcome& o = m.outcome;
  const search::SearchSpec& spec = o.spec;
  std::string md = "# Searching for activation functions\n\n";
  md += fmt::format(
      "Generated by `actbench study activation_search{}` from `{}` in {:.1f} minutes of wall time "
      "(this invocation; a resumed search counts only what it trained). Ramachandran, Zoph and "
      "Le (2017) searched expressions b(u1(x), u2(x)) of unary and binary functions; this study "
      "enumerates such a space, drops what is degenerate or a duplicate, screens it with "
      "mean-field theory, and runs successive halving on a proxy task, every candidate a run of "
      "the sweeps in `search/` (`actbench report search/round_0` reads them like any sweep).\n\n",
      m.full ? " --full" : "", m.search_file, m.seconds / 60.0);
  std::vector<std::string> unary, binary;
  for (const auto& u : spec.space.unary) unary.push_back(u.text);
  for (const auto& b : spec.space.binary) binary.push_back(b.text);
  md += fmt::format(
      "- **Space**: {} core unit{}, unary [{}], binary [{}] ({}): {} expressions{}.\n",
      spec.space.depth, spec.space.depth == 1 ? "" : "s", markdown_cell(core::join(unary, ", ")),
      markdown_cell(core::join(binary, ", ")), "a and b are the two unaries' outputs", o.space_size,
      spec.space.sample > 0
          ? fmt::format(", {} of them drawn with seed {}", o.enumerated, spec.space.seed)
          : ", every one enumerated");
  md += fmt::format(
      "- **De-duplication**: f and f' (autograd) on {} points of [{:g}, {:g}]; equal within {:g} "
      "+ {:g} x |value|; degenerate if not finite there, constant, or f' = 0 on {:g}% of it.\n",
      spec.dedup.points, spec.dedup.from, spec.dedup.to, spec.dedup.atol, spec.dedup.rtol,
      100.0 * spec.dedup.flat_share);
  md += fmt::format(
      "- **Theory screen**: the expr activation's gain, an edge of chaos with a stable q* at "
      "sigma_b2 = {:g} (recorded), and the length map over the proxy's {} hidden layers at "
      "sigma_w2 = gain^2 and sigma_b2 = {:g} from the normalised input, which must keep q within "
      "[{:g}, {:g}]; {}.\n",
      spec.screen.edge_sigma_b2, spec.screen.depth, spec.screen.sigma_b2, spec.screen.q_low,
      spec.screen.q_high,
      spec.filter
          ? fmt::format("used as a filter, {} screened-out functions trained anyway", spec.audit)
          : "recorded, not used as a filter (every screened-out function is trained)");
  std::vector<std::string> rounds;
  for (const auto& r : spec.rounds)
    rounds.push_back(fmt::format("{} epoch{} x {} seed{}, keep {}", r.epochs,
                                 r.epochs == 1 ? "" : "s", r.seeds, r.seeds == 1 ? "" : "s",
                                 r.keep_top > 0 ? fmt::format("the best {}", r.keep_top)
                                                : fmt::format("{:g}%", 100.0 * r.keep)));
  md += fmt::format(
      "- **Proxy** ({}): `{}` with the search file's overrides; rounds: {}. Score: mean test "
      "accuracy over the round's seeds, a diverged seed counting 0. Baselines {} are trained in "
      "every round beside the candidates.\n",
      spec.proxy.title, spec.proxy.base, core::join(rounds, "; "), core::join(spec.baselines));
  md += fmt::format(
      "- **Final**: the finalists and the baselines, {} fresh seeds each, on the proxy ({} "
      "epochs){}.\n\n",
      spec.final_seeds, spec.final_epochs,
      spec.has_second ? fmt::format(" and on {} (`{}`)", spec.second.title, spec.second.base) : "");

  // ---- The share of candidates each stage eliminated.
  MarkdownTable stages({"stage", "in", "eliminated", "share of the expressions", "wall time"});
  const auto total = static_cast<double>(o.enumerated);
  auto share = [&](int64_t n) { return percent(static_cast<double>(n) / total); };
  auto time_of = [&](const std::string& key) {
    const auto found = o.seconds.find(key);
    return found == o.seconds.end() ? std::string("-") : fmt::format("{:.1f} s", found->second);
  };
  int64_t remaining = o.enumerated;
  for (const auto& [reason, count] : o.dropped_by_reason) {
    stages.add({"degenerate: " + reason, std::to_string(remaining), std::to_string(count),
                share(count), "-"});
    remaining -= count;
  }
  stages.add({"duplicates merged", std::to_string(remaining), std::to_string(o.merged),
              share(o.merged), time_of("enumerate and de-duplicate")});
  remaining -= o.merged;
  stages.add({"refused by the expr activation", std::to_string(remaining),
              std::to_string(o.refused), share(o.refused), "-"});
  remaining -= o.refused;
  stages.add({spec.filter ? "theory screen (filter)" : "theory screen (recorded only)",
              std::to_string(remaining), std::to_string(o.filtered_out), share(o.filtered_out),
              time_of("theory screen")});
  for (size_t r = 0; r < o.round_members.size(); ++r) {
    const auto in = static_cast<int64_t>(o.round_members[r].size());
    const int64_t kept = r + 1 < o.round_members.size()
                             ? static_cast<int64_t>(o.round_members[r + 1].size())
                             : static_cast<int64_t>(o.finalists.size());
    stages.add({fmt::format("round {} ({} epochs x {} seeds)", r, spec.rounds[r].epochs,
                            spec.rounds[r].seeds),
                std::to_string(in), std::to_string(in - kept), share(in - kept),
                time_of(fmt::format("round_{}", r))});
  }
  stages.add({"finalists", std::to_string(o.finalists.size()), "-", "-",
              time_of("final_proxy") + (spec.has_second ? " + " + time_of("final_second") : "")});
  write_text(out / "stages.csv", stages.csv());
  md += "## What each stage eliminated\n\n" + stages.str() + "\n";
  md += fmt::format(
      "{} expressions became {} unique functions: {} spellings were merged into a simpler one "
      "(the aliases in `search/functions.csv`; every expression and its fate in "
      "`search/candidates.csv`).\n\n",
      o.enumerated, o.candidates.size(), o.merged);

  // ---- The screen's audit: how many screened-out functions trained anyway.
  const double chance = 1.0 / static_cast<double>(spec.proxy.classes);
  int64_t out_trained = 0, out_measured = 0, in_trained = 0, in_measured = 0;
  for (const auto& c : o.candidates) {
    if (!c.screen.refused.empty() || c.scores.empty() || std::isnan(c.scores.front())) continue;
    const bool trained = c.scores.front() >= kSearchTrainedFactor * chance;
    if (c.screen.passes) {
      ++in_measured;
      in_trained += trained ? 1 : 0;
    } else {
      ++out_measured;
      out_trained += trained ? 1 : 0;
    }
  }
  md += "## The theory screen, measured\n\n";
  const stats::Interval out_ci = stats::wilson_interval(out_trained, out_measured);
  const stats::Interval in_ci = stats::wilson_interval(in_trained, in_measured);
  md += fmt::format(
      "{} of {} unique functions fail the screen. Of the {} screened-out functions trained in "
      "round 0, {} trained (round-0 test accuracy at least {:g} x chance): {} (Wilson 95% [{}, "
      "{}]); of the {} that pass, {} ({} [{}, {}]). Per function in `search/functions.csv` "
      "(gain, edge of chaos, q at the last hidden layer, the reason).\n\n",
      o.screened_out, o.candidates.size(), out_measured, out_trained, kSearchTrainedFactor,
      percent(out_measured ? static_cast<double>(out_trained) / out_measured : std::nan("")),
      percent(out_ci.low), percent(out_ci.high), in_measured, in_trained,
      percent(in_measured ? static_cast<double>(in_trained) / in_measured : std::nan("")),
      percent(in_ci.low), percent(in_ci.high));

  // ---- Where the baselines rank among the unique candidates (round 0).
  std::vector<double> round0;
  for (const auto& c : o.candidates)
    if (!c.scores.empty()) round0.push_back(c.scores.front());
  MarkdownTable ranks({"baseline", "its spelling in the space", "round-0 score",
                       "rank among the unique candidates"});
  for (const auto& b : o.baselines) {
    std::string spelling = "not in the space";
    const auto curve = m.baseline_curves.find(b.name);
    if (curve != m.baseline_curves.end())
      for (const auto& c : o.candidates)
        if (search::same_function(c.function.curve, curve->second, spec.dedup)) {
          spelling = c.function.name;
          break;
        }
    const double score = b.scores.empty() ? std::nan("") : b.scores.front();
    ranks.add({b.name, markdown_cell(spelling), fixed(score, 4),
               fmt::format("{} of {}", search::rank_among(score, round0), round0.size())});
  }
  md += "## Where relu, gelu and silu rank\n\n";
  md +=
      "Each baseline trained in round 0 beside the candidates; its rank is 1 + the number of "
      "unique candidates with a higher round-0 score. A baseline is in the space when a unique "
      "candidate equals it on the grid, value and derivative.\n\n";
  md += ranks.str() + "\n";

  // ---- The leaderboard.
  const std::map<std::string, FinalStats> proxy_stats = final_stats(m.final_round.proxy);
  const std::map<std::string, FinalStats> second_stats = m.final_round.has_second
                                                             ? final_stats(m.final_round.second)
                                                             : std::map<std::string, FinalStats>{};
  auto stat = [](const std::map<std::string, FinalStats>& s, const std::string& name) {
    const auto found = s.find(name);
    return found == s.end() ? FinalStats{} : found->second;
  };
  const std::string second_title = m.final_round.has_second ? m.final_round.second.title : "-";
  MarkdownTable board({"rank", "expression", "aliases", "rounds", "proxy score (last round)",
                       "final: " + spec.proxy.title, "p vs relu (Holm)", "final: " + second_title,
                       "p vs relu (Holm)"});
  std::string board_csv =
      "rank,expression,spelling,aliases,rounds_trained,last_round_score,finalist,final_proxy,"
      "final_proxy_p_holm,final_second,final_second_p_holm,gain,edge_of_chaos,screen\n";
  const std::vector<size_t> order = leaderboard_order(o);
  for (size_t k = 0; k < order.size(); ++k) {
    const search::CandidateRecord& c = o.candidates[order[k]];
    const FinalStats p = stat(proxy_stats, c.function.name);
    const FinalStats s = stat(second_stats, c.function.name);
    if (k < kLeaderboardRows)
      board.add({std::to_string(k + 1), markdown_cell(c.function.name),
                 markdown_cell(aliases_cell(c.function)), std::to_string(c.scores.size()),
                 proxy_cell(c), c.finalist ? p.mean_ci : "-", c.finalist ? p.p_holm : "-",
                 c.finalist ? s.mean_ci : "-", c.finalist ? s.p_holm : "-"});
    board_csv += core::csv_row(
        {std::to_string(k + 1), c.function.name, c.function.spelling,
         core::join(c.function.aliases, "; "), std::to_string(c.scores.size()),
         fmt::format("{:.6g}", c.scores.back()), c.finalist ? "yes" : "no",
         c.finalist ? p.mean_ci : "", c.finalist ? p.p_holm : "", c.finalist ? s.mean_ci : "",
         c.finalist ? s.p_holm : "", fmt::format("{:.6g}", c.screen.gain),
         c.screen.edge_of_chaos ? "yes" : "no", c.screen.passes ? "pass" : c.screen.reason});
  }
  for (const auto& b : o.baselines) {
    const FinalStats p = stat(proxy_stats, b.name);
    const FinalStats s = stat(second_stats, b.name);
    board.add({"(baseline)", b.name, "-", std::to_string(b.scores.size()),
               b.scores.empty() ? "-" : fmt::format("{:.4f}", b.scores.back()), p.mean_ci, p.p_holm,
               s.mean_ci, s.p_holm});
  }
  write_text(out / "leaderboard.csv", board_csv);
  md += "## Leaderboard\n\n";
  md += fmt::format(
      "The finalists first (in the order the last round ranked them), then every other trained "
      "function by the last round it reached and its score there; the first {} of {} "
      "(`leaderboard.csv` has them all). Proxy score: mean over the last round's seeds, with its "
      "t 95% interval when it had two or more. Final columns: mean test accuracy over the final "
      "round's seeds with its t 95% interval, and Welch's test against relu with Holm's "
      "adjustment over the setting's comparisons.\n\n",
      std::min(kLeaderboardRows, order.size()), order.size());
  md += board.str() + "\n";

  // ---- The claims.
  md += "## The claims\n\n";
  for (const auto& c : claims) md += verdict_paragraph(c);

  // ---- f and f' of the finalists and the baselines.
  const std::vector<double> grid = search::dedup_grid(spec.dedup);
  plot::Chart f_chart = curve_chart("f of the finalists and the baselines", "f(x)");
  plot::Chart df_chart = curve_chart("f' (autograd's, as trained)", "f'(x)");
  auto add_curves = [&](const std::string& label, const search::Curve& curve,
                        plot::LineStyle style) {
    std::vector<double> x, f, df;
    for (size_t i = 0; i < grid.size(); ++i) {
      if (std::abs(grid[i]) > 4.0) continue;
      x.push_back(grid[i]);
      f.push_back(curve.f[i]);
      df.push_back(curve.df[i]);
    }
    plot::Series fs{label, x, f, ""};
    fs.style = style;
    plot::Series ds{label, x, df, ""};
    ds.style = style;
    f_chart.series.push_back(fs);
    df_chart.series.push_back(ds);
  };
  for (size_t i : o.finalists)
    add_curves(o.candidates[i].function.name, o.candidates[i].function.curve,
               plot::LineStyle::Solid);
  for (const auto& [name, curve] : m.baseline_curves)
    add_curves(name, curve, plot::LineStyle::Dashed);
  // Each line's colour must agree between the panels: the palette is assigned in order in both.
  plot::write_svg(out / "functions.svg", plot::render_svg({f_chart, df_chart}, 2));
  md += "![f and f' of the finalists (solid) and the baselines (dashed)](functions.svg)\n\n";

  // ---- The aggregate across the final settings.
  std::vector<report::Report> settings;
  for (const FinalSetting* s : {&m.final_round.proxy, &m.final_round.second}) {
    if (s->directory.empty() || !std::filesystem::exists(s->directory / "results.db")) continue;
    report::Report r = report::load_report(s->directory, {"model.activation"});
    r.title = s->title;
    settings.push_back(std::move(r));
  }
  if (settings.size() >= 2) {
    const report::AggregateReport aggregated = report::aggregate(settings, {});
    for (const auto& figure : aggregated.figures)
      write_text(out / (figure.name + ".svg"), figure.svg);
    write_text(out / "aggregate.csv", report::render(aggregated, "csv"));
    md += "## Across the two final settings\n\n";
    md +=
        "Interquartile mean of normalised test accuracy over both settings' final runs, with a "
        "stratified bootstrap interval, and the performance profile (the statistics of "
        "`actbench report --aggregate`, docs/reporting.md):\n\n";
    md += report::render(aggregated, "md");
    md += "\n![performance profile](performance_profile.svg)\n\n";
  }
  write_text(out / "README.md", md);
  return out / "README.md";
}

}  // namespace actbench::study
