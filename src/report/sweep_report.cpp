// Grouping, statistics and rendering of sweep reports (see sweep_report.hpp).
#include "report/sweep_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "config/loader.hpp"
#include "core/display.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"
#include "plot/svg_plot.hpp"

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
  s.std = s.n > 1 ? std::sqrt(squares / (s.n - 1)) : std::numeric_limits<double>::quiet_NaN();
  s.min = *std::min_element(values.begin(), values.end());
  s.max = *std::max_element(values.begin(), values.end());
  return s;
}

const std::vector<Metric>& report_metrics() {
  static const std::vector<Metric> metrics = {
      {"test_accuracy", "test accuracy", "test acc", "{:.4f}", true, true, "test_accuracy"},
      {"test_loss", "test loss", "test loss", "{:.4g}", false, false, "test_loss"},
      // A regression run's test loss is its MSE, epoch by epoch.
      {"test_mse", "test MSE", "test MSE", "{:.4g}", false, false, "test_loss"},
      {"psnr", "PSNR (dB)", "PSNR (dB)", "{:.2f}", true, false, "test_psnr"},
      // 1 for a run whose output collapsed to a constant, 0 for one that did not: the mean is the
      // collapsed share.
      {"collapsed", "collapsed share", "collapsed share", "{:.2f}", false, true, ""}};
  return metrics;
}

const Metric& metric_named(const std::string& name, const SourceLocation& where) {
  std::vector<std::string> names;
  for (const auto& m : report_metrics()) {
    if (m.name == name) return m;
    names.push_back(m.name);
  }
  throw ConfigError(where, fmt::format("unknown report metric '{}'", name),
                    "use one of: " + core::join(names, ", "));
}

std::optional<double> metric_value(const store::RunRow& run, const Metric& metric) {
  if (metric.name == "test_accuracy") return run.test_accuracy;
  if (metric.name == "test_loss") return run.test_loss;
  if (metric.name == "test_mse") return run.test_mse;
  if (metric.name == "psnr") return run.psnr;
  if (metric.name == "collapsed" && run.collapsed) return *run.collapsed ? 1.0 : 0.0;
  return std::nullopt;
}

namespace {

// The keys a run can be grouped by, for suggestions: its sweep parameters and every dotted key of
// its config below the top-level sections (a section name such as "model" would be suggested for
// any misspelt key in it, since it is a prefix of them all).
std::vector<std::string> group_keys_of(const store::RunRow& run) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : run.params) keys.push_back(key);
  std::vector<std::pair<std::string, const nlohmann::json*>> pending;
  const auto config = nlohmann::json::parse(run.config_json, nullptr, false);
  pending.emplace_back("", &config);
  while (!pending.empty()) {
    const auto [prefix, node] = pending.back();
    pending.pop_back();
    if (!prefix.empty() && (prefix.find('.') != std::string::npos || !node->is_object()))
      keys.push_back(prefix);
    if (node->is_object())
      for (const auto& [key, value] : node->items())
        pending.emplace_back(prefix.empty() ? key : prefix + "." + key, &value);
  }
  return keys;
}

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
                      fmt::format("no config key '{}' to group by{}", key,
                                  core::did_you_mean(key, group_keys_of(run))),
                      "use dotted keys of the config, e.g. model.activation or optim.lr");
  }
  return value;
}

// A sample standard deviation needs two values: one run has none, and the cell says so ("-")
// rather than showing 0, which would read as "no spread".
std::string pm(const Stat& s, const char* format, const char* separator) {
  if (s.n == 0 || !std::isfinite(s.mean)) return "-";
  const std::string mean = fmt::format(fmt::runtime(format), s.mean);
  if (s.n < 2 || !std::isfinite(s.std)) return mean + separator + "-";
  return mean + separator + fmt::format(fmt::runtime(format), s.std);
}

std::string diverged_text(const Group& g) { return fmt::format("{}/{}", g.diverged, g.runs); }

}  // namespace

Report build_report(const std::vector<store::RunRow>& runs, const std::vector<std::string>& keys,
                    const std::string& metric, const SourceLocation& where) {
  Report report;
  report.keys = keys;
  // Regression runs have an MSE (or a collapse verdict) and no accuracy.
  bool any_accuracy = false, any_regression = false;
  for (const auto& run : runs) {
    any_accuracy = any_accuracy || run.test_accuracy.has_value();
    any_regression = any_regression || run.test_mse.has_value() || run.collapsed.has_value();
  }
  report.regression = any_regression && !any_accuracy;
  report.metric = metric_named(
      metric.empty() ? (report.regression ? "test_mse" : "test_accuracy") : metric, where);
  if (!metric.empty()) {
    // A chosen metric that no completed run has would give a table of dashes: say which they have.
    std::vector<std::string> present;
    for (const auto& m : report_metrics())
      for (const auto& run : runs)
        if (run.status == core::RunStatus::kCompleted && metric_value(run, m)) {
          present.push_back(m.name);
          break;
        }
    if (std::find(present.begin(), present.end(), report.metric.name) == present.end() &&
        !present.empty())
      throw ConfigError(where, fmt::format("no completed run has {}", report.metric.name),
                        "these runs have: " + core::join(present, ", "));
  }
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
    std::vector<double> accuracy, loss, mse, psnr;
    std::vector<std::vector<double>> dead, grad;
    for (const auto* run : members[g]) {
      ++group.runs;
      if (run->status == core::RunStatus::kCompleted) {
        ++group.completed;
        group.run_ids.push_back(run->run_id);
        if (run->test_accuracy) accuracy.push_back(*run->test_accuracy);
        if (const auto value = metric_value(*run, report.metric)) {
          group.values.push_back(*value);
          group.seeds.push_back(run->seed);
        }
        if (run->test_loss) loss.push_back(*run->test_loss);
        if (run->test_mse) mse.push_back(*run->test_mse);
        if (run->psnr) psnr.push_back(*run->psnr);
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
    group.test_mse = describe(mse);
    group.psnr = describe(psnr);
    for (size_t i = 0; i < group.layers.size(); ++i) {
      group.layers[i].dead_fraction = describe(dead[i]);
      group.layers[i].grad_norm = describe(grad[i]);
    }
  }
  return report;
}

namespace {

// Why `dir` cannot be reported and what to give instead: a run's own directory, a folder of single
// runs (results/, results/runs/) and a folder of sweeps are what users try first.
std::string not_a_sweep_message(const std::filesystem::path& dir) {
  std::error_code error;
  if (!std::filesystem::exists(dir, error))
    return fmt::format("{} does not exist: give a sweep's directory (results/<sweep name>)",
                       dir.string());
  if (std::filesystem::exists(dir / "summary.json", error))
    return fmt::format(
        "{} is a single run, not a sweep: report groups the runs of a sweep over seeds (it reads "
        "the sweep's results.db). This run's results are in {}/summary.json and metrics.csv; to "
        "report over seeds, sweep its config: actbench sweep {}/config.yaml seed=0,1,2 (then "
        "actbench report results/<name>)",
        dir.string(), dir.string(), dir.string());
  std::vector<std::string> sweeps;
  size_t runs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (std::filesystem::exists(entry.path() / "results.db", error))
      sweeps.push_back(entry.path().string());
    if (std::filesystem::exists(entry.path() / "summary.json", error)) ++runs;
    if (entry.path().filename() == "runs")
      for (const auto& run : std::filesystem::directory_iterator(entry.path(), error))
        if (std::filesystem::exists(run.path() / "summary.json", error)) ++runs;
  }
  std::sort(sweeps.begin(), sweeps.end());
  if (!sweeps.empty()) {
    const size_t shown = std::min<size_t>(sweeps.size(), 4);
    return fmt::format(
        "{} holds sweeps, not one: report each (actbench report {}){}", dir.string(),
        sweeps.front(),
        fmt::format(
            ", or several with --aggregate; its sweeps: {}{}",
            core::join(std::vector<std::string>(sweeps.begin(), sweeps.begin() + shown), ", "),
            sweeps.size() > shown ? ", ..." : ""));
  }
  if (runs > 0)
    return fmt::format(
        "{} holds {} single run{} (from `actbench run`), not a sweep: report reads a sweep's "
        "results.db. Each run's results are in its summary.json; to compare runs over seeds, run "
        "them as a sweep: actbench sweep CONFIG seed=0,1,2",
        dir.string(), runs, runs == 1 ? "" : "s");
  return fmt::format("{} has no results.db: is it a sweep directory (results/<sweep name>)?",
                     dir.string());
}

}  // namespace

Report load_report(const std::filesystem::path& dir, std::vector<std::string> group_by,
                   const std::string& metric, const SourceLocation& where) {
  const auto file = dir / "results.db";
  if (!std::filesystem::exists(file)) throw Error(not_a_sweep_message(dir));
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
  Report report = build_report(db.runs(), group_by, metric, where);
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

// "P(X>Y)", or "P(X<Y)" where lower is better: the probability that a group's seed beats one of
// the baseline.
std::string improvement_header(const Metric& metric) {
  return metric.higher_is_better ? "P(X>Y)" : "P(X<Y)";
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The columns that compare a group with the baseline, in the order of `all`.
const std::vector<std::string>& baseline_columns() {
  static const std::vector<std::string> names{"delta",  "delta_ci", "p",
                                              "p_holm", "hedges_g", "p_improvement"};
  return names;
}

// The notes under the table say how to read the columns it shows, and only those: a paper's
// caption should not explain a median it does not print.
std::string table_notes(const Report& report, const std::vector<std::string>& columns) {
  const auto& o = report.statistics.options;
  const Metric& m = report.metric;
  const int level = static_cast<int>(std::lround(100 * o.confidence));
  auto shown = [&](const char* name) { return contains(columns, name); };
  std::string label = m.label;
  label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
  std::vector<std::string> values;
  if (shown("mean_ci"))
    values.push_back(fmt::format("mean [{}% Student-t interval of the mean]", level));
  if (shown("mean_std")) values.push_back("mean ± sample std ('-' for one seed)");
  if (shown("ci")) values.push_back(fmt::format("{}% Student-t interval of the mean", level));
  if (shown("median")) values.push_back("median");
  if (shown("min_max")) values.push_back("min / max");
  std::string notes = label + " over the completed seeds (n)";
  if (!values.empty()) notes += ": " + core::join(values, ", ");
  int64_t diverged = 0, runs = 0;
  for (const auto& g : report.groups) {
    diverged += g.diverged;
    runs += g.runs;
  }
  // A diverged run has no final value: the reader must learn that it was left out.
  if (shown("diverged"))
    notes += "; diverged runs are counted, not averaged.";
  else if (diverged > 0)
    notes += fmt::format("; {} of {} runs diverged and are not averaged.", diverged, runs);
  else
    notes += "; no run diverged.";
  if (shown("vs_best"))
    notes += fmt::format(
        " vs best: 'best' has the {1} mean; 'n.s.' marks groups whose Welch t-test against the "
        "best has a Holm-adjusted p >= {0} (not significantly different), '{2}' those {3} it, '-' "
        "where the test is undefined (fewer than 2 seeds, or no variance).",
        o.alpha, m.higher_is_better ? "highest" : "lowest", m.higher_is_better ? "lower" : "higher",
        m.higher_is_better ? "below" : "above");
  if (shown("collapsed"))
    notes +=
        " Collapsed: completed runs whose output collapsed to a constant, of those that "
        "report it.";
  if (!o.baseline_key.empty()) {
    std::vector<std::string> parts;
    if (shown("delta_ci"))
      parts.push_back(
          fmt::format("Δ = difference of mean {} with its {}% Welch interval", m.label, level));
    else if (shown("delta"))
      parts.push_back("Δ = difference of mean " + m.label);
    if (shown("p")) parts.push_back("p = Welch's two-sided t-test");
    if (shown("p_holm"))
      parts.push_back(
          fmt::format("p Holm = {} across the {} comparisons",
                      shown("p") ? "adjusted" : "Welch's two-sided t-test, Holm-adjusted",
                      report.statistics.comparisons));
    if (shown("hedges_g")) parts.push_back("g = Hedges' g");
    if (shown("p_improvement"))
      parts.push_back(fmt::format(
          "{0} = probability that a seed of the group beats ({1}) a seed of the baseline (Mann-"
          "Whitney U / (n_x n_y)) with a {2}% percentile bootstrap interval ({3} resamples, seed "
          "{4})",
          improvement_header(m), m.higher_is_better ? "a higher value" : "a lower value", level,
          o.resamples, o.seed));
    notes += fmt::format(
        " Against {}={}{}: {}; '-' where a comparison is undefined (fewer than 2 seeds in either "
        "group, or no variance).",
        o.baseline_key, o.baseline_value, report.keys.size() > 1 ? " with the same other keys" : "",
        core::join(parts, "; "));
  }
  return notes;
}

}  // namespace

namespace {

// The summary values that can be shown beside the metric, each a mean ± std column (and two CSV
// columns): test accuracy, test loss, test MSE and PSNR; the column name is the CSV's prefix.
struct ExtraColumn {
  std::string header, csv_name, format;
  Stat Group::*stat;
};

const std::vector<ExtraColumn>& known_extra_columns() {
  static const std::vector<ExtraColumn> columns{
      {"test acc", "test_accuracy", "{:.4f}", &Group::test_accuracy},
      {"test loss", "test_loss", "{:.4f}", &Group::test_loss},
      {"test MSE", "test_mse", "{:.4g}", &Group::test_mse},
      {"PSNR (dB)", "psnr", "{:.2f}", &Group::psnr}};
  return columns;
}

bool any_value(const Report& report, Stat Group::*stat) {
  return std::any_of(report.groups.begin(), report.groups.end(),
                     [&](const Group& g) { return (g.*stat).n > 0; });
}

// The extra columns the full table shows, where some group has them: test accuracy when it is
// not the metric, the test loss of classification runs (a regression run's test loss is its
// MSE), test MSE and PSNR.
std::vector<ExtraColumn> extra_columns(const Report& report) {
  std::vector<ExtraColumn> out;
  const std::string& metric = report.metric.name;
  for (const auto& extra : known_extra_columns()) {
    if (extra.csv_name == metric) continue;
    const bool shown = extra.csv_name == "test_loss" ? !any_value(report, &Group::test_mse)
                                                     : any_value(report, extra.stat);
    if (shown) out.push_back(extra);
  }
  return out;
}

bool has_collapse(const Report& report) {
  return std::any_of(report.groups.begin(), report.groups.end(),
                     [](const Group& g) { return g.collapse_known > 0; });
}

// The chosen columns with `compact` and `all` expanded, each once (where it is first named).
// A column the report cannot fill is a ConfigError at choice.where rather than a column of dashes.
std::vector<std::string> resolve_columns(const Report& report, const ColumnChoice& choice) {
  const bool baseline = !report.statistics.options.baseline_key.empty();
  const bool layers = !layer_names_of(report).empty();
  std::vector<std::string> out;
  auto add = [&](const std::string& name) {
    if (!contains(out, name)) out.push_back(name);
  };
  for (const auto& name : choice.names) {
    if (name == "all") {
      for (const char* c : {"n", "mean_std", "ci", "median", "min_max"}) add(c);
      if (baseline)
        for (const char* c : {"delta_ci", "p", "p_holm", "hedges_g", "p_improvement"}) add(c);
      add("vs_best");
      for (const auto& extra : extra_columns(report)) add(extra.csv_name);
      add("diverged");
      if (has_collapse(report)) add("collapsed");
      if (layers) add("layers");
    } else if (name == "compact") {
      // What a paper prints: the value with its interval and, against a baseline, the difference,
      // its corrected p and the effect size; failures only where there are some.
      add("n");
      add("mean_ci");
      if (baseline)
        for (const char* c : {"delta", "p_holm", "hedges_g"}) add(c);
      else
        add("vs_best");
      if (std::any_of(report.groups.begin(), report.groups.end(),
                      [](const Group& g) { return g.diverged > 0; }))
        add("diverged");
      if (std::any_of(report.groups.begin(), report.groups.end(),
                      [](const Group& g) { return g.collapsed > 0; }))
        add("collapsed");
    } else {
      if (contains(baseline_columns(), name) && !baseline)
        throw ConfigError(choice.where,
                          fmt::format("report column '{}' compares with a baseline", name),
                          "add --baseline KEY=VALUE, e.g. --baseline model.activation=relu");
      for (const auto& extra : known_extra_columns())
        if (extra.csv_name == name && !any_value(report, extra.stat))
          throw ConfigError(choice.where,
                            fmt::format("report column '{}': no completed run has it", name),
                            "choose columns these runs have (--columns all shows them)");
      if (name == "collapsed" && !has_collapse(report))
        throw ConfigError(choice.where,
                          "report column 'collapsed': no run says whether its output collapsed",
                          "regression runs do; --columns all shows what these runs have");
      if ((name == "layers" || name == "dead" || name == "grad_norm") && !layers)
        throw ConfigError(
            choice.where,
            fmt::format("report column '{}': the runs recorded no hidden layers", name),
            "--columns all shows what these runs have");
      add(name);
    }
  }
  if (baseline && std::none_of(out.begin(), out.end(), [](const std::string& name) {
        return contains(baseline_columns(), name);
      }))
    throw ConfigError(choice.where, "--baseline is given but none of the columns compares with it",
                      "add one of " + core::join(baseline_columns()) + ", or leave --baseline out");
  return out;
}

}  // namespace

TextTable report_table(const Report& report, const ColumnChoice& choice) {
  const auto layer_names = layer_names_of(report);
  const Metric& metric = report.metric;
  const char* format = metric.format.c_str();
  const std::string signed_format = "{:+" + metric.format.substr(2);
  const bool baseline = !report.statistics.options.baseline_key.empty();
  const int level = static_cast<int>(std::lround(100 * report.statistics.options.confidence));
  const std::vector<std::string> columns = resolve_columns(report, choice);
  const std::string b = baseline ? baseline_label(report) : "";

  // Every column the report can show, each with its header(s) and its cells per group; the table
  // takes the chosen ones in the chosen order.
  std::map<std::string, std::vector<std::string>> headers{
      {"n", {"n"}},
      {"mean_ci", {fmt::format("{} [{}% CI]", metric.header, level)}},
      {"mean_std", {metric.header + " (mean ± std)"}},
      {"ci", {fmt::format("{}% CI", level)}},
      {"median", {"median"}},
      {"min_max", {"min / max"}},
      {"delta", {"Δ vs " + b}},
      {"delta_ci", {fmt::format("Δ vs {} [{}% CI]", b, level)}},
      {"p", {"p"}},
      {"p_holm", {"p Holm"}},
      {"hedges_g", {"g"}},
      {"p_improvement", {fmt::format("{} [{}% CI]", improvement_header(metric), level)}},
      {"vs_best", {"vs best"}},
      {"diverged", {"diverged"}},
      {"collapsed", {"collapsed"}}};
  for (const auto& extra : known_extra_columns()) headers[extra.csv_name] = {extra.header};
  for (const auto& name : layer_names) {
    headers["layers"].push_back(name + " dead");
    headers["layers"].push_back(name + " |dL/dW|");
    headers["dead"].push_back(name + " dead");
    headers["grad_norm"].push_back(name + " |dL/dW|");
  }

  TextTable table;
  table.header = report.keys.empty() ? std::vector<std::string>{"(all runs)"} : report.keys;
  table.text_columns = table.header.size();
  for (const auto& name : columns)
    for (const auto& h : headers.at(name)) table.header.push_back(h);

  for (size_t gi = 0; gi < report.groups.size(); ++gi) {
    const Group& g = report.groups[gi];
    const GroupStatistics& s = report.statistics.groups.at(gi);
    std::map<std::string, std::vector<std::string>> cells;
    cells["n"] = {std::to_string(g.completed)};
    if (s.summary) {
      const auto& summary = *s.summary;
      cells["mean_ci"] = {number(summary.mean, format) + " " +
                          (summary.n > 1 ? interval(summary.ci, format) : "[-]")};
      cells["mean_std"] = {pm(Stat{summary.n, summary.mean, summary.std, 0.0, 0.0}, format, " ± ")};
      cells["ci"] = {interval(summary.ci, format)};
      cells["median"] = {number(summary.median, format)};
      cells["min_max"] = {number(summary.min, format) + " / " + number(summary.max, format)};
    }
    if (const auto& c = s.versus_baseline) {
      cells["delta"] = {number(c->welch.difference, signed_format.c_str())};
      cells["delta_ci"] = {number(c->welch.difference, signed_format.c_str()) + " " +
                           interval(c->welch.ci, signed_format.c_str())};
      cells["p"] = {p_value(c->welch.p)};
      cells["p_holm"] = {p_value(c->p_holm)};
      cells["hedges_g"] = {number(c->hedges_g, "{:.2f}")};
      cells["p_improvement"] = {number(c->improvement.estimate, "{:.2f}") + " " +
                                interval(c->improvement.ci, "{:.2f}")};
    } else if (std::any_of(report.statistics.groups.begin(), report.statistics.groups.end(),
                           [&](const GroupStatistics& other) {
                             return other.versus_baseline && other.versus_baseline->baseline == gi;
                           })) {
      // The first comparison column shown says which row the others are compared with.
      for (const auto& name : columns)
        if (contains(baseline_columns(), name)) {
          cells[name] = {"(baseline)"};
          break;
        }
    }
    cells["vs_best"] = {s.versus_best};
    for (const auto& extra : known_extra_columns())
      cells[extra.csv_name] = {pm(g.*extra.stat, extra.format.c_str(), " ± ")};
    cells["diverged"] = {diverged_text(g)};
    cells["collapsed"] = {g.collapse_known > 0 ? fmt::format("{}/{}", g.collapsed, g.collapse_known)
                                               : "-"};
    for (size_t i = 0; i < layer_names.size(); ++i) {
      const bool has = i < g.layers.size() && g.layers[i].dead_fraction.n > 0;
      const std::string dead =
          has ? fmt::format("{:.1f}%", 100.0 * g.layers[i].dead_fraction.mean) : "-";
      const std::string grad = has ? fmt::format("{:.3g}", g.layers[i].grad_norm.mean) : "-";
      cells["layers"].push_back(dead);
      cells["layers"].push_back(grad);
      cells["dead"].push_back(dead);
      cells["grad_norm"].push_back(grad);
    }

    // Shortened for reading (a 160-layer model.hidden as [128 x 160]); the CSV keeps them whole.
    std::vector<std::string> row = {"all"};
    if (!report.keys.empty()) {
      row.clear();
      for (const auto& value : g.key_values) row.push_back(core::readable_value(value));
    }
    for (const auto& name : columns) {
      const auto& values = cells[name];
      for (size_t i = 0; i < headers.at(name).size(); ++i)
        row.push_back(i < values.size() ? values[i] : "-");
    }
    table.rows.push_back(row);
  }
  table.notes = table_notes(report, columns);
  table.caption = report.title + ": " + metric.label + " over seeds" +
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
  const std::string& m = report.metric.name;
  const auto extras = extra_columns(report);
  std::vector<std::string> header = report.keys;
  for (const char* h : {"runs", "completed", "diverged", "failed"}) header.push_back(h);
  for (const char* suffix : {"_mean", "_std", "_ci_low", "_ci_high", "_median", "_min", "_max"})
    header.push_back(m + suffix);
  header.push_back("versus_best");
  header.push_back("p_holm_versus_best");
  for (const auto& extra : extras) {
    header.push_back(extra.csv_name + "_mean");
    header.push_back(extra.csv_name + "_std");
  }
  const bool collapse = has_collapse(report);
  if (collapse) header.push_back("collapsed");
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
  constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::vector<std::string>> rows;
  for (size_t gi = 0; gi < report.groups.size(); ++gi) {
    const Group& g = report.groups[gi];
    const GroupStatistics& s = report.statistics.groups.at(gi);
    std::vector<std::string> cells = g.key_values;
    for (int64_t v : {g.runs, g.completed, g.diverged, g.failed})
      cells.push_back(std::to_string(v));
    if (s.summary) {
      const double std = s.summary->n > 1 ? s.summary->std : kUndefined;
      for (double v : {s.summary->mean, std, s.summary->ci.low, s.summary->ci.high,
                       s.summary->median, s.summary->min, s.summary->max})
        cells.push_back(num(v));
    } else {
      cells.insert(cells.end(), 7, "");
    }
    cells.push_back(s.versus_best == "-" ? "" : s.versus_best);
    cells.push_back(num(s.p_versus_best));
    for (const auto& extra : extras) {
      const Stat& stat = g.*extra.stat;
      cells.push_back(stat.n ? num(stat.mean) : "");
      cells.push_back(stat.n ? num(stat.std) : "");
    }
    if (collapse) cells.push_back(g.collapse_known > 0 ? std::to_string(g.collapsed) : "");
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

std::string render(const Report& report, const std::string& format, const LatexOptions& latex,
                   const ColumnChoice& columns) {
  if (report.statistics.groups.size() != report.groups.size()) {
    // Built without add_statistics (build_report alone): the default statistics, no baseline.
    Report with_statistics = report;
    add_statistics(with_statistics, {});
    return render(with_statistics, format, latex, columns);
  }
  if (format == "csv") return report_csv(report);
  const TextTable table = report_table(report, columns);
  if (format == "md") return render_markdown(table);
  if (format == "latex") {
    // A comment ends at a line break: the title (a sweep's name) is kept to one line.
    return "% " + core::single_line(report.title) +
           ": generated by actbench report (needs \\usepackage{booktabs}" +
           (latex.table_float ? " and \\usepackage{graphicx}" : "") + ")\n" +
           render_latex(table, latex);
  }
  if (format == "html") {
    std::vector<std::string> key_labels;
    for (const auto& g : report.groups)
      key_labels.push_back(
          report.keys.empty() ? "all runs" : core::readable_value(core::join(g.key_values, ", ")));
    return html_page(report.title, render_html_table(table), key_labels, report.figures);
  }
  throw ConfigError(SourceLocation::cli_arg(0), "unknown report format '" + format + "'",
                    "use md, csv, latex or html");
}

}  // namespace actbench::report
