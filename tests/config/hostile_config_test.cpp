// Hostile configs, overrides and sweep plans (issue 23): YAML alias cycles and "billion laughs",
// deep nesting, second documents, huge maps, oversized files, plans that overflow or would not fit
// in memory, and numbers too large for their parsers. Each must end in a located one-line
// ConfigError (exit 2) quickly and in little memory. The cases that crashed, hung or ate
// gigabytes before the fix run the real CLI in a child with a time and address-space limit, so a
// regression fails the test instead of killing the test binary.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>

#include "config/loader.hpp"
#include "config/overrides.hpp"
#include "config/tree.hpp"
#include "report/sweep_report.hpp"
#include "store/results_db.hpp"
#include "support/memory_cap.hpp"
#include "support/run_helpers.hpp"
#include "support/temp_dir.hpp"
#include "sweep/sweep_plan.hpp"

namespace actbench::config {
namespace {

using actbench::testing::address_space_cap;

using actbench::testing::TempDir;

struct Limited {
  int exit_code = -1;  // 124: killed at the time limit; -1: killed by a signal
  std::string output;
  double seconds = 0.0;
};

// `actbench ARGUMENTS` in `dir` with at most `seconds` of wall time and `memory_mib` of address
// space (the cases were run the same way).
Limited run_limited(const std::string& arguments, const TempDir& dir, int seconds = 60,
                    int memory_mib = 4096) {
  const std::string command =
      "cd '" + dir.path().string() + "' && " + address_space_cap(memory_mib) + "timeout -s KILL " +
      std::to_string(seconds) + " " + ACTBENCH_CLI + " " + arguments + " 2>&1";
  Limited result;
  const auto start = std::chrono::steady_clock::now();
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// The error as one line: the first line of the output, which must be the whole error's headline.
std::string first_line(const std::string& output) { return output.substr(0, output.find('\n')); }

std::string config_error(const std::function<void()>& action) {
  try {
    action();
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ConfigError";
  return "";
}

// ---- YAML structure ----------------------------------------------------------------------------

TEST(HostileConfig, AliasCycleInAConfigFileIsALocatedError) {
  TempDir dir;
  dir.write("c.yaml", "model: {hidden: &h [16, *h]}\n");
  const Limited r = run_limited("validate c.yaml", dir);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(first_line(r.output).rfind("c.yaml:1:25: error: ", 0), 0u) << r.output;
  EXPECT_NE(r.output.find("alias"), std::string::npos) << r.output;
}

TEST(HostileConfig, AliasCycleInAnOverrideIsALocatedError) {
  TempDir dir;
  dir.write("c.yaml", "data: {dataset: synthetic}\n");
  const Limited r = run_limited("validate c.yaml 'model.hidden=&h [16, *h]'", dir);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(first_line(r.output).rfind("<cli>:arg", 0), 0u) << r.output;
}

// `report --group-by` reads each run's stored config with the same converter: a hostile results
// database must not crash it either.
TEST(HostileConfigDeathTest, AliasCycleInAStoredConfigIsALocatedError) {
  EXPECT_EXIT(
      {
        try {
          parse_yaml("{model: {hidden: &h [16, *h]}}", "run-1234");
        } catch (const ConfigError& e) {
          std::fprintf(stderr, "%s\n", e.what());
          std::_Exit(2);
        }
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(2), "run-1234:1:26: error: .*alias");
}

// 9 levels of 9 aliases: 9^9 (387 million) nodes from about 400 bytes.
std::string billion_laughs(const std::string& indent_key) {
  std::string text = indent_key + "{a0: &a0 [x, x, x, x, x, x, x, x, x]";
  for (int level = 1; level <= 9; ++level) {
    const std::string previous = "*a" + std::to_string(level - 1);
    text += ", a" + std::to_string(level) + ": &a" + std::to_string(level) + " [";
    for (int i = 0; i < 9; ++i) text += (i ? ", " : "") + previous;
    text += "]";
  }
  return text + "}";
}

TEST(HostileConfig, BillionLaughsIsRefusedBeforeItIsExpanded) {
  TempDir dir;
  dir.write("c.yaml", billion_laughs("model: {activation: ") + "}\n");
  const Limited r = run_limited("validate c.yaml", dir, 30);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(first_line(r.output).rfind("c.yaml:1:", 0), 0u) << r.output;
  EXPECT_NE(r.output.find("values (aliases expanded)"), std::string::npos) << r.output;
}

TEST(HostileConfig, BillionLaughsInAnOverrideIsRefusedBeforeItIsExpanded) {
  TempDir dir;
  dir.write("c.yaml", "data: {dataset: synthetic}\n");
  dir.write("args", "model.activation=" + billion_laughs(""));
  const Limited r = run_limited("validate c.yaml \"$(cat args)\"", dir, 30);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(first_line(r.output).rfind("<cli>:arg", 0), 0u) << r.output;
  EXPECT_NE(r.output.find("values (aliases expanded)"), std::string::npos) << r.output;
}

TEST(HostileConfig, AliasesWithinTheLimitsStillWork) {
  TempDir dir;
  const auto file = dir.write("c.yaml",
                              "data: {dataset: synthetic}\n"
                              "model: {hidden: [&w 24, *w, *w], activation: &act {name: "
                              "leaky_relu, negative_slope: 0.2}, layer_activations: {1: *act}}\n");
  const RunSpec spec = load_run_spec(file.string(), {});
  EXPECT_EQ(spec.model.hidden, (std::vector<int64_t>{24, 24, 24}));
  EXPECT_EQ(spec.model.layer_activations.at(1).name, "leaky_relu");
}

TEST(HostileConfig, NestingDeeperThanTheLimitIsALocatedError) {
  TempDir dir;
  const auto file = dir.write(
      "c.yaml", "model: {hidden: " + std::string(100, '[') + std::string(100, ']') + "}\n");
  const std::string error = config_error([&] { load_run_spec(file.string(), {}); });
  EXPECT_NE(error.find("c.yaml:1:"), std::string::npos) << error;
  EXPECT_NE(error.find("nested deeper than"), std::string::npos) << error;
}

TEST(HostileConfig, VeryDeepNestingDoesNotOverflowTheStack) {
  TempDir dir;
  dir.write("c.yaml", "model: {hidden: " + std::string(100000, '[') + "}\n");
  const Limited r = run_limited("validate c.yaml", dir);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(first_line(r.output).rfind("c.yaml:1:", 0), 0u) << r.output;
}

TEST(HostileConfig, ASecondYamlDocumentIsRefusedWhereItStarts) {
  TempDir dir;
  const auto file = dir.write("c.yaml", "seed: 1\n---\nseed: 2\n");
  const std::string error = config_error([&] { load_run_spec(file.string(), {}); });
  EXPECT_NE(error.find("c.yaml:2:1: error: "), std::string::npos) << error;
  EXPECT_NE(error.find("second YAML document"), std::string::npos) << error;
  // A document end marker alone is not a second document.
  const auto ended = dir.write("ended.yaml", "---\nseed: 1\n...\n");
  EXPECT_EQ(load_run_spec(ended.string(), {}).seed, 1);
}

std::string huge_map(size_t keys, bool duplicate_at_end) {
  std::string text;
  text.reserve(keys * 16);
  for (size_t i = 0; i < keys; ++i) text += "key" + std::to_string(i) + ": " + "1\n";
  if (duplicate_at_end) text += "key0: 2\n";
  return text;
}

// The duplicate-key check compared each key with every earlier one: 200,000 keys took 495 s, and
// 99,000 keys (within kMaxConfigNodes) about 12 s in a release build.
TEST(HostileConfig, DuplicateKeyInALargeMapIsFoundQuickly) {
  const std::string text = huge_map(99000, true);
  const auto start = std::chrono::steady_clock::now();
  const std::string error = config_error([&] { parse_yaml(text, "big.yaml"); });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(error.find("big.yaml:99001:1: error: duplicate key 'key0'"), std::string::npos)
      << error;
  EXPECT_LT(seconds, 5.0);
}

TEST(HostileConfig, AMapOf200000KeysIsRefusedQuickly) {
  TempDir dir;
  dir.write("c.yaml", huge_map(200000, true));
  const Limited r = run_limited("validate c.yaml", dir, 30);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(first_line(r.output).rfind("c.yaml:", 0), 0u) << r.output;
}

TEST(HostileConfig, AConfigFileLargerThanTheLimitIsRefusedWithoutReadingItAll) {
  TempDir dir;
  const Limited r = run_limited("validate /dev/zero", dir, 30);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(first_line(r.output).rfind("/dev/zero:", 0), 0u) << r.output;
}

// ---- Numbers too large for their parsers -------------------------------------------------------

TEST(HostileConfig, ARangeBoundTooLargeIsALocatedError) {
  TempDir dir;
  dir.write("c.yaml", "data: {dataset: synthetic}\n");
  const Limited r = run_limited("validate c.yaml seed=0..99999999999999999999", dir);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(first_line(r.output).rfind("<cli>:arg", 0), 0u) << r.output;
  EXPECT_EQ(r.output.find("stoll"), std::string::npos) << r.output;
}

TEST(HostileConfig, AListIndexOfTwentyDigitsIsALocatedError) {
  TempDir dir;
  const auto file = dir.write(
      "c.yaml", "data: {dataset: synthetic}\nmodel: {type: cnn, conv: [{out_channels: 4}]}\n");
  const std::string error = config_error([&] {
    load_run_spec(file.string(), {{"model.conv.99999999999999999999.out_channels=3", 1}});
  });
  EXPECT_EQ(error.rfind("<cli>:arg1: error: ", 0), 0u) << error;
  const std::string removal = config_error([&] {
    load_run_spec(file.string(), {{"~model.conv.99999999999999999999", 1}});
  });
  EXPECT_EQ(removal.rfind("<cli>:arg1: error: ", 0), 0u) << removal;
}

TEST(HostileConfig, ADeviceIndexTooLargeIsALocatedError) {
  TempDir dir;
  dir.write("c.yaml", "data: {dataset: synthetic}\ntrain: {device: cuda:99999999999999999999}\n");
  const Limited r = run_limited("validate c.yaml", dir);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(first_line(r.output).rfind("c.yaml:2:17: error: ", 0), 0u) << r.output;
  EXPECT_EQ(r.output.find("Exception raised"), std::string::npos) << r.output;
}

TEST(HostileConfig, WidthsThatNeedTerabytesAreALocatedError) {
  TempDir dir;
  dir.write("c.yaml", "data: {dataset: synthetic}\n");
  const Limited r = run_limited("validate c.yaml model.hidden=[1000000,1000000]", dir);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(first_line(r.output).rfind("<cli>:arg", 0), 0u) << r.output;
  EXPECT_NE(r.output.find("parameters"), std::string::npos) << r.output;
}

TEST(HostileConfig, ThreadsBeyondTheLimitAreALocatedError) {
  TempDir dir;
  const auto file = dir.write("c.yaml", "data: {dataset: synthetic}\ntrain: {threads: 1000}\n");
  const std::string error = config_error([&] { load_run_spec(file.string(), {}); });
  EXPECT_NE(error.find("c.yaml:2:18: error: train.threads = 1000"), std::string::npos) << error;
}

TEST(HostileConfig, AParameterBeyondFloat32IsALocatedError) {
  TempDir dir;
  const auto file = dir.write(
      "c.yaml", "data: {dataset: synthetic}\nmodel: {bias_init: {name: constant, value: 1e308}}\n");
  const std::string error = config_error([&] { load_run_spec(file.string(), {}); });
  EXPECT_NE(error.find("c.yaml:2:44: error: model.bias_init.value = 1e308"), std::string::npos)
      << error;
}

// ---- Sweep plans -------------------------------------------------------------------------------

const char* kBase = "data: {dataset: synthetic}\nmodel: {hidden: [16]}\ntrain: {epochs: 2}\n";

std::string sweep_error(const TempDir& dir, const std::string& sweep_yaml,
                        const std::vector<CliOverride>& overrides = {}) {
  dir.write("base.yaml", kBase);
  const auto file = dir.write("s.yaml", sweep_yaml);
  std::string text = config_error([&] { sweep::plan_sweep(file.string(), overrides); });
  const auto prefix = dir.path().string() + "/";
  for (size_t p; (p = text.find(prefix)) != std::string::npos;) text.erase(p, prefix.size());
  return text;
}

TEST(HostileSweep, AnEmptySeedsListIsRefusedLikeAnEmptyGridList) {
  TempDir dir;
  const std::string error = sweep_error(dir, "base: base.yaml\nseeds: []\n");
  EXPECT_EQ(error.rfind("s.yaml:2:8: error: seeds is empty", 0), 0u) << error;
}

// Four axes of 65,536 values made 2^64 runs, 0 in size_t: the sweep planned nothing and exited 0.
TEST(HostileSweep, ARunCountThatOverflowsIsRefused) {
  TempDir dir;
  for (const char* size : {"1..65536", "1..40000"}) {
    const std::string error = sweep_error(dir, "base: base.yaml\n",
                                          {{std::string("seed=0..") + (size + 3), 1},
                                           {std::string("train.epochs=") + size, 2},
                                           {std::string("data.batch_size=") + size, 3},
                                           {std::string("model.hidden.0=") + size, 4}});
    EXPECT_EQ(error.rfind("<cli>:arg", 0), 0u) << error;
    EXPECT_NE(error.find("more than"), std::string::npos) << error;
  }
}

TEST(HostileSweep, APlanOverTheRunLimitIsRefusedBeforeMemoryIsSpent) {
  TempDir dir;
  dir.write("c.yaml", kBase);
  const Limited r =
      run_limited("sweep c.yaml seed=0..29999 model.activation=relu,tanh --dry-run", dir, 60);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(first_line(r.output).rfind("<cli>:arg", 0), 0u) << r.output;
  EXPECT_NE(r.output.find("60000 runs"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "results"));
}

TEST(HostileSweep, ARangeOfAMillionValuesIsRefused) {
  TempDir dir;
  dir.write("c.yaml", kBase);
  const Limited r = run_limited("sweep c.yaml seed=0..999999 --dry-run", dir, 60);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(first_line(r.output).rfind("<cli>:arg", 0), 0u) << r.output;
}

TEST(HostileSweep, ASecondDocumentInASweepFileIsRefused) {
  TempDir dir;
  const std::string error = sweep_error(dir, "base: base.yaml\nseeds: [0]\n---\nseeds: [1, 2]\n");
  EXPECT_EQ(error.rfind("s.yaml:3:1: error: ", 0), 0u) << error;
}

// ---- A damaged results database ---------------------------------------------------------------

TEST(HostileStore, MalformedStoredVariedKeysIsAOneLineErrorNamingTheDatabase) {
  for (const std::string stored : {"not json", "[1, 2]", "{\"a\": 1}"}) {
    TempDir dir;
    {
      store::ResultsDb db(dir.path() / "results.db");
      db.set_info("varied_keys", stored);
    }
    try {
      report::load_report(dir.path(), {});
      ADD_FAILURE() << "no error for " << stored;
    } catch (const Error& e) {
      const std::string text = e.what();
      EXPECT_EQ(text.find('\n'), std::string::npos) << text;
      EXPECT_NE(text.find("results.db"), std::string::npos) << text;
      EXPECT_NE(text.find("varied_keys"), std::string::npos) << text;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not an actbench error for " << stored << ": " << e.what();
    }
  }
}

}  // namespace
}  // namespace actbench::config
