// Grouping, statistics and rendering of sweep reports (see sweep_report.hpp).
#include "report/sweep_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "config/loader.hpp"
#include "core/csv.hpp"
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

std::string latex_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '_' || c == '%' || c == '&' || c == '#' || c == '$' || c == '{' || c == '}')
      out += '\\';
    out += c;
  }
  return out;
}

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else
      out += c;
  }
  return out;
}

std::string diverged_text(const Group& g) { return fmt::format("{}/{}", g.diverged, g.runs); }
std::string collapsed_text(const Group& g) {
  return g.collapse_known > 0 ? fmt::format("{}/{}", g.collapsed, g.collapse_known) : "-";
}

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
      report.groups.push_back(Group{values});
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
    for (const auto& key : nlohmann::json::parse(db.info("varied_keys").value_or("[]")))
      if (key != "seed") group_by.push_back(key.get<std::string>());
  }
  Report report = build_report(db.runs(), group_by);
  report.title = db.info("name").value_or(dir.filename().string());
  add_figures(report, db);
  return report;
}

std::string render(const Report& report, const std::string& format) {
  size_t layer_count = 0;
  std::vector<std::string> layer_names;
  for (const auto& g : report.groups) {
    if (g.layers.size() > layer_count) {
      layer_count = g.layers.size();
      layer_names.clear();
      for (const auto& l : g.layers) layer_names.push_back(l.name);
    }
  }
  std::vector<std::string> keys =
      report.keys.empty() ? std::vector<std::string>{"(all runs)"} : report.keys;
  auto key_cells = [&](const Group& g) {
    return report.keys.empty() ? std::vector<std::string>{"all"} : g.key_values;
  };
  std::string out;
  // Regression sweeps get a `collapsed` column; classification tables stay as they were.
  const bool regression = std::any_of(report.groups.begin(), report.groups.end(),
                                      [](const Group& g) { return g.collapse_known > 0; });

  if (format == "csv") {
    std::vector<std::string> header = report.keys;
    for (const char* h :
         {"runs", "completed", "diverged", "failed", "test_accuracy_mean", "test_accuracy_std",
          "test_accuracy_min", "test_accuracy_max", "test_loss_mean", "test_loss_std"})
      header.push_back(h);
    if (regression) header.push_back("collapsed");
    for (const auto& name : layer_names) {
      header.push_back(name + "_dead_fraction");
      header.push_back(name + "_grad_norm");
    }
    out += core::csv_row(header);
    for (const auto& g : report.groups) {
      std::vector<std::string> cells(g.key_values);
      cells.push_back(std::to_string(g.runs));
      cells.push_back(std::to_string(g.completed));
      cells.push_back(std::to_string(g.diverged));
      cells.push_back(std::to_string(g.failed));
      for (double v :
           {g.test_accuracy.mean, g.test_accuracy.std, g.test_accuracy.min, g.test_accuracy.max})
        cells.push_back(g.test_accuracy.n > 0 ? fmt::format("{:.6g}", v) : "");
      for (double v : {g.test_loss.mean, g.test_loss.std})
        cells.push_back(g.test_loss.n > 0 ? fmt::format("{:.6g}", v) : "");
      if (regression) cells.push_back(g.collapse_known > 0 ? std::to_string(g.collapsed) : "");
      for (size_t i = 0; i < layer_names.size(); ++i) {
        const bool has = i < g.layers.size() && g.layers[i].dead_fraction.n > 0;
        cells.push_back(has ? fmt::format("{:.6g}", g.layers[i].dead_fraction.mean) : "");
        cells.push_back(has ? fmt::format("{:.6g}", g.layers[i].grad_norm.mean) : "");
      }
      out += core::csv_row(cells);
    }
    return out;
  }

  // Rows of cells shared by the Markdown, LaTeX and HTML tables.
  std::vector<std::string> header = keys;
  for (const char* h : {"seeds", "test acc (mean ± std)", "min / max", "test loss", "diverged"})
    header.push_back(h);
  if (regression) header.push_back("collapsed");
  for (const auto& name : layer_names) {
    header.push_back(name + " dead");
    header.push_back(name + " |dL/dW|");
  }
  std::vector<std::vector<std::string>> rows;
  const bool latex = format == "latex";
  const char* separator = latex ? " $\\pm$ " : " ± ";
  for (const auto& g : report.groups) {
    std::vector<std::string> cells = key_cells(g);
    cells.push_back(std::to_string(g.completed));
    cells.push_back(pm(g.test_accuracy, "{:.4f}", separator));
    cells.push_back(g.test_accuracy.n
                        ? fmt::format("{:.4f} / {:.4f}", g.test_accuracy.min, g.test_accuracy.max)
                        : "-");
    cells.push_back(pm(g.test_loss, "{:.4f}", separator));
    cells.push_back(diverged_text(g));
    if (regression) cells.push_back(collapsed_text(g));
    for (size_t i = 0; i < layer_names.size(); ++i) {
      const bool has = i < g.layers.size() && g.layers[i].dead_fraction.n > 0;
      cells.push_back(has ? fmt::format("{:.1f}%", 100.0 * g.layers[i].dead_fraction.mean) : "-");
      cells.push_back(has ? fmt::format("{:.3g}", g.layers[i].grad_norm.mean) : "-");
    }
    rows.push_back(cells);
  }

  if (format == "md") {
    auto escape = [](std::string s) {
      for (size_t p = 0; (p = s.find('|', p)) != std::string::npos; p += 2) s.replace(p, 1, "\\|");
      return s;
    };
    std::vector<std::string> h;
    for (const auto& c : header) h.push_back(escape(c));
    out += "| " + core::join(h, " | ") + " |\n|";
    for (size_t i = 0; i < header.size(); ++i) out += i < keys.size() ? "---|" : "---:|";
    out += "\n";
    for (const auto& r : rows) {
      std::vector<std::string> e;
      for (const auto& c : r) e.push_back(escape(c));
      out += "| " + core::join(e, " | ") + " |\n";
    }
    return out;
  }
  if (format == "latex") {
    out += "% " + report.title + ": generated by actbench report (needs \\usepackage{booktabs})\n";
    out += "\\begin{tabular}{" + std::string(keys.size(), 'l') +
           std::string(header.size() - keys.size(), 'r') + "}\n\\toprule\n";
    std::vector<std::string> h;
    for (const auto& c : header) {
      std::string cell = c;
      const auto p = cell.find("±");
      if (p != std::string::npos) cell.replace(p, std::string("±").size(), "$\\pm$");
      h.push_back(latex_escape(cell.find("$\\pm$") != std::string::npos ? cell : cell));
    }
    out += core::join(h, " & ") + " \\\\\n\\midrule\n";
    for (const auto& r : rows) {
      std::vector<std::string> e;
      for (size_t i = 0; i < r.size(); ++i)
        e.push_back(r[i].find("$\\pm$") != std::string::npos ? r[i] : latex_escape(r[i]));
      out += core::join(e, " & ") + " \\\\\n";
    }
    out += "\\bottomrule\n\\end{tabular}\n";
    return out;
  }
  if (format == "html") {
    out +=
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
        html_escape(report.title) +
        " — actbench report</title>\n<style>body{font-family:sans-serif;margin:2em;color:#222}"
        "table{border-collapse:collapse;font-size:14px}th,td{padding:4px 10px;border-bottom:1px "
        "solid #ddd}"
        "th{background:#f3f3f3;text-align:left}td.num{text-align:right;font-variant-numeric:"
        "tabular-nums}"
        ".key span{display:inline-block;margin:2px 14px 2px 0;font-size:13px}"
        ".key i{display:inline-block;width:22px;height:4px;margin-right:6px;vertical-align:middle}"
        "</style></head><body>\n<h1>" +
        html_escape(report.title) + "</h1>\n<table>\n<tr>";
    for (const auto& c : header) out += "<th>" + html_escape(c) + "</th>";
    out += "</tr>\n";
    for (const auto& r : rows) {
      out += "<tr>";
      for (size_t i = 0; i < r.size(); ++i)
        out += std::string(i < keys.size() ? "<td>" : "<td class=\"num\">") + html_escape(r[i]) +
               "</td>";
      out += "</tr>\n";
    }
    out +=
        "</table>\n<p>Mean ± sample standard deviation over the completed seeds; diverged runs are "
        "counted, not averaged.</p>\n";
    if (!report.figures.empty() && report.groups.size() > kMaxInChartLegend) {
      out += "<p class=\"key\">";
      for (size_t g = 0; g < report.groups.size(); ++g) {
        const auto& palette = default_palette();
        out += "<span><i style=\"background:" + palette[g % palette.size()] + "\"></i>" +
               html_escape(core::join(report.groups[g].key_values, ", ")) + "</span> ";
      }
      out += "</p>\n";
    }
    for (const auto& figure : report.figures) {
      out += "<figure id=\"" + figure.name + "\">\n" + figure.svg + "\n<figcaption>" +
             html_escape(figure.caption) + "</figcaption></figure>\n";
    }
    out += "</body></html>\n";
    return out;
  }
  throw ConfigError(SourceLocation::cli_arg(0), "unknown report format '" + format + "'",
                    "use md, csv, latex or html");
}

}  // namespace actbench::report
