// Nothing accepted and then ignored: an empty config, a run's output.dir in a sweep, and flags the
// chosen use of a command would not read are refused with a located error (exit 2) that says what
// to do instead, and nothing is created. Also: SPDLOG_LEVEL=debug shows what a run does.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/config_errors.hpp"
#include "support/run_helpers.hpp"
#include "sweep/sweep_plan.hpp"

namespace actbench::app {
namespace {

using actbench::testing::config_error_of;
using actbench::testing::run_cli;
using actbench::testing::TempDir;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Refusals, EmptyOrCommentOnlyConfigIsRefusedWithHowToRunTheDefaults) {
  for (const char* yaml : {"", "\n\n", "# only a comment\n# and another\n"}) {
    const std::string error = config_error_of(yaml);
    EXPECT_TRUE(contains(error, "c.yaml:1:1: error: the config is empty (or holds only comments)"))
        << error;
    EXPECT_TRUE(contains(error, "to run every default on purpose, write `{}`")) << error;
  }
  // `{}` is the explicit way, and runs every default.
  TempDir dir;
  const auto file = dir.write("defaults.yaml", "{}\n");
  EXPECT_EQ(config::load_run_spec(file.string(), {}).name, "defaults");
}

TEST(Refusals, EmptyConfigThroughTheCliExitsTwoAndCreatesNothing) {
  TempDir dir;
  dir.write("empty.yaml", "# nothing yet\n");
  for (const char* command : {"run empty.yaml", "sweep empty.yaml", "validate empty.yaml"}) {
    const auto result = run_cli(command, dir.path().string());
    EXPECT_EQ(result.exit_code, 2) << command << "\n" << result.output;
    EXPECT_TRUE(contains(result.output, "empty.yaml:1:1: error: the config is empty"))
        << command << "\n"
        << result.output;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "results"));
  // A sweep file whose base config is empty.
  dir.write("base.yaml", "");
  dir.write("s.yaml", "base: base.yaml\ngrid: {seed: [0, 1]}\n");
  const auto sweep = run_cli("sweep s.yaml --dry-run", dir.path().string());
  EXPECT_EQ(sweep.exit_code, 2) << sweep.output;
  EXPECT_TRUE(contains(sweep.output, "base.yaml:1:1: error: the config is empty")) << sweep.output;
}

TEST(Refusals, OutputDirInASweepIsRefusedAndNamesDir) {
  TempDir dir;
  const auto config = dir.write("c.yaml",
                                "data: {dataset: synthetic}\n"
                                "output:\n"
                                "  dir: elsewhere\n");
  try {
    sweep::plan_sweep(config.string(), {{"seed=0,1", 2}});
    ADD_FAILURE() << "output.dir in a sweep was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.where().str(), config.string() + ":3:8");
    EXPECT_TRUE(contains(e.what(), "output.dir is not used in a sweep")) << e.what();
    EXPECT_TRUE(contains(e.what(), "--dir")) << e.what();
  }
  // Given on the command line, it is located there.
  const auto base = dir.write("plain.yaml", "data: {dataset: synthetic}\n");
  try {
    sweep::plan_sweep(base.string(), {{"seed=0,1", 2}, {"output.dir=x", 3}});
    ADD_FAILURE() << "output.dir=x in a sweep was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.where().str(), "<cli>:arg3");
  }
  // Removed with ~output.dir, the same config sweeps.
  EXPECT_EQ(sweep::plan_sweep(config.string(), {{"seed=0,1", 2}, {"~output.dir", 3}}).runs.size(),
            2u);
  // Through the CLI: exit 2, nothing created.
  const auto result = run_cli("sweep c.yaml seed=0,1", dir.path().string());
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "results"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "elsewhere"));
}

struct IgnoredFlag {
  const char* command;
  const char* expected;  // the start of the error, located at the flag
};

TEST(Refusals, FlagsTheCommandWouldIgnoreAreRefusedAtTheirPosition) {
  TempDir dir;
  dir.write("c.yaml", "data: {dataset: synthetic}\n");
  const IgnoredFlag cases[] = {
      {"sweep c.yaml --partition gpu", "<cli>:arg3: error: --partition is for --backend slurm"},
      {"sweep c.yaml --time=01:00:00", "<cli>:arg3: error: --time is for --backend slurm"},
      {"sweep c.yaml --max-parallel 2", "<cli>:arg3: error: --max-parallel is for --backend slurm"},
      {"sweep c.yaml --backend slurm --workers 2",
       "<cli>:arg5: error: --workers is for local sweeps"},
      {"sweep c.yaml --backend slurm --threads 2",
       "<cli>:arg5: error: --threads is for local sweeps"},
      {"validate --schema c.yaml", "<cli>:arg3: error: --schema reads no config"},
      {"validate --schema --print", "<cli>:arg3: error: --print cannot be combined with --schema"},
      {"activations --range=-2:2", "<cli>:arg2: error: --range sets the x range of plots"},
      {"data fetch mnist --md5 0123", "<cli>:arg4: error: --md5 checks an archive given with"},
  };
  for (const auto& c : cases) {
    const auto result = run_cli(c.command, dir.path().string());
    EXPECT_EQ(result.exit_code, 2) << c.command << "\n" << result.output;
    EXPECT_TRUE(contains(result.output, c.expected)) << c.command << "\n" << result.output;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "results"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "data"));
  // The same flags where they are used are accepted.
  EXPECT_EQ(run_cli("sweep c.yaml seed=0,1 --dry-run --workers 2", dir.path().string()).exit_code,
            0);
  EXPECT_EQ(
      run_cli("sweep c.yaml seed=0,1 --dry-run --backend slurm --partition p", dir.path().string())
          .exit_code,
      0);
}

TEST(Logging, SpdlogLevelDebugShowsDataLoadingAndRunStartAndEnd) {
  TempDir dir;
  dir.write("c.yaml",
            "name: t\ndata: {dataset: synthetic}\nmodel: {hidden: [8]}\ntrain: {epochs: 1}\n"
            "output: {dir: runs}\n");
  const auto debug = run_cli("run c.yaml --quiet", dir.path().string(), "SPDLOG_LEVEL=debug");
  EXPECT_EQ(debug.exit_code, 0) << debug.output;
  for (const char* line : {"debug: data: loading synthetic", "debug: data: loaded synthetic",
                           "debug: run: start ", "debug: run: end ", ": completed after "})
    EXPECT_TRUE(contains(debug.output, line)) << line << "\n" << debug.output;
  const auto quiet = run_cli("run c.yaml --quiet", dir.path().string());
  EXPECT_EQ(quiet.exit_code, 0) << quiet.output;
  EXPECT_FALSE(contains(quiet.output, "debug:")) << quiet.output;
}

TEST(Logging, SpdlogLevelDebugShowsSweepWorkers) {
  TempDir dir;
  dir.write("c.yaml", "data: {dataset: synthetic}\nmodel: {hidden: [8]}\ntrain: {epochs: 1}\n");
  const auto result = run_cli("sweep c.yaml seed=0,1 --workers 1 --dir sw", dir.path().string(),
                              "SPDLOG_LEVEL=debug");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "debug: sweep: worker ")) << result.output;
  EXPECT_TRUE(contains(result.output, " started run ")) << result.output;
  EXPECT_TRUE(contains(result.output, " ended run ")) << result.output;
}

}  // namespace
}  // namespace actbench::app
