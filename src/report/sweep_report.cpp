// Grouping, statistics and rendering of sweep reports (see sweep_report.hpp).
#include "report/sweep_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "config/loader.hpp"
#include "core/display.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"
#include "report/svg_plot.hpp"

namespace actbench::report {

Stat describe(const std::vector<double>& values) {
  Stat s;
  s.n = static_cast<int64_t>(values.size());
  if (values.empty()) return s;
  double sum = 0.0;
  for (double v : values) sum += v;
  s.mean = sum / s.n;
  double squares = 0.0;
  for (double v : values) squares += (v - s.mean) * (v - s.mean);
  s.std = s.n > 1 ? std::sqrt(squares / (s.n - 1)) : 0.0;
  s.min = *std::min_element(values.begin(), values.end());
  s.max = *std::max_element(values.begin(), values.end());
  return s;
}

namespace {

// The value of a dotted key in a run: its recorded sweep parameter, else read from its config.
std::string key_value(const store::RunRow& run, const std::string& key) {
  auto it = run.params.find(key);
  if (it != run.params.end()) return it->second;
  // The resolved config is JSON, which is YAML: read it back with the strict reader.
  const config::RunSpec spec =
      config::read_run_spec(*config::parse_yaml(run.config_json, run.run_id));
  const std::string value = config::value_at(spec, key);
  if (value.empty()) {
    throw ConfigError(SourceLocation::cli_arg(0),
                      fmt::format("no config key '{}' to group by", key),
                      "use dotted keys of the config, e.g. model.activation or optim.lr");
  }
  return value;
}

std::string pm(const Stat& s, const char* format, const char* separator) {
  if (s.n == 0) return "-";
  return fmt::format(fmt::runtime(std::string(format) + "{}" + format), s.mean, separator, s.std);
}

std::string diverged_text(const Group& g) { return fmt::format("{}/{}", g.diverged, g.runs); }

}  // namespace

Report build_report(const std::vector<store::RunRow>& runs, const std::vector<std::string>& keys) {
  Report report;
  report.keys = keys;
  std::map<std::vector<std::string>, size_t> index;
  std::vector<std::vector<const store::RunRow*>> members;
  for (const auto& run : runs) {
    std::vector<std::string> values;
    for (const auto& key : keys) values.push_back(key_value(run, key));
    auto [it, inserted] = index.emplace(values, report.groups.size());
    if (inserted) {
      Group group;
      group.key_values = values;
      report.groups.push_back(std::move(group));
      members.emplace_back();
    }
    members[it->second].push_back(&run);
  }
  for (size_t g = 0; g < report.groups.size(); ++g) {
    Group& group = report.groups[g];
    std::vector<double> accuracy, loss;
    std::vector<std::vector<double>> dead, grad;
    for (const auto* run : members[g]) {
      ++group.runs;
      if (run->status == core::RunStatus::kCompleted) {
        ++group.completed;
        group.run_ids.push_back(run->run_id);
        if (run->test_accuracy) accuracy.push_back(*run->test_accuracy);
        if (run->test_accuracy) group.accuracy_values.push_back(*run->test_accuracy);
        if (run->test_loss) loss.push_back(*run->test_loss);
        if (run->collapsed) {
          ++group.collapse_known;
          group.collapsed += *run->collapsed ? 1 : 0;
        }
        if (group.layers.empty())
          for (const auto& l : run->layers) group.layers.push_back(LayerStat{l.name, {}, {}});
        dead.resize(group.layers.size());
        grad.resize(group.layers.size());
        for (size_t i = 0; i < run->layers.size() && i < group.layers.size(); ++i) {
          dead[i].push_back(run->layers[i].dead_fraction);
          grad[i].push_back(run->layers[i].grad_norm);
        }
      } else if (run->status == core::RunStatus::kDiverged) {
        ++group.diverged;
      } else if (run->status == core::RunStatus::kFailed) {
        ++group.failed;
      } else {
        ++group.unfinished;
      }
    }
    group.test_accuracy = describe(accuracy);
    group.test_loss = describe(loss);
    for (size_t i = 0; i < group.layers.size(); ++i) {
      group.layers[i].dead_fraction = describe(dead[i]);
      group.layers[i].grad_norm = describe(grad[i]);
    }
  }
  return report;
}

Report load_report(const std::filesystem::path& dir, std::vector<std::string> group_by) {
  const auto file = dir / "results.db";
  if (!std::filesystem::exists(file))
    throw Error(fmt::format("{} has no results.db: is it a sweep directory (results/<sweep name>)?",
                            dir.string()));
  store::ResultsDb db(file);
  if (group_by.empty()) {
    // Written by the sweep as a JSON list of names; a database edited or damaged by hand must give
    // an error that names it, not the JSON parser's exception.
    const auto keys = nlohmann::json::parse(db.info("varied_keys").value_or("[]"), nullptr, false);
    if (!keys.is_array() || !std::all_of(keys.begin(), keys.end(),
                                         [](const nlohmann::json& k) { return k.is_string(); }))
      throw Error(fmt::format("{}: varied_keys in its info table is not a JSON list of key names",
                              file.string()));
    for (const auto& key : keys)
      if (key != "seed") group_by.push_back(key.get<std::string>());
  }
  Report report = build_report(db.runs(), group_by);
  report.title = db.info("name").value_or(dir.filename().string());
  add_statistics(report, {});
  add_figures(report, db);
  return report;
}

namespace {

std::string number(double v, const char* format) {
  return std::isfinite(v) ? fmt::format(fmt::runtime(format), v) : "-";
}

// p-values: three decimals, or two significant digits below 0.001 (a table of 0.000s says nothing).
std::string p_value(double p) {
  if (!std::isfinite(p)) return "-";
  return p >= 0.001 ? fmt::format("{:.3f}", p) : fmt::format("{:.1e}", p);
}

std::string interval(const stats::Interval& ci, const char* format) {
  if (!std::isfinite(ci.low) || !std::isfinite(ci.high)) return "-";
  return "[" + number(ci.low, format) + ", " + number(ci.high, format) + "]";
}

std::vector<std::string> layer_names_of(const Report& report) {
  std::vector<std::string> names;
  size_t count = 0;
  for (const auto& g : report.groups) {
    if (g.layers.size() > count) {
      count = g.layers.size();
      names.clear();
      for (const auto& l : g.layers) names.push_back(l.name);
    }
  }
  return names;
}

std::string baseline_label(const Report& report) {
  const auto& o = report.statistics.options;
  return report.keys.size() > 1 ? o.baseline_key + "=" + o.baseline_value : o.baseline_value;
}

std::string table_notes(const Report& report) {
  const auto& o = report.statistics.options;
  const int level = static_cast<int>(std::lround(100 * o.confidence));
  std::string notes = fmt::format(
      "Test accuracy over the completed seeds (n): mean ± sample std, {0}% Student-t interval of "
      "the mean, median, min / max; diverged runs are counted, not averaged. vs best: 'best' has "
      "the highest mean; 'n.s.' marks groups whose Welch t-test against the best has a "
      "Holm-adjusted p >= {1} (not significantly different), 'lower' those below it, '-' where the "
      "test is undefined (fewer than 2 seeds, or no variance).",
      level, o.alpha);
  if (!o.baseline_key.empty()) {
    notes += fmt::format(
        " Against {0}={1}{2}: Δ = difference of mean test accuracy with its {3}% Welch interval; "
        "p = Welch's two-sided t-test; p Holm = adjusted across the {4} comparisons; g = Hedges' "
        "g; P(X>Y) = probability that a seed of the group beats a seed of the baseline (Mann-"
        "Whitney U / (n_x n_y)) with a {3}% percentile bootstrap interval ({5} resamples, seed "
        "{6}).",
        o.baseline_key, o.baseline_value, report.keys.size() > 1 ? " with the same other keys" : "",
        level, report.statistics.comparisons, o.resamples, o.seed);
  }
  return notes;
}

}  // namespace

TextTable report_table(const Report& report) {
  const auto layer_names = layer_names_of(report);
  const bool baseline = !report.statistics.options.baseline_key.empty();
  const int level = static_cast<int>(std::lround(100 * report.statistics.options.confidence));
  TextTable table;
  table.header = report.keys.empty() ? std::vector<std::string>{"(all runs)"} : report.keys;
  table.text_columns = table.header.size();
  for (const std::string& h :
       {std::string("n"), std::string("test acc (mean ± std)"), fmt::format("{}% CI", level),
        std::string("median"), std::string("min / max")})
    table.header.push_back(h);
  if (baseline) {
    const std::string b = baseline_label(report);
    for (const std::string& h :
         {fmt::format("Δ vs {} [{}% CI]", b, level), std::string("p"), std::string("p Holm"),
          std::string("g"), fmt::format("P(X>Y) [{}% CI]", level)})
      table.header.push_back(h);
  }
  for (const char* h : {"vs best", "test loss", "diverged"}) table.header.push_back(h);
  // Regression sweeps get a `collapsed` column; classification tables stay as they were.
  const bool regression = std::any_of(report.groups.begin(), report.groups.end(),
                                      [](const Group& g) { return g.collapse_known > 0; });
  if (regression) table.header.push_back("collapsed");
  for (const auto& name : layer_names) {
    table.header.push_back(name + " dead");
    table.header.push_back(name + " |dL/dW|");
  }
  for (size_t gi = 0; gi < report.groups.size(); ++gi) {
    const Group& g = report.groups[gi];
    const GroupStatistics& s = report.statistics.groups.at(gi);
    // Shortened for reading (a 160-layer model.hidden as [128 x 160]); the CSV keeps them whole.
    std::vector<std::string> cells = {"all"};
    if (!report.keys.empty()) {
      cells.clear();
      for (const auto& value : g.key_values) cells.push_back(core::shorten_lists(value));
    }
    cells.push_back(std::to_string(g.completed));
    if (s.accuracy) {
      cells.push_back(fmt::format("{:.4f} ± {:.4f}", s.accuracy->mean, s.accuracy->std));
      cells.push_back(interval(s.accuracy->ci, "{:.4f}"));
      cells.push_back(fmt::format("{:.4f}", s.accuracy->median));
      cells.push_back(fmt::format("{:.4f} / {:.4f}", s.accuracy->min, s.accuracy->max));
    } else {
      for (int i = 0; i < 4; ++i) cells.push_back("-");
    }
    if (baseline) {
      if (const auto& c = s.versus_baseline) {
        cells.push_back(number(c->welch.difference, "{:+.4f}") + " " +
                        interval(c->welch.ci, "{:+.4f}"));
        cells.push_back(p_value(c->welch.p));
        cells.push_back(p_value(c->p_holm));
        cells.push_back(number(c->hedges_g, "{:.2f}"));
        cells.push_back(fmt::format("{:.2f} {}", c->improvement.estimate,
                                    interval(c->improvement.ci, "{:.2f}")));
      } else {
        const bool is_baseline =
            std::any_of(report.statistics.groups.begin(), report.statistics.groups.end(),
                        [&](const GroupStatistics& other) {
                          return other.versus_baseline && other.versus_baseline->baseline == gi;
                        });
        cells.push_back(is_baseline ? "(baseline)" : "-");
        for (int i = 0; i < 4; ++i) cells.push_back("-");
      }
    }
    cells.push_back(s.versus_best);
    cells.push_back(pm(g.test_loss, "{:.4f}", " ± "));
    cells.push_back(diverged_text(g));
    if (regression)
      cells.push_back(g.collapse_known > 0 ? fmt::format("{}/{}", g.collapsed, g.collapse_known)
                                           : "-");
    for (size_t i = 0; i < layer_names.size(); ++i) {
      const bool has = i < g.layers.size() && g.layers[i].dead_fraction.n > 0;
      cells.push_back(has ? fmt::format("{:.1f}%", 100.0 * g.layers[i].dead_fraction.mean) : "-");
      cells.push_back(has ? fmt::format("{:.3g}", g.layers[i].grad_norm.mean) : "-");
    }
    table.rows.push_back(cells);
  }
  table.notes = table_notes(report);
  table.caption = report.title + ": test accuracy over seeds" +
                  (baseline ? " against " + baseline_label(report) : "");
  std::string label = "tab:" + report.title;
  for (char& c : label)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != ':') c = '-';
  table.label = label;
  return table;
}

std::string report_csv(const Report& report) {
  const auto layer_names = layer_names_of(report);
  const bool baseline = !report.statistics.options.baseline_key.empty();
  std::vector<std::string> header = report.keys;
  for (const char* h : {"runs", "completed", "diverged", "failed", "test_accuracy_mean",
                        "test_accuracy_std", "test_accuracy_ci_low", "test_accuracy_ci_high",
                        "test_accuracy_median", "test_accuracy_min", "test_accuracy_max",
                        "versus_best", "p_holm_versus_best", "test_loss_mean", "test_loss_std"})
    header.push_back(h);
  const bool regression = std::any_of(report.groups.begin(), report.groups.end(),
                                      [](const Group& g) { return g.collapse_known > 0; });
  if (regression) header.push_back("collapsed");
  if (baseline)
    for (const char* h : {"baseline", "difference", "difference_ci_low", "difference_ci_high",
                          "welch_t", "welch_df", "p", "p_holm", "hedges_g", "p_improvement",
                          "p_improvement_ci_low", "p_improvement_ci_high"})
      header.push_back(h);
  for (const auto& name : layer_names) {
    header.push_back(name + "_dead_fraction");
    header.push_back(name + "_grad_norm");
  }
  auto num = [](double v) { return std::isfinite(v) ? fmt::format("{:.10g}", v) : ""; };
  std::vector<std::vector<std::string>> rows;
  for (size_t gi = 0; gi < report.groups.size(); ++gi) {
    const Group& g = report.groups[gi];
    const GroupStatistics& s = report.statistics.groups.at(gi);
    std::vector<std::string> cells = g.key_values;
    for (int64_t v : {g.runs, g.completed, g.diverged, g.failed})
      cells.push_back(std::to_string(v));
    if (s.accuracy) {
      for (double v : {s.accuracy->mean, s.accuracy->std, s.accuracy->ci.low, s.accuracy->ci.high,
                       s.accuracy->median, s.accuracy->min, s.accuracy->max})
        cells.push_back(num(v));
    } else {
      cells.insert(cells.end(), 7, "");
    }
    cells.push_back(s.versus_best == "-" ? "" : s.versus_best);
    cells.push_back(num(s.p_versus_best));
    cells.push_back(g.test_loss.n ? num(g.test_loss.mean) : "");
    cells.push_back(g.test_loss.n ? num(g.test_loss.std) : "");
    if (regression) cells.push_back(g.collapse_known > 0 ? std::to_string(g.collapsed) : "");
    if (baseline) {
      if (const auto& c = s.versus_baseline) {
        cells.push_back(core::join(report.groups[c->baseline].key_values, ","));
        for (double v : {c->welch.difference, c->welch.ci.low, c->welch.ci.high, c->welch.t,
                         c->welch.degrees_of_freedom, c->welch.p, c->p_holm, c->hedges_g,
                         c->improvement.estimate, c->improvement.ci.low, c->improvement.ci.high})
          cells.push_back(num(v));
      } else {
        cells.insert(cells.end(), 12, "");
      }
    }
    for (size_t i = 0; i < layer_names.size(); ++i) {
      const bool has = i < g.layers.size() && g.layers[i].dead_fraction.n > 0;
      cells.push_back(has ? num(g.layers[i].dead_fraction.mean) : "");
      cells.push_back(has ? num(g.layers[i].grad_norm.mean) : "");
    }
    rows.push_back(cells);
  }
  return render_csv(header, rows);
}

std::string render(const Report& report, const std::string& format, const LatexOptions& latex) {
  if (report.statistics.groups.size() != report.groups.size()) {
    // Built without add_statistics (build_report alone): the default statistics, no baseline.
    Report with_statistics = report;
    add_statistics(with_statistics, {});
    return render(with_statistics, format, latex);
  }
  if (format == "csv") return report_csv(report);
  const TextTable table = report_table(report);
  if (format == "md") return render_markdown(table);
  if (format == "latex") {
    return "% " + report.title + ": generated by actbench report (needs \\usepackage{booktabs}" +
           (latex.table_float ? " and \\usepackage{graphicx}" : "") + ")\n" +
           render_latex(table, latex);
  }
  if (format == "html") {
    std::vector<std::string> key_labels;
    for (const auto& g : report.groups)
      key_labels.push_back(
          report.keys.empty() ? "all runs" : core::shorten_lists(core::join(g.key_values, ", ")));
    return html_page(report.title, render_html_table(table), key_labels, report.figures);
  }
  throw ConfigError(SourceLocation::cli_arg(0), "unknown report format '" + format + "'",
                    "use md, csv, latex or html");
}

}  // namespace actbench::report
