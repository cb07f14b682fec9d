// Markdown, LaTeX, HTML and CSV renderings of a TextTable (see table_format.hpp).
#include "report/table_format.hpp"

#include <fmt/format.h>

#include <regex>
#include <set>
#include <utility>

#include "core/csv.hpp"
#include "core/strings.hpp"

namespace actbench::report {

namespace {

// Length in bytes of the UTF-8 sequence starting with `lead`.
size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;
}

}  // namespace

std::string latex_text(const std::string& text) {
  static const std::vector<std::pair<std::string, std::string>> symbols{
      {"±", "$\\pm$"},  {"×", "$\\times$"}, {"Δ", "$\\Delta$"},
      {"≥", "$\\geq$"}, {"≤", "$\\leq$"},   {"≈", "$\\approx$"},
      {"–", "--"},      {"—", "---"},       {"·", "$\\cdot$"}};
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const size_t length = std::min(sequence_length(c), text.size() - i);
    if (length > 1) {
      const std::string glyph = text.substr(i, length);
      std::string replacement = "?";
      for (const auto& [from, to] : symbols)
        if (glyph == from) replacement = to;
      out += replacement;
      i += length;
      continue;
    }
    switch (c) {
      case '\\':
        out += "\\textbackslash{}";
        break;
      case '_':
      case '%':
      case '&':
      case '#':
      case '$':
      case '{':
      case '}':
        out += '\\';
        out += static_cast<char>(c);
        break;
      case '~':
        out += "\\textasciitilde{}";
        break;
      case '^':
        out += "\\textasciicircum{}";
        break;
      case '<':
      case '>':
      case '|':
        // LaTeX has no \lt or \gt (MathJax does): the plain characters in math mode.
        out += c == '<' ? "$<$" : c == '>' ? "$>$" : "$\\vert$";
        break;
      default:
        out += static_cast<char>(c);
    }
    ++i;
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
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

std::string render_markdown(const TextTable& table) {
  auto escape = [](std::string s) {
    for (size_t p = 0; (p = s.find('|', p)) != std::string::npos; p += 2) s.replace(p, 1, "\\|");
    return s;
  };
  std::vector<std::string> h;
  for (const auto& c : table.header) h.push_back(escape(c));
  std::string out = "| " + core::join(h, " | ") + " |\n|";
  for (size_t i = 0; i < table.header.size(); ++i) out += i < table.text_columns ? "---|" : "---:|";
  out += "\n";
  for (const auto& row : table.rows) {
    std::vector<std::string> e;
    for (const auto& c : row) e.push_back(escape(c));
    out += "| " + core::join(e, " | ") + " |\n";
  }
  if (!table.notes.empty()) out += "\n" + table.notes + "\n";
  return out;
}

namespace {

// A label with parameters, "leaky_relu(negative_slope=0.01)", or a header such as "Δ vs
// gelu(approximate=none)", as a cell of lines: the name, then the parameters, a line each, aligned
// `align` (l or r) and placed by `position` (t: the row's other cells beside the first line, b:
// beside the last). Such labels are the widest cells of a table and would push it past the text
// width; other cells are one line of latex_text.
std::string latex_label(const std::string& text, char align, char position) {
  const size_t open = text.find('(');
  if (open == 0 || open == std::string::npos || text.back() != ')' || text.size() <= 16)
    return latex_text(text);
  std::vector<std::string> lines{latex_text(text.substr(0, open))};
  std::string line = "(";
  for (size_t i = open + 1; i < text.size(); ++i) {
    line += text[i];
    if (text[i] == ',' && i + 1 < text.size() && text[i + 1] == ' ') {
      lines.push_back(latex_text(line));
      line.clear();
      ++i;
    }
  }
  lines.push_back(latex_text(line));
  return fmt::format("\\begin{{tabular}}[{}]{{@{{}}{}@{{}}}}", position, align) +
         core::join(lines, "\\\\") + "\\end{tabular}";
}

// A label's long decimals at 6 significant digits ("rrelu(lower=0.125, upper=0.333333)"): a
// parameter stored as 1/3 prints 16 digits, which alone made the zoo's table 29 pt wider than an
// article's text width. Shortened only where every label stays distinct (see render_latex).
std::string shorten_decimals(const std::string& label) {
  static const std::regex kDecimal("-?[0-9]+\\.[0-9]{7,}([eE][-+]?[0-9]+)?");
  std::string out;
  auto begin = std::sregex_iterator(label.begin(), label.end(), kDecimal);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    out += label.substr(last, static_cast<size_t>(it->position()) - last);
    out += fmt::format("{:.6g}", std::stod(it->str()));
    last = static_cast<size_t>(it->position() + it->length());
  }
  return out + label.substr(last);
}

// The text columns' labels as printed: shortened when that keeps them apart, whole otherwise.
std::vector<std::vector<std::string>> printed_labels(const TextTable& table, size_t text_columns) {
  std::vector<std::vector<std::string>> labels;
  std::set<std::string> whole, shortened;
  for (const auto& row : table.rows) {
    std::vector<std::string> cells;
    std::string whole_key, short_key;
    for (size_t i = 0; i < std::min(text_columns, row.size()); ++i) {
      cells.push_back(shorten_decimals(row[i]));
      whole_key += row[i] + '\x1f';
      short_key += cells.back() + '\x1f';
    }
    whole.insert(whole_key);
    shortened.insert(short_key);
    labels.push_back(std::move(cells));
  }
  if (shortened.size() == whole.size()) return labels;
  for (size_t r = 0; r < labels.size(); ++r)
    for (size_t i = 0; i < labels[r].size(); ++i) labels[r][i] = table.rows[r][i];
  return labels;
}

}  // namespace

std::string render_latex(const TextTable& table, const LatexOptions& options) {
  // Columns 4 pt apart (LaTeX's default is 6) and none outside the first and last (booktabs'
  // advice): a compact report's table then fits an article's 345 pt text width at 10 pt. In a
  // brace group, so that the setting does not leak into the document.
  std::string out = "{\\setlength{\\tabcolsep}{4pt}%\n";
  if (options.table_float) {
    out = "\\begin{table}[tbp]\n\\centering\n\\setlength{\\tabcolsep}{4pt}\n";
    if (!table.caption.empty()) out += "\\caption{" + latex_text(table.caption) + "}\n";
    if (!table.label.empty()) out += "\\label{" + table.label + "}\n";
    // Wide tables (one column per layer) shrink to the text width rather than run off the page.
    out += "\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}{%\n";
  }
  const size_t text_columns = std::min(table.text_columns, table.header.size());
  out += "\\begin{tabular}{@{}" + std::string(text_columns, 'l') +
         std::string(table.header.size() - text_columns, 'r') + "@{}}\n\\toprule\n";
  std::vector<std::string> cells;
  for (size_t i = 0; i < table.header.size(); ++i)
    cells.push_back(latex_label(table.header[i], i < text_columns ? 'l' : 'r', 'b'));
  out += core::join(cells, " & ") + " \\\\\n\\midrule\n";
  const std::vector<std::vector<std::string>> labels = printed_labels(table, text_columns);
  for (size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    cells.clear();
    for (size_t i = 0; i < row.size(); ++i)
      cells.push_back(i < text_columns ? latex_label(labels[r][i], 'l', 't') : latex_text(row[i]));
    out += core::join(cells, " & ") + " \\\\\n";
  }
  out += "\\bottomrule\n\\end{tabular}";
  if (options.table_float) {
    out += "}\n";
    if (!table.notes.empty())
      out += "\\par\\smallskip\\footnotesize " + latex_text(table.notes) + "\n";
    out += "\\end{table}\n";
  } else {
    out += "}\n";
    if (!table.notes.empty()) out += "% " + core::single_line(table.notes) + "\n";
  }
  return out;
}

std::string render_html_table(const TextTable& table) {
  std::string out = "<div class=\"table\"><table>\n";
  if (!table.caption.empty()) out += "<caption>" + html_escape(table.caption) + "</caption>\n";
  out += "<tr>";
  for (const auto& c : table.header) out += "<th>" + html_escape(c) + "</th>";
  out += "</tr>\n";
  for (const auto& row : table.rows) {
    out += "<tr>";
    for (size_t i = 0; i < row.size(); ++i)
      out += std::string(i < table.text_columns ? "<td>" : "<td class=\"num\">") +
             html_escape(row[i]) + "</td>";
    out += "</tr>\n";
  }
  out += "</table></div>\n";
  if (!table.notes.empty()) out += "<p class=\"notes\">" + html_escape(table.notes) + "</p>\n";
  return out;
}

std::string render_csv(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows) {
  std::string out = core::csv_row(header);
  for (const auto& row : rows) out += core::csv_row(row);
  return out;
}

}  // namespace actbench::report
