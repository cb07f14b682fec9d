// The one CSV writer: cells that need quoting are quoted (RFC 4180), and every CSV actbench writes
// goes through it (a report grouped by a list-valued key used to write `"[256, 256]"` unescaped
// quotes and all; a quote inside a value broke the row).
#include "core/csv.hpp"

#include <gtest/gtest.h>

#include "report/sweep_report.hpp"

namespace actbench::core {
namespace {

TEST(Csv, QuotesOnlyCellsThatNeedItAndDoublesQuotes) {
  EXPECT_EQ(csv_cell("relu"), "relu");
  EXPECT_EQ(csv_cell(""), "");
  EXPECT_EQ(csv_cell("[256, 256]"), "\"[256, 256]\"");
  EXPECT_EQ(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_cell("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_cell("cr\r"), "\"cr\r\"");
  EXPECT_EQ(csv_row({"a", "b,c", "d\"e"}), "a,\"b,c\",\"d\"\"e\"\n");
  EXPECT_EQ(csv_row({}), "\n");
}

TEST(Csv, ReportKeyValuesWithCommasAndQuotesStayOneCell) {
  store::RunRow run;
  run.run_id = "r";
  run.status = RunStatus::kCompleted;
  run.params["model.hidden"] = "[256, 256]";
  run.params["name"] = "a\"b";
  run.test_accuracy = 0.5;
  run.test_loss = 1.0;
  const report::Report r = report::build_report({run}, {"model.hidden", "name"});
  const std::string csv = report::render(r, "csv");
  const std::string row = csv.substr(csv.find('\n') + 1);
  EXPECT_EQ(row.rfind("\"[256, 256]\",\"a\"\"b\",1,1,0,0,", 0), 0u) << csv;
}

}  // namespace
}  // namespace actbench::core
