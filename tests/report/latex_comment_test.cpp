// LaTeX output under hostile text: a sweep name or a note with a line break must not end the `%`
// comment it is written into, or whatever follows (\input{/etc/hostname}) becomes live LaTeX.
#include <gtest/gtest.h>

#include <sstream>

#include "report/sweep_report.hpp"
#include "report/table_format.hpp"

namespace actbench::report {
namespace {

// A line that carries \input must be a comment: otherwise the text escaped its comment.
void expect_no_live_injection(const std::string& latex) {
  std::istringstream lines(latex);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("\\input") != std::string::npos) {
      EXPECT_EQ(line.rfind('%', 0), 0u) << "live line: " << line << "\nin:\n" << latex;
    }
  }
}

TEST(LatexComment, NotesWithALineBreakStayInTheComment) {
  TextTable table;
  table.header = {"group", "accuracy"};
  table.rows = {{"relu", "0.9"}};
  table.notes = "baseline x\n\\input{/etc/hostname}\r\\input{/etc/passwd}";
  expect_no_live_injection(render_latex(table));
}

TEST(LatexComment, ATitleWithALineBreakStaysInTheHeaderComment) {
  Report report;
  report.title = "sweep x\n\\input{/etc/hostname}";
  expect_no_live_injection(render(report, "latex"));
}

}  // namespace
}  // namespace actbench::report
