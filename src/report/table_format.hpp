// One table, four renderings: Markdown, LaTeX (booktabs, optionally a complete `table` float with
// caption and label), an HTML fragment, and CSV. Cells are plain UTF-8 text; each format escapes
// them its own way, so the same numbers reach every format and LaTeX gets math-mode symbols
// (± becomes $\pm$) instead of characters pdflatex rejects. LaTeX tables are set to fit a page:
// columns 4 pt apart, none outside, a label's parameters on lines of their own.
#pragma once

#include <string>
#include <vector>

namespace actbench::report {

struct TextTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  size_t text_columns = 1;  // the first columns are left-aligned labels, the rest numbers
  std::string caption;      // LaTeX float caption (and HTML caption)
  std::string label;        // LaTeX \label, e.g. "tab:mnist"
  std::string notes;        // under the table: how to read it (plain text)
};

struct LatexOptions {
  bool table_float = false;  // wrap the tabular in \begin{table}...\caption...\label...\end{table}
};

std::string render_markdown(const TextTable& table);
std::string render_latex(const TextTable& table, const LatexOptions& options = {});
std::string render_html_table(const TextTable& table);
// RFC 4180: fields with commas, quotes or line breaks are quoted, quotes doubled.
std::string render_csv(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows);

// Text escaped for LaTeX's text mode, with the symbols reports use (± × Δ ≥ ≤ ≈ – — |) as their
// LaTeX forms; any other non-ASCII character becomes '?', so the output always compiles.
std::string latex_text(const std::string& text);
std::string html_escape(const std::string& text);

}  // namespace actbench::report
