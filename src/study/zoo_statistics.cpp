// The zoo's baseline comparisons and aggregate (see zoo_statistics.hpp): the report's statistics
// and src/stats' separations and counts, printed. The sentences are computed from the numbers:
// which activations lie above relu's interval, and how many differ significantly from relu in
// each setting.
#include "study/zoo_statistics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/strings.hpp"
#include "report/aggregate_report.hpp"
#include "stats/spread_intervals.hpp"
#include "study/study_support.hpp"

namespace actbench::study {

namespace {

constexpr const char* kBaseline = "relu";

}  // namespace

void add_zoo_baseline(report::Report& setting) {
  report::StatisticsOptions options;
  options.baseline_key = "model.activation";
  options.baseline_value = kBaseline;
  report::add_statistics(setting, options);
}

std::string zoo_aggregate_section(const std::filesystem::path& out,
                                  std::vector<report::Report> settings,
                                  const std::vector<std::string>& titles,
                                  const std::vector<std::string>& directories) {
  for (size_t i = 0; i < settings.size() && i < titles.size(); ++i) settings[i].title = titles[i];
  const report::AggregateReport aggregated = report::aggregate(settings, {});
  for (const auto& figure : aggregated.figures)
    write_text(out / (figure.name + ".svg"), figure.svg);
  write_text(out / "aggregate.csv", report::render(aggregated, "csv"));

  // Where relu stands, and whose IQM interval lies clearly above or below its interval.
  std::vector<stats::Interval> intervals;
  size_t relu = aggregated.groups.size();
  for (size_t i = 0; i < aggregated.groups.size(); ++i) {
    intervals.push_back(aggregated.groups[i].iqm.ci);
    if (aggregated.groups[i].label == kBaseline) relu = i;
  }
  const stats::Separation separation = stats::separated_from(intervals, relu);
  auto labels = [&](const std::vector<size_t>& indices) {
    std::vector<std::string> out;
    for (size_t i : indices) out.push_back(aggregated.groups[i].label);
    return out.empty() ? std::string("none") : core::join(out, ", ");
  };
  // Per setting: how many activations are significantly better or worse than relu (Holm), and
  // the seeds per activation that comparison had.
  std::string per_setting;
  int64_t fewest_seeds = -1, most_seeds = 0;
  for (size_t s = 0; s < settings.size(); ++s) {
    std::vector<double> differences, p_holm;
    for (const auto& g : settings[s].statistics.groups) {
      if (!g.versus_baseline) continue;
      differences.push_back(g.versus_baseline->welch.difference);
      p_holm.push_back(g.versus_baseline->p_holm);
    }
    for (const auto& g : settings[s].groups) {
      const auto n = static_cast<int64_t>(g.values.size());
      if (n == 0) continue;  // every run diverged: counted in the tables, not compared
      fewest_seeds = fewest_seeds < 0 ? n : std::min(fewest_seeds, n);
      most_seeds = std::max(most_seeds, n);
    }
    const double alpha = settings[s].statistics.options.alpha;
    const stats::SignificanceCount count = stats::count_significant(differences, p_holm, alpha);
    per_setting += fmt::format(
        "- {}: {} of {} activations significantly above relu, {} below "
        "(Welch, Holm-adjusted p < {:g}).\n",
        settings[s].title, count.above, count.compared, count.below, alpha);
  }
  const std::string seeds_text = fewest_seeds == most_seeds
                                     ? fmt::format("{}", most_seeds)
                                     : fmt::format("{} to {}", fewest_seeds, most_seeds);

  std::string md = "## Against relu, and across the five settings\n\n";
  md += fmt::format(
      "Generated with the statistics of `actbench report` (docs/reporting.md). In each setting, "
      "every activation against relu over its {0} completed seeds (activations whose every run "
      "diverged aside); with "
      "{0} seeds only large differences reach significance:\n\n",
      seeds_text);
  md += per_setting;
  md += fmt::format(
      "\nAcross the settings (`actbench report {} --group-by model.activation --aggregate`, in "
      "{}), ranked by interquartile mean of normalised test accuracy:\n\n",
      core::join(directories, " "), out.string());
  md += report::render(aggregated, "md");
  if (relu < aggregated.groups.size()) {
    const report::AggregateGroup& r = aggregated.groups[relu];
    md += fmt::format(
        "\nrelu ranks {} of {} (IQM {:.3f}, 95% CI [{:.3f}, {:.3f}]). Intervals entirely above "
        "relu's: {}. Entirely below: {}.\n",
        relu + 1, aggregated.groups.size(), r.iqm.iqm, r.iqm.ci.low, r.iqm.ci.high,
        labels(separation.above), labels(separation.below));
  }
  md += "\n![performance profile](performance_profile.svg)\n\n";
  return md;
}

}  // namespace actbench::study
