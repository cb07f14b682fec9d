// SIGINT and SIGTERM sent to a real `actbench run` process: the first signal stops training at the
// next step and the run directory records status `interrupted` with every file whole; a second
// signal exits at once, even in the middle of a long step, and leaves no temporary file.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/interrupt.hpp"
#include "reliability/process_helpers.hpp"
#include "support/run_helpers.hpp"

namespace actbench::reliability {
namespace {

using actbench::testing::leftover_temporaries;
using actbench::testing::read_json;
using actbench::testing::start_cli;
using actbench::testing::TempDir;
using actbench::testing::wait_for_exit;
using actbench::testing::wait_until;
using namespace std::chrono_literals;

std::string log_of(const TempDir& dir) { return core::read_file(dir.path() / "log.txt"); }

// Every line of metrics.csv is a whole row: five fields and a newline.
void expect_whole_metrics(const std::filesystem::path& file) {
  const std::string csv = core::read_file(file);
  ASSERT_FALSE(csv.empty());
  EXPECT_EQ(csv.rfind("epoch,step,layer,metric,value\n", 0), 0u);
  EXPECT_EQ(csv.back(), '\n');
  std::istringstream lines(csv);
  std::string line;
  while (std::getline(lines, line)) EXPECT_EQ(std::count(line.begin(), line.end(), ','), 4) << line;
}

class InterruptedRun : public ::testing::TestWithParam<int> {};

TEST_P(InterruptedRun, StopsAtTheNextStepAndRecordsInterrupted) {
  const int signal = GetParam();
  TempDir dir;
  // Many short steps and far more epochs than the test waits for: the signal lands mid-training.
  dir.write("c.yaml",
            "data: {dataset: synthetic, batch_size: 8}\nmodel: {hidden: [256, 256]}\n"
            "train: {epochs: 1000, progress: never}\n");
  const auto run = dir.path() / "run";
  const pid_t pid =
      start_cli({"run", "c.yaml", "--run-dir", "run"}, dir.path(), dir.path() / "log.txt");
  // metrics.csv appears with the epoch-0 record, right before the first training step.
  ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(run / "metrics.csv"); }, 60s))
      << log_of(dir);
  std::this_thread::sleep_for(300ms);
  const auto sent = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(pid, signal), 0);
  const auto status = wait_for_exit(pid, 30s);
  ASSERT_TRUE(status.has_value()) << "still running 30 s after the signal\n" << log_of(dir);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
  ASSERT_TRUE(WIFEXITED(*status)) << "killed by signal " << WTERMSIG(*status) << "\n"
                                  << log_of(dir);
  EXPECT_EQ(WEXITSTATUS(*status), 128 + signal) << "the shell's 128 + signal\n" << log_of(dir);
  EXPECT_LT(seconds, 10.0) << "a step of this run takes milliseconds";

  const auto meta = read_json(run / "meta.json");
  EXPECT_EQ(meta["status"], "interrupted");
  EXPECT_NE(meta.value("reason", "").find("interrupted by a signal"), std::string::npos);
  EXPECT_TRUE(meta.contains("end_time"));
  const auto summary = read_json(run / "summary.json");
  EXPECT_EQ(summary["status"], "interrupted");
  EXPECT_LT(summary["epochs"].get<int>(), 1000);
  EXPECT_GT(summary["steps"].get<int>(), 0) << "the signal should land after training started";
  expect_whole_metrics(run / "metrics.csv");
  EXPECT_NE(core::read_file(run / "config.yaml").find("epochs: 1000"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(run / "overrides.txt"));
  EXPECT_GT(std::filesystem::file_size(run / "weights.pt"), 0u);
  EXPECT_EQ(leftover_temporaries(dir.path()), std::vector<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(Signals, InterruptedRun, ::testing::Values(SIGINT, SIGTERM),
                         [](const auto& info) {
                           return std::string(info.param == SIGINT ? "Sigint" : "Sigterm");
                         });

TEST(InterruptedRun, ASecondSigintExitsAtOnceDuringASlowStep) {
  TempDir dir;
  // One step per epoch over the whole training set through two 4096-wide layers: each step takes
  // seconds, far longer than the test waits between the two signals and for the exit.
  dir.write("c.yaml",
            "data: {dataset: synthetic, batch_size: 2048}\nmodel: {hidden: [4096, 4096]}\n"
            "train: {epochs: 1000, progress: never}\nprobes: {enabled: false}\n");
  const auto run = dir.path() / "run";
  const pid_t pid =
      start_cli({"run", "c.yaml", "--run-dir", "run"}, dir.path(), dir.path() / "log.txt");
  ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(run / "metrics.csv"); }, 60s))
      << log_of(dir);
  std::this_thread::sleep_for(200ms);
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  std::this_thread::sleep_for(100ms);
  int early = 0;
  ASSERT_EQ(::waitpid(pid, &early, WNOHANG), 0) << "the first SIGINT must not end the step";
  const auto sent = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  const auto status = wait_for_exit(pid, 30s);
  ASSERT_TRUE(status.has_value()) << log_of(dir);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
  ASSERT_TRUE(WIFEXITED(*status)) << log_of(dir);
  EXPECT_EQ(WEXITSTATUS(*status), 130);
  EXPECT_LT(seconds, 1.0);
  EXPECT_NE(log_of(dir).find("interrupted again, exiting now"), std::string::npos) << log_of(dir);
  // It did not wait for the step to end and record the run: no summary, meta.json as written at
  // the start, whole.
  EXPECT_FALSE(std::filesystem::exists(run / "summary.json"));
  EXPECT_EQ(read_json(run / "meta.json")["status"], "running");
  expect_whole_metrics(run / "metrics.csv");
  EXPECT_EQ(leftover_temporaries(dir.path()), std::vector<std::string>{});
}

// A second signal during an atomic file write waits for the rename, then exits: the run directory
// never keeps a temporary file (core::ExitDeferral, held by every run-directory write).
TEST(InterruptedRun, ASecondSignalDuringAFileWriteExitsAfterIt) {
  TempDir dir;
  const auto written = dir.path() / "written";
  const auto after = dir.path() / "after";
  const pid_t pid = ::fork();
  if (pid == 0) {
    core::install_interrupt_handlers();
    {
      const core::ExitDeferral deferral;
      ::raise(SIGINT);
      ::raise(SIGINT);  // would _exit(130) here without the deferral
      std::ofstream(written) << "whole";
    }
    std::ofstream(after) << "should not be reached";
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_EQ(core::read_file(written), "whole");
  EXPECT_FALSE(std::filesystem::exists(after));
}

}  // namespace
}  // namespace actbench::reliability
