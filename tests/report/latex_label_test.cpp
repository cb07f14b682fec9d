// LaTeX labels of a report table: a parameter stored as 1/3 prints 16 digits, which made the zoo's
// compact table wider than a page; labels print long decimals at 6 significant digits, unless
// that would make two rows' labels read the same.
#include <gtest/gtest.h>

#include "report/table_format.hpp"

namespace actbench::report {
namespace {

TEST(LatexLabel, LongDecimalsPrintAtSixSignificantDigits) {
  TextTable table;
  table.header = {"group", "accuracy"};
  table.rows = {{"rrelu(lower=0.125, upper=0.3333333333333333)", "0.9388"}, {"relu", "0.9427"}};
  const std::string latex = render_latex(table);
  EXPECT_NE(latex.find("upper=0.333333)"), std::string::npos) << latex;
  EXPECT_EQ(latex.find("0.3333333333333333"), std::string::npos) << latex;
  EXPECT_NE(latex.find("lower=0.125,"), std::string::npos) << latex;  // short ones as they are
  EXPECT_NE(latex.find("0.9388"), std::string::npos) << latex;        // numbers are not labels
}

TEST(LatexLabel, LabelsThatWouldReadTheSameStayWhole) {
  TextTable table;
  table.header = {"group", "accuracy"};
  table.rows = {{"elu(alpha=1.00000001)", "0.9"}, {"elu(alpha=1.00000002)", "0.8"}};
  const std::string latex = render_latex(table);
  EXPECT_NE(latex.find("alpha=1.00000001"), std::string::npos) << latex;
  EXPECT_NE(latex.find("alpha=1.00000002"), std::string::npos) << latex;
}

}  // namespace
}  // namespace actbench::report
