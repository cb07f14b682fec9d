// Tests of the actbench binary itself: exit codes (2 for config mistakes, and nothing created),
// --help on every subcommand, --version reporting OpenBLAS, the listings, and shipped configs named
// without their path (a checkout's configs/ or the installed share/actbench/).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "support/blas.hpp"
#include "support/run_helpers.hpp"

namespace actbench::app {
namespace {

using actbench::testing::run_cli;
using actbench::testing::TempDir;

TEST(Cli, VersionReportsOpenBlasAndThreads) {
  const auto result = run_cli("--version");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("LibTorch 1."), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("threads: 1 intra-op"), std::string::npos) << result.output;
  ACTBENCH_SKIP_UNLESS_SYSTEM_BLAS();
  // The install step must make OpenBLAS the BLAS LibTorch calls; the reference BLAS is ~30x slower.
  EXPECT_NE(result.output.find("BLAS: OpenBLAS"), std::string::npos) << result.output;
}

// Without the environment main() wants (the tests set it for every child, to start LibTorch once),
// actbench re-executes itself with OMP_WAIT_POLICY=PASSIVE; with ACTBENCH_NO_REEXEC it does not.
TEST(Cli, ReExecutesWithTunedEnvironment) {
  const auto tuned = run_cli("--version", "", "-u OMP_WAIT_POLICY -u OPENBLAS_CORETYPE");
  EXPECT_EQ(tuned.exit_code, 0) << tuned.output;
  EXPECT_NE(tuned.output.find("OMP_WAIT_POLICY=PASSIVE"), std::string::npos) << tuned.output;
  EXPECT_EQ(tuned.output.find("hint: OpenBLAS uses slower kernels"), std::string::npos)
      << tuned.output;
  const auto untuned =
      run_cli("--version", "", "-u OMP_WAIT_POLICY -u OPENBLAS_CORETYPE ACTBENCH_NO_REEXEC=1");
  EXPECT_EQ(untuned.exit_code, 0) << untuned.output;
  EXPECT_NE(untuned.output.find("OMP_WAIT_POLICY=(unset)"), std::string::npos) << untuned.output;
}

// The subcommands the top-level help lists (CLI11's "Subcommands:" group), so that a new
// subcommand is covered without editing this test.
std::vector<std::string> listed_subcommands(const std::string& help) {
  std::vector<std::string> names;
  const auto section = help.find("\nSubcommands:\n");
  if (section == std::string::npos) return names;
  std::istringstream lines(help.substr(section + 1));
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line) && line.rfind("  ", 0) == 0) {
    const auto start = line.find_first_not_of(' ');
    names.push_back(line.substr(start, line.find(' ', start) - start));
  }
  return names;
}

TEST(Cli, HelpOnEverySubcommand) {
  const auto top = run_cli("--help");
  ASSERT_EQ(top.exit_code, 0) << top.output;
  const auto names = listed_subcommands(top.output);
  // Today's nine; a new one only needs adding here if it is not listed at all.
  for (const char* expected : {"run", "sweep", "sweep-task", "collect", "report", "study",
                               "validate", "activations", "data"})
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  std::vector<std::string> commands(names);
  for (const char* sub : {"data fetch", "data verify", "data list"}) commands.push_back(sub);
  for (const auto& sub : commands) {
    const auto result = run_cli(sub + " --help");
    EXPECT_EQ(result.exit_code, 0) << sub;
    // Each help is the subcommand's own: its usage line names it.
    const std::string leaf =
        sub.substr(sub.rfind(' ') == std::string::npos ? 0 : sub.rfind(' ') + 1);
    EXPECT_NE(result.output.find("Usage: "), std::string::npos) << sub << result.output;
    EXPECT_NE(result.output.find(leaf + " "), std::string::npos) << sub << result.output;
  }
}

TEST(Cli, ConfigErrorExitsTwoAndCreatesNothing) {
  TempDir dir;
  dir.write("bad.yaml", "model:\n  activation: rellu\noutput: {dir: runs}\n");
  const auto result = run_cli("run bad.yaml", dir.path().string());
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(
      result.output.find("bad.yaml:2:15: error: unknown activation 'rellu' (did you mean 'relu'?)"),
      std::string::npos)
      << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "runs"));

  const auto override_error =
      run_cli("run bad.yaml model.activation=gelu train.epochz=1", dir.path().string());
  EXPECT_EQ(override_error.exit_code, 2);
  EXPECT_NE(override_error.output.find(
                "<cli>:arg4: error: unknown key 'epochz' in train (did you mean 'epochs'?)"),
            std::string::npos)
      << override_error.output;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "runs"));
}

TEST(Cli, MissingDataExitsOneAndCreatesNothing) {
  TempDir dir;
  dir.write("c.yaml", "data: {dataset: mnist, root: nowhere}\noutput: {dir: runs}\n");
  const auto result = run_cli("run c.yaml", dir.path().string());
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("actbench data fetch mnist"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "runs"));
}

TEST(Cli, ValidateChecksWithoutRunning) {
  TempDir dir;
  dir.write("c.yaml", "data: {dataset: synthetic}\noutput: {dir: runs}\n");
  const auto ok = run_cli("validate c.yaml model.activation=gelu", dir.path().string());
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("ok:"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "runs"));
  const auto printed = run_cli("validate c.yaml --print", dir.path().string());
  EXPECT_NE(printed.output.find("batch_size: 128"), std::string::npos) << printed.output;
  const auto bad = run_cli("validate c.yaml optim.lr=-1", dir.path().string());
  EXPECT_EQ(bad.exit_code, 2);
  const auto schema = run_cli("validate --schema");
  EXPECT_NE(schema.output.find("`model.activation`"), std::string::npos);
}

TEST(Cli, ShippedConfigsAreNamedWithoutTheirPath) {
  // In a checkout: configs/ of the working directory.
  TempDir dir;
  dir.write("configs/tiny.yaml", "data: {dataset: synthetic}\noutput: {dir: runs}\n");
  const auto by_name = run_cli("validate tiny", dir.path().string());
  EXPECT_EQ(by_name.exit_code, 0) << by_name.output;
  EXPECT_NE(by_name.output.find("configs/tiny.yaml"), std::string::npos) << by_name.output;
  const auto typo = run_cli("validate tiyn", dir.path().string());
  EXPECT_EQ(typo.exit_code, 2) << typo.output;
  EXPECT_NE(typo.output.find("<cli>:arg2: error: cannot read config file tiyn: No such file or "
                             "directory, and no shipped config is named tiyn (did you mean "
                             "'tiny'?)"),
            std::string::npos)
      << typo.output;
  // Installed: <prefix>/share/actbench/configs beside <prefix>/bin/actbench, from any directory.
  TempDir prefix;
  std::filesystem::create_directories(prefix.path() / "bin");
  std::filesystem::copy_file(ACTBENCH_CLI, prefix.path() / "bin" / "actbench");
  prefix.write("share/actbench/configs/shipped.yaml", "data: {dataset: synthetic}\n");
  TempDir elsewhere;
  const std::string installed = (prefix.path() / "bin" / "actbench").string();
  FILE* pipe = ::popen(
      ("cd '" + elsewhere.path().string() + "' && '" + installed + "' validate shipped.yaml 2>&1")
          .c_str(),
      "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  EXPECT_EQ(::pclose(pipe), 0) << output;
  EXPECT_NE(output.find("share/actbench/configs/shipped.yaml"), std::string::npos) << output;
}

TEST(Cli, RunPrintsEpochTableAndResultTable) {
  TempDir dir;
  dir.write("c.yaml",
            "name: t\ndata: {dataset: synthetic}\nmodel: {hidden: [16]}\ntrain: {epochs: "
            "2}\noutput: {dir: runs}\n");
  const auto result = run_cli("run c.yaml", dir.path().string());
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("epoch train_loss"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("fc1 dead"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("| layer | units | activation | dead |"), std::string::npos)
      << result.output;
}

TEST(Cli, ActivationsAndDatasetsAreListed) {
  const auto md = run_cli("activations");
  EXPECT_EQ(md.exit_code, 0);
  for (const char* name : {"relu", "gelu", "silu", "sine", "maxout", "hard_swish", "selu"})
    EXPECT_NE(md.output.find("| " + std::string(name) + " |"), std::string::npos) << name;
  EXPECT_EQ(run_cli("activations --format json").output.front(), '[');
  const auto data = run_cli("data list");
  for (const char* name : {"mnist", "fashion_mnist", "cifar10", "synthetic"})
    EXPECT_NE(data.output.find("| " + std::string(name) + " |"), std::string::npos) << name;
}

}  // namespace
}  // namespace actbench::app
