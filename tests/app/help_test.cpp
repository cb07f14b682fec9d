// What --help says: defaults shown, the sweep's axis syntax and sweep-file keys, no CLI11
// "Excludes:" noise nor maintainer flags in `study --help`, and the study's --readme-table still
// refusing what it cannot go with; --until-decided offered and range-checked.
#include <gtest/gtest.h>

#include "support/run_helpers.hpp"
#include "sweep/sweep_plan.hpp"

namespace actbench::app::help_test {
namespace {

using actbench::testing::run_cli;

TEST(Help, ReportShowsItsDefaults) {
  const auto help = run_cli("report --help");
  ASSERT_EQ(help.exit_code, 0) << help.output;
  EXPECT_NE(help.output.find("=md"), std::string::npos) << help.output;
  for (const char* text :
       {"default: standard output", "default: the keys the sweep varied", "default: 10000",
        "default: 0", "default: none", "--columns", "default: compact"})
    EXPECT_NE(help.output.find(text), std::string::npos) << text << "\n" << help.output;
}

TEST(Help, SweepNamesRangesAndEverySweepFileKey) {
  const auto help = run_cli("sweep --help");
  ASSERT_EQ(help.exit_code, 0) << help.output;
  EXPECT_NE(help.output.find("key=a..b"), std::string::npos) << help.output;
  EXPECT_NE(help.output.find("seed=0..9"), std::string::npos) << help.output;
  for (const auto& key : sweep::sweep_file_keys())
    EXPECT_NE(help.output.find("  " + key.name + ": " + key.value), std::string::npos)
        << key.name << "\n"
        << help.output;
}

TEST(Help, StudyHasNoExcludesNoiseAndNoMaintainerFlag) {
  const auto help = run_cli("study --help");
  ASSERT_EQ(help.exit_code, 0) << help.output;
  EXPECT_EQ(help.output.find("Excludes"), std::string::npos) << help.output;
  EXPECT_EQ(help.output.find("--readme-table"), std::string::npos) << help.output;
  EXPECT_NE(help.output.find("--workers"), std::string::npos) << help.output;
  // What excludes() refused is refused still, located, as a configuration mistake.
  const auto with_name = run_cli("study --readme-table siren");
  EXPECT_EQ(with_name.exit_code, 2) << with_name.output;
  EXPECT_NE(with_name.output.find("<cli>:arg3: error: --readme-table runs no study"),
            std::string::npos)
      << with_name.output;
  const auto with_flag = run_cli("study --readme-table --workers 2");
  EXPECT_EQ(with_flag.exit_code, 2) << with_flag.output;
  EXPECT_NE(with_flag.output.find("<cli>:arg3: error: --workers is for running a study"),
            std::string::npos)
      << with_flag.output;
}

TEST(Help, StudyOffersUntilDecidedAndRefusesItWhereItCannotApply) {
  const auto help = run_cli("study --help");
  ASSERT_EQ(help.exit_code, 0) << help.output;
  EXPECT_NE(help.output.find("--until-decided N"), std::string::npos) << help.output;
  const auto zero = run_cli("study siren --until-decided 0");
  EXPECT_NE(zero.exit_code, 0) << zero.output;
  EXPECT_NE(zero.output.find("--until-decided"), std::string::npos) << zero.output;
  const auto with_table = run_cli("study --readme-table --until-decided 4");
  EXPECT_EQ(with_table.exit_code, 2) << with_table.output;
  EXPECT_NE(with_table.output.find("<cli>:arg3: error: --until-decided is for running a study"),
            std::string::npos)
      << with_table.output;
}

}  // namespace
}  // namespace actbench::app::help_test
