// `actbench activations`: resolves the listed activations, computes their properties, formats the
// table and writes the plots (see activations_command.hpp).
#include "app/activations_command.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "catalogue/activation_theory.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"
#include "plot/svg_plot.hpp"
#include "report/activation_plots.hpp"

namespace actbench::app {

using nlohmann::ordered_json;

namespace {

// Command-line values have no file position; "<cli>" still tells the user where to look.
const SourceLocation kCli = [] {
  SourceLocation where;
  where.file = "<cli>";
  return where;
}();

std::vector<std::string> split_names(const std::vector<std::string>& items) {
  std::vector<std::string> names;
  for (const auto& item : items) {
    size_t start = 0;
    while (start <= item.size()) {
      const size_t comma = std::min(item.find(',', start), item.size());
      if (comma > start) names.push_back(item.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return names;
}

std::vector<model::ResolvedActivation> resolve_all(const std::vector<std::string>& names) {
  std::vector<model::ResolvedActivation> out;
  for (const auto& name : split_names(names)) out.push_back(model::default_activation(name, kCli));
  return out;
}

// Numbers for people: four significant digits, no "-0".
std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "∞" : "-∞";
  std::string s = fmt::format("{:.4g}", v);
  return s == "-0" ? "0" : s;
}

// Positions on the x axis are located to about 1e-4 on the grid; print them to 1e-3, so a kink
// found at 5e-05 reads 0.
std::string position(double x) {
  if (std::isinf(x)) return x > 0 ? "∞" : "-∞";
  const double rounded = std::round(x * 1000.0) / 1000.0;
  return number(rounded == 0.0 ? 0.0 : rounded);
}

std::string fixed(double v) {
  std::string s = fmt::format("{:.4f}", v);
  return s == "-0.0000" ? "0.0000" : s;
}

std::string range_cell(const model::ActivationProperties& p) {
  const std::string lo = p.lower.bounded ? number(p.lower.value) : "-∞";
  const std::string hi = p.upper.bounded ? number(p.upper.value) : "∞";
  return fmt::format("{}{}, {}{}", p.lower.attained ? "[" : "(", lo, hi,
                     p.upper.attained ? "]" : ")");
}

std::string max_derivative_cell(const model::ActivationProperties& p) {
  if (std::isinf(p.max_derivative_x))
    return fmt::format("{} as x → {}", number(p.max_abs_derivative), position(p.max_derivative_x));
  if (p.max_derivative_from == p.max_derivative_to)
    return fmt::format("{} at {}", number(p.max_abs_derivative), position(p.max_derivative_x));
  return fmt::format("{} on {}{}, {}{}", number(p.max_abs_derivative),
                     std::isinf(p.max_derivative_from) ? "(" : "[", position(p.max_derivative_from),
                     position(p.max_derivative_to), std::isinf(p.max_derivative_to) ? ")" : "]");
}

std::string kinks_list(const model::ActivationProperties& p) {
  std::vector<std::string> kinks;
  for (double x : p.kinks) kinks.push_back(position(x));
  return core::join(kinks);
}

std::string saturation_cell(const model::ActivationProperties& p) {
  if (p.saturates_left && p.saturates_right) return "both";
  if (p.saturates_left) return "left";
  if (p.saturates_right) return "right";
  return "no";
}

std::string sparse_cell(const model::ActivationProperties& p) {
  if (!p.sparse) return "no";
  return fmt::format("f = 0 for x {} {}", p.sparse_on_right ? "≥" : "≤",
                     position(p.sparse_threshold));
}

const model::ActivationEntry& entry_of(const model::ActivationProperties& p) {
  return model::ActivationRegistry::instance().get(p.name, kCli);
}

// JSON has no infinity: an unbounded side is "bounded": false with a null value.
ordered_json bound_json(const model::RangeBound& b) {
  return {{"bounded", b.bounded},
          {"value", b.bounded ? ordered_json(b.value) : ordered_json(nullptr)},
          {"attained", b.attained}};
}

ordered_json finite_or_null(double v) { return std::isfinite(v) ? ordered_json(v) : nullptr; }

// `theories`, when given, holds each row's mean-field `theory` section (one per row).
std::string json_table(const std::vector<model::ActivationProperties>& rows,
                       const std::vector<ordered_json>& theories = {}) {
  ordered_json out = ordered_json::array();
  for (const auto& p : rows) {
    const model::ActivationEntry& entry = entry_of(p);
    out.push_back({
        {"name", p.name},
        {"aliases", entry.aliases},
        {"parameters", p.parameters},
        {"description", entry.description},
        {"precision", p.precision},
        {"elementwise", p.elementwise},
        {"note", p.note},
        {"range", {{"lower", bound_json(p.lower)}, {"upper", bound_json(p.upper)}}},
        {"value_at_zero", p.value_at_zero},
        {"max_abs_derivative",
         {{"value", p.max_abs_derivative},
          // null for infinity: approached far out, or a stretch without an end
          {"x", finite_or_null(p.max_derivative_x)},
          {"from", finite_or_null(p.max_derivative_from)},
          {"to", finite_or_null(p.max_derivative_to)}}},
        {"derivative_at_zero", p.derivative_at_zero},
        {"monotonic", p.monotonic},
        {"zero_centred", p.zero_centred},
        {"odd", p.odd},
        {"smooth", p.smooth},
        {"kinks", p.kinks},
        {"saturates_left", p.saturates_left},
        {"saturates_right", p.saturates_right},
        {"sparse", p.sparse},
        {"sparse_region", p.sparse ? ordered_json{{"side", p.sparse_on_right ? "right" : "left"},
                                                  {"threshold", p.sparse_threshold}}
                                   : ordered_json(nullptr)},
        // f' = 0 by definition on x <= below / x >= above (null: no such half-line): where a
        // unit is structurally dead, as the dying-ReLU probes count it.
        {"zero_derivative_half_lines",
         {{"below", finite_or_null(p.flat_below)}, {"above", finite_or_null(p.flat_above)}}},
        {"normal_input", {{"mean", p.mean}, {"variance", p.variance}}},
        {"gain", p.gain},
        {"gain_source", entry.gain_source},
    });
    if (!theories.empty()) out.back()["theory"] = theories[out.size() - 1];
  }
  return out.dump(2) + "\n";
}

// Full precision; inf and -inf as spreadsheets and pandas read them.
std::string csv_number(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{:.10g}", v);
}

std::string csv_table(const std::vector<model::ActivationProperties>& rows) {
  std::string out =
      "name,parameters,precision,elementwise,lower,lower_attained,upper,upper_attained,"
      "value_at_zero,max_abs_derivative,max_derivative_x,max_derivative_from,max_derivative_to,"
      "derivative_at_zero,monotonic,zero_centred,odd,smooth,kinks,saturates_left,"
      "saturates_right,sparse,sparse_side,sparse_threshold,mean,variance,gain,gain_source,"
      "aliases,description,note\n";
  auto flag = [](bool b) { return b ? "true" : "false"; };
  for (const auto& p : rows) {
    const model::ActivationEntry& entry = entry_of(p);
    std::vector<std::string> kinks;
    for (double x : p.kinks) kinks.push_back(csv_number(x));
    out += core::csv_row({p.name,
                          p.parameters,
                          p.precision,
                          flag(p.elementwise),
                          csv_number(p.lower.bounded ? p.lower.value : -INFINITY),
                          flag(p.lower.attained),
                          csv_number(p.upper.bounded ? p.upper.value : INFINITY),
                          flag(p.upper.attained),
                          csv_number(p.value_at_zero),
                          csv_number(p.max_abs_derivative),
                          csv_number(p.max_derivative_x),
                          csv_number(p.max_derivative_from),
                          csv_number(p.max_derivative_to),
                          csv_number(p.derivative_at_zero),
                          flag(p.monotonic),
                          flag(p.zero_centred),
                          flag(p.odd),
                          flag(p.smooth),
                          core::join(kinks, ";"),
                          flag(p.saturates_left),
                          flag(p.saturates_right),
                          flag(p.sparse),
                          p.sparse ? (p.sparse_on_right ? "right" : "left") : "",
                          p.sparse ? csv_number(p.sparse_threshold) : "",
                          csv_number(p.mean),
                          csv_number(p.variance),
                          csv_number(p.gain),
                          entry.gain_source,
                          core::join(entry.aliases, ";"),
                          entry.description,
                          p.note});
  }
  return out;
}

std::string markdown_table(const std::vector<model::ActivationProperties>& rows) {
  std::string out =
      "| activation | range | max \\|f'\\| | f'(0) | monotonic | zero-centred | smooth | "
      "saturates | sparse | E[f(z)] | Var[f(z)] |\n"
      "|---|---|---|---:|---|---|---|---|---|---:|---:|\n";
  std::vector<std::string> notes;
  for (const auto& p : rows) {
    const std::string marker = p.note.empty() ? "" : " *";
    if (!p.note.empty()) notes.push_back(fmt::format("\\* {}: {}.", p.name, p.note));
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {}{} | {}{} |\n", p.name,
                       range_cell(p), max_derivative_cell(p), number(p.derivative_at_zero),
                       p.monotonic ? "yes" : "no", p.odd ? "odd" : (p.zero_centred ? "yes" : "no"),
                       p.smooth ? "yes" : fmt::format("no, kinks at {}", kinks_list(p)),
                       saturation_cell(p), sparse_cell(p), fixed(p.mean), marker, fixed(p.variance),
                       marker);
  }
  out +=
      "\nComputed from each module in eval mode (float64, autograd for f') on x in [-20, 20] in "
      "steps of 1e-4 and at |x| = 1e2 .. 1e8. Range: [ ] the bound is reached (within |x| <= "
      "10), ( ) only approached. f'(0) is the value autograd uses at 0. zero-centred: f(0) = 0 "
      "and f takes both signs (odd: f(-x) = -f(x)). smooth: f' has no jump. saturates: f' -> 0 "
      "as x -> -inf (left) or +inf (right). sparse: f is exactly 0 on a half-line. E and Var: "
      "for z ~ N(0, 1), by Simpson quadrature.\n";
  for (const auto& note : notes) out += "\n" + note + "\n";

  out +=
      "\n| activation | aliases | parameters (defaults) | gain | gain from | description |\n"
      "|---|---|---|---:|---|---|\n";
  for (const auto& p : rows) {
    const model::ActivationEntry& entry = entry_of(p);
    out += fmt::format("| {} | {} | {} | {:.4f} | {} | {} |\n", p.name, core::join(entry.aliases),
                       p.parameters, p.gain, entry.gain_source, entry.description);
  }
  return out;
}

}  // namespace

std::pair<double, double> parse_range(const std::string& text) {
  const auto fail = [&] {
    return ConfigError(kCli, fmt::format("--range '{}' is not lo:hi with lo < hi", text),
                       "write it as --range=-6:6 (the = keeps a leading minus from reading as an "
                       "option)");
  };
  const size_t colon = text.find(':', 1);
  if (colon == std::string::npos) throw fail();
  double lo = 0.0, hi = 0.0;
  try {
    size_t used = 0;
    const std::string a = text.substr(0, colon), b = text.substr(colon + 1);
    lo = std::stod(a, &used);
    if (used != a.size()) throw fail();
    hi = std::stod(b, &used);
    if (used != b.size()) throw fail();
  } catch (const std::logic_error&) {  // stod's invalid_argument and out_of_range
    throw fail();
  }
  if (!(std::isfinite(lo) && std::isfinite(hi) && lo < hi)) throw fail();
  return {lo, hi};
}

std::string activations_table(const std::vector<model::ActivationProperties>& rows,
                              const std::string& format) {
  if (format == "json") return json_table(rows);
  if (format == "csv") return csv_table(rows);
  if (format == "md") return markdown_table(rows);
  throw ConfigError(kCli, "unknown table format '" + format + "'", "use md, csv or json");
}

ActivationsOutput activations_command(const ActivationsOptions& options) {
  // Every argument is checked before anything is computed or written.
  if (options.format != "md" && options.format != "csv" && options.format != "json") {
    throw ConfigError(kCli, "unknown table format '" + options.format + "'", "use md, csv or json");
  }
  std::vector<model::ResolvedActivation> listed;
  if (options.only.empty()) {
    for (const model::ActivationEntry* entry : model::ActivationRegistry::instance().entries())
      listed.push_back(model::default_activation(entry->name));
  } else {
    listed = resolve_all(options.only);
  }
  const std::vector<model::ResolvedActivation> compared = resolve_all(options.compare);
  if (!compared.empty() && options.plot_dir.empty()) {
    throw ConfigError(kCli, "--compare needs a directory to write the figure to", "add --plot DIR");
  }
  report::ActivationPlotOptions plot;
  if (!options.plot_dir.empty()) std::tie(plot.x_min, plot.x_max) = parse_range(options.range);

  std::vector<model::ActivationProperties> rows;
  for (const auto& activation : listed) rows.push_back(model::compute_properties(activation));
  ActivationsOutput output;
  if (options.format == "json") {
    std::vector<ordered_json> theories;
    for (const auto& activation : listed)
      theories.push_back(catalogue::catalogue_theory_json(activation));
    output.table = json_table(rows, theories);
  } else {
    output.table = activations_table(rows, options.format);
  }

  if (!options.plot_dir.empty()) {
    const std::filesystem::path dir(options.plot_dir);
    for (const auto& activation : listed) {
      const auto file = dir / (activation.entry->name + ".svg");
      plot::write_svg(file, plot::render_svg(report::activation_chart(activation, plot)));
      output.written.push_back(file);
    }
    if (!compared.empty()) {
      std::vector<std::string> names;
      for (const auto& a : compared) names.push_back(a.entry->name);
      const auto file = dir / ("compare_" + core::join(names, "_") + ".svg");
      plot::write_svg(file, report::comparison_svg(compared, plot));
      output.written.push_back(file);
    }
  }
  return output;
}

}  // namespace actbench::app
