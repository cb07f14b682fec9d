// `actbench theory` and the theory section of `actbench activations --format json`: the critical
// sigma_w2 printed, both formats, the phase diagram file, and bad input refused with exit code 2.
#include "app/theory_command.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "app/activations_command.hpp"
#include "catalogue/activation_theory.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "model/properties.hpp"
#include "support/run_helpers.hpp"
#include "support/temp_dir.hpp"

namespace actbench::app {
namespace {

using actbench::testing::run_cli;
using actbench::testing::TempDir;

TEST(TheoryCommand, TanhPrintsItsCriticalSigmaW2) {
  TheoryCommandOptions options;
  options.activation = "tanh";
  options.sigma_b2 = 0.05;
  const std::string text = theory_command(options);
  const double critical =
      catalogue::critical_sigma_w2(model::default_activation("tanh"), options.sigma_b2);
  EXPECT_NE(
      text.find("edge of chaos at sigma_b2 = 0.05: sigma_w2 = " + fmt::format("{:.6g}", critical)),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("critical line"), std::string::npos);
}

TEST(TheoryCommand, JsonCarriesTheFixedPointsAtTheGivenPoint) {
  TheoryCommandOptions options;
  options.activation = "{name: leaky_relu, negative_slope: 0.2}";
  options.sigma_w2 = 1.5;
  options.sigma_b2 = 0.1;
  options.format = "json";
  const auto json = nlohmann::json::parse(theory_command(options));
  // Leaky ReLU: q' = sigma_w2 (1 + a^2) q / 2 + sigma_b2, so q* = 0.1 / (1 - 0.78) and
  // chi1 = 0.78.
  const auto& point = json["at_point"]["fixed_points"][0];
  EXPECT_NEAR(point["q_star"].get<double>(), 0.1 / (1.0 - 0.78), 1e-8);
  EXPECT_NEAR(point["chi1"].get<double>(), 0.78, 1e-9);
  EXPECT_EQ(point["phase"], "ordered");
  EXPECT_EQ(json["critical_line"].size(), 8u);
}

TEST(TheoryCommand, BadInputIsAConfigError) {
  TheoryCommandOptions options;
  options.activation = "tanhh";
  EXPECT_THROW(theory_command(options), ConfigError);
  options.activation = "maxout";
  EXPECT_THROW(theory_command(options), ConfigError);
  options.activation = "tanh";
  options.sigma_b2 = -1.0;
  EXPECT_THROW(theory_command(options), ConfigError);
  options.sigma_b2 = 0.0;
  options.sigma_w2 = 0.0;
  EXPECT_THROW(theory_command(options), ConfigError);
}

TEST(TheoryCommand, CliWritesThePhaseDiagramAndRefusesTypos) {
  TempDir dir;
  const auto ok = run_cli("theory tanh --sigma-b2 0.05");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("edge of chaos at sigma_b2 = 0.05"), std::string::npos) << ok.output;
  // The flag's wiring, with ReLU's closed-form moments: tanh's full diagram takes 14 s of
  // quadrature (minutes under the sanitizers), and ReportBugs.TanhPhaseDiagram* checks it in
  // process.
  const auto file = dir.path() / "relu.svg";
  const auto drawn = run_cli("theory relu --phase-diagram " + file.string());
  EXPECT_EQ(drawn.exit_code, 0) << drawn.output;
  EXPECT_NE(drawn.output.find("wrote " + file.string()), std::string::npos) << drawn.output;
  EXPECT_NE(core::read_file(file).find("edge of chaos (2, 0)"), std::string::npos);
  const auto typo = run_cli("theory rellu");
  EXPECT_EQ(typo.exit_code, 2) << typo.output;
  EXPECT_NE(typo.output.find("did you mean 'relu'"), std::string::npos) << typo.output;
  const auto unknown_flag = run_cli("theory tanh --sigma-b 0.05");
  EXPECT_NE(unknown_flag.exit_code, 0) << unknown_flag.output;
}

TEST(TheoryCommand, ActivationsJsonHasATheorySection) {
  ActivationsOptions options;
  options.format = "json";
  options.only = {"relu", "tanh", "maxout"};
  const auto rows = nlohmann::json::parse(activations_command(options).table);
  ASSERT_EQ(rows.size(), 3u);
  const auto& relu = rows[0]["theory"];
  EXPECT_EQ(relu["applicable"], true);
  // ReLU at its gain^2 = 2 and no bias: every q is a fixed point (He init is critical).
  EXPECT_EQ(relu["at_recommended_gain"]["every_q_fixed"], true);
  EXPECT_NEAR(relu["edge_of_chaos"][0]["points"][0]["sigma_w2"].get<double>(), 2.0, 1e-12);
  EXPECT_TRUE(relu["edge_of_chaos"][1]["points"].empty());
  EXPECT_NEAR(rows[1]["theory"]["edge_of_chaos"][0]["points"][0]["sigma_w2"].get<double>(), 1.0,
              1e-9);
  EXPECT_EQ(rows[2]["theory"]["applicable"], false);
}

}  // namespace
}  // namespace actbench::app
