// The zoo's baseline comparisons and aggregate (see zoo_statistics.hpp). The verdict sentences
// are computed from the numbers: which activations lie above relu's interval, and which are not
// significantly different from relu in how many settings.
#include "study/zoo_statistics.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/strings.hpp"
#include "report/aggregate_report.hpp"
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

  // Where relu stands, and who is clearly above or below it.
  const report::AggregateGroup* relu = nullptr;
  size_t rank = 0;
  for (size_t i = 0; i < aggregated.groups.size(); ++i)
    if (aggregated.groups[i].label == kBaseline) {
      relu = &aggregated.groups[i];
      rank = i + 1;
    }
  std::vector<std::string> above, below;
  if (relu && std::isfinite(relu->iqm.ci.low)) {
    for (const auto& g : aggregated.groups) {
      if (&g == relu || !std::isfinite(g.iqm.ci.low)) continue;
      if (g.iqm.ci.low > relu->iqm.ci.high) above.push_back(g.label);
      if (g.iqm.ci.high < relu->iqm.ci.low) below.push_back(g.label);
    }
  }
  // Per setting: how many activations are significantly better or worse than relu (Holm).
  std::string per_setting;
  for (size_t s = 0; s < settings.size(); ++s) {
    int better = 0, worse = 0, compared = 0;
    for (const auto& g : settings[s].statistics.groups) {
      if (!g.versus_baseline || !std::isfinite(g.versus_baseline->p_holm)) continue;
      ++compared;
      if (g.versus_baseline->p_holm < settings[s].statistics.options.alpha)
        (g.versus_baseline->welch.difference > 0 ? better : worse) += 1;
    }
    per_setting += fmt::format(
        "- {}: {} of {} activations significantly above relu, {} below "
        "(Welch, Holm-adjusted p < 0.05).\n",
        settings[s].title, better, compared, worse);
  }

  std::string md = "## Against relu, and across the five settings\n\n";
  md +=
      "Generated with the statistics of `actbench report` (docs/reporting.md). In each setting, "
      "every activation against relu over its 3 seeds; with 3 seeds only large differences "
      "reach significance:\n\n";
  md += per_setting;
  md += fmt::format(
      "\nAcross the settings (`actbench report {} --group-by model.activation --aggregate`, in "
      "{}), ranked by interquartile mean of normalised test accuracy:\n\n",
      core::join(directories, " "), out.string());
  md += report::render(aggregated, "md");
  if (relu) {
    md += fmt::format(
        "\nrelu ranks {} of {} (IQM {:.3f}, 95% CI [{:.3f}, {:.3f}]). Intervals entirely above "
        "relu's: {}. Entirely below: {}.\n",
        rank, aggregated.groups.size(), relu->iqm.iqm, relu->iqm.ci.low, relu->iqm.ci.high,
        above.empty() ? "none" : core::join(above, ", "),
        below.empty() ? "none" : core::join(below, ", "));
  }
  md += "\n![performance profile](performance_profile.svg)\n\n";
  return md;
}

}  // namespace actbench::study
