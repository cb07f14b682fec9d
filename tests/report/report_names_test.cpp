// Names a user types into `report`: a misspelt --group-by key gets a suggestion, and a
// parametrised activation's group (named "gelu(approximate=none)") is a --baseline by its bare
// name when that names one group only.
#include <gtest/gtest.h>

#include <functional>

#include "core/error.hpp"
#include "report/sweep_report.hpp"

namespace actbench::report::names_test {
namespace {

std::vector<store::RunRow> activation_runs(const std::vector<std::string>& activations) {
  std::vector<store::RunRow> runs;
  for (const auto& activation : activations) {
    for (int seed = 0; seed < 3; ++seed) {
      store::RunRow r;
      r.run_id = activation + std::to_string(seed);
      r.status = core::RunStatus::kCompleted;
      r.seed = seed;
      r.params["model.activation"] = activation;
      r.params["seed"] = std::to_string(seed);
      r.test_accuracy = 0.9 + 0.01 * seed + (activation == "relu" ? 0.0 : 0.002);
      r.test_loss = 0.1;
      runs.push_back(r);
    }
  }
  return runs;
}

std::string error_text(const std::function<void()>& action) {
  try {
    action();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no ConfigError)";
}

TEST(ReportNames, AMisspeltGroupByKeyGetsASuggestion) {
  const auto runs = activation_runs({"relu", "tanh"});
  const std::string error =
      error_text([&] { build_report(runs, {"model.activatoin"}, "", SourceLocation::cli_arg(3)); });
  EXPECT_NE(error.find("no config key 'model.activatoin' to group by (did you mean "
                       "'model.activation'?)"),
            std::string::npos)
      << error;
}

TEST(ReportNames, ABaselineByItsBareNameWhenThatIsUnambiguous) {
  Report report = build_report(activation_runs({"gelu(approximate=none)", "relu", "tanh"}),
                               {"model.activation"});
  StatisticsOptions options;
  options.baseline_key = "model.activation";
  options.baseline_value = "gelu";
  options.resamples = 200;
  add_statistics(report, options);
  // The comparisons are against the gelu group, and the table names it in full.
  EXPECT_EQ(report.statistics.options.baseline_value, "gelu(approximate=none)");
  ASSERT_TRUE(report.statistics.groups[1].versus_baseline);
  EXPECT_EQ(report.statistics.groups[1].versus_baseline->baseline, 0u);
  EXPECT_EQ(report.statistics.comparisons, 2u);
  EXPECT_NE(render(report, "md").find("gelu(approximate=none)"), std::string::npos);

  // Two groups of that name: which one is meant is not guessed.
  Report two =
      build_report(activation_runs({"gelu(approximate=none)", "gelu(approximate=tanh)", "relu"}),
                   {"model.activation"});
  const std::string error = error_text([&] { add_statistics(two, options); });
  EXPECT_NE(error.find("--baseline model.activation=gelu names 2 groups"), std::string::npos)
      << error;
  EXPECT_NE(error.find("gelu(approximate=tanh)"), std::string::npos) << error;
  // A value that is only the start of a name is no name: "gel" stays unknown.
  options.baseline_value = "gel";
  Report third =
      build_report(activation_runs({"gelu(approximate=none)", "relu"}), {"model.activation"});
  EXPECT_NE(error_text([&] { add_statistics(third, options); }).find("no group has"),
            std::string::npos);
}

}  // namespace
}  // namespace actbench::report::names_test
