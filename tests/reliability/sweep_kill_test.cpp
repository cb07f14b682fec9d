// SIGKILL at seeded random moments during a sweep (during a run, right after a run finished and
// while its results go into the database, at a random time), then --resume: exactly the planned
// runs, an intact database, no temporary file anywhere, and metrics identical to an uninterrupted
// sweep's. Also: the same sweep with one worker and with two gives identical metrics per run.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "reliability/process_helpers.hpp"
#include "store/results_db.hpp"
#include "support/run_helpers.hpp"

namespace actbench::reliability {
namespace {

using actbench::testing::any_process_mentions;
using actbench::testing::leftover_temporaries;
using actbench::testing::run_cli;
using actbench::testing::start_cli;
using actbench::testing::TempDir;
using actbench::testing::wait_for_exit;
using actbench::testing::wait_until;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr size_t kPlannedRuns = 4;

void write_sweep(const TempDir& dir) {
  dir.write("base.yaml",
            "data: {dataset: synthetic, batch_size: 64}\nmodel: {hidden: [32]}\n"
            "train: {epochs: 2}\n");
  dir.write("s.yaml",
            "name: k\nbase: base.yaml\ngrid: {model.activation: [relu, tanh]}\n"
            "seeds: [0, 1]\n");
}

// What a finished sweep holds: per run id, its metrics.csv and its test accuracy in the database.
struct SweepResults {
  std::map<std::string, std::string> metrics_csv;
  std::map<std::string, double> accuracy;
  std::map<core::RunStatus, int64_t> status_counts;
  std::string integrity;
  size_t database_runs = 0;
  size_t database_metric_rows = 0;
};

SweepResults read_results(const fs::path& sweep) {
  SweepResults results;
  store::ResultsDb db(sweep / "results.db");
  results.integrity = db.integrity_check();
  results.status_counts = db.status_counts();
  for (const auto& row : db.runs()) {
    ++results.database_runs;
    if (row.test_accuracy) results.accuracy[row.run_id] = *row.test_accuracy;
    const auto csv = sweep / row.directory / "metrics.csv";
    if (fs::exists(csv)) results.metrics_csv[row.run_id] = core::read_file(csv);
  }
  results.database_metric_rows = db.epoch_values("train_loss").size();
  return results;
}

size_t count(const fs::path& runs, const char* file) {
  size_t n = 0;
  if (!fs::exists(runs)) return 0;
  for (const auto& entry : fs::directory_iterator(runs))
    n += entry.is_directory() && fs::exists(entry.path() / file) ? 1 : 0;
  return n;
}

// Workers die with the sweep (PR_SET_PDEATHSIG), but asynchronously: wait until no process still
// has this sweep directory on its command line.
bool workers_gone(const fs::path& sweep) {
  return wait_until([&] { return !any_process_mentions(sweep.string() + "/runs/"); }, 10s);
}

TEST(SweepKill, SigkillAtSeededMomentsThenResumeGivesTheUninterruptedResults) {
  TempDir dir;
  write_sweep(dir);
  const auto started = std::chrono::steady_clock::now();
  const auto reference = run_cli("sweep s.yaml --workers 2 --dir reference", dir.path().string());
  const double reference_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_EQ(reference.exit_code, 0) << reference.output;
  const SweepResults expected = read_results(dir.path() / "reference");
  ASSERT_EQ(expected.accuracy.size(), kPlannedRuns);
  ASSERT_EQ(expected.metrics_csv.size(), kPlannedRuns);

  // Seeded, so a failing trial can be replayed; the seed and every moment are in the trace.
  std::mt19937 random(20240611);
  // Three kinds of moment, trial % 3.
  const int trials = actbench::testing::kill_trials(10, 3);
  int killed_mid_sweep = 0;
  for (int trial = 0; trial < trials; ++trial) {
    const std::string sub = "killed" + std::to_string(trial);
    const fs::path sweep = dir.path() / sub;
    const pid_t pid = start_cli({"sweep", "s.yaml", "--workers", "2", "--dir", sub}, dir.path(),
                                dir.path() / (sub + ".log"));
    std::string moment;
    const int kind = trial % 3;
    const int nth =
        std::uniform_int_distribution<int>(1, static_cast<int>(kPlannedRuns) - 1)(random);
    const double fraction = std::uniform_real_distribution<double>(0.05, 0.9)(random);
    if (kind == 0) {
      // During a run: as soon as the nth run has begun writing metrics.
      moment = "when " + std::to_string(nth) + " runs had metrics.csv";
      wait_until([&] { return count(sweep / "runs", "metrics.csv") >= static_cast<size_t>(nth); },
                 60s);
    } else if (kind == 1) {
      // Between runs: the nth summary.json exists, so the worker is done and the sweep is about to
      // record (or is recording) it in the database.
      moment = "when " + std::to_string(nth) + " runs had summary.json";
      wait_until([&] { return count(sweep / "runs", "summary.json") >= static_cast<size_t>(nth); },
                 60s, 1ms);
    } else {
      moment = "after " + std::to_string(fraction) + " of the reference sweep's time";
      std::this_thread::sleep_for(std::chrono::duration<double>(fraction * reference_seconds));
    }
    SCOPED_TRACE("trial " + std::to_string(trial) + ": SIGKILL " + moment);
    int early = 0;
    const bool still_running = ::waitpid(pid, &early, WNOHANG) == 0;
    killed_mid_sweep += still_running ? 1 : 0;
    // A sweep that already finished was reaped by the waitpid above; waiting again would fail.
    if (still_running) {
      ::kill(pid, SIGKILL);
      ASSERT_TRUE(wait_for_exit(pid, 10s).has_value());
    }
    ASSERT_TRUE(workers_gone(sweep));

    const auto resumed =
        run_cli("sweep s.yaml --workers 2 --dir " + sub + " --resume", dir.path().string());
    ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
    const SweepResults after = read_results(sweep);
    EXPECT_EQ(after.integrity, "ok");
    EXPECT_EQ(after.database_runs, kPlannedRuns);
    EXPECT_EQ(after.status_counts,
              (std::map<core::RunStatus, int64_t>{{core::RunStatus::kCompleted, kPlannedRuns}}));
    EXPECT_EQ(after.accuracy, expected.accuracy);
    EXPECT_EQ(after.metrics_csv, expected.metrics_csv);
    EXPECT_EQ(after.database_metric_rows, expected.database_metric_rows);
    EXPECT_EQ(leftover_temporaries(sweep), std::vector<std::string>{});
    size_t run_dirs = 0;
    for (const auto& entry : fs::directory_iterator(sweep / "runs"))
      run_dirs += entry.is_directory() ? 1 : 0;
    EXPECT_EQ(run_dirs, kPlannedRuns);
  }
  // Most kills must land while the sweep runs, or the test proves little.
  EXPECT_GE(killed_mid_sweep, trials - 2);
}

TEST(SweepDeterminism, OneWorkerAndTwoWorkersGiveIdenticalMetricsPerRun) {
  TempDir dir;
  write_sweep(dir);
  const auto one = run_cli("sweep s.yaml --workers 1 --dir one", dir.path().string());
  ASSERT_EQ(one.exit_code, 0) << one.output;
  const auto two = run_cli("sweep s.yaml --workers 2 --dir two", dir.path().string());
  ASSERT_EQ(two.exit_code, 0) << two.output;
  const SweepResults a = read_results(dir.path() / "one");
  const SweepResults b = read_results(dir.path() / "two");
  ASSERT_EQ(a.metrics_csv.size(), kPlannedRuns);
  EXPECT_EQ(a.accuracy, b.accuracy);
  for (const auto& [run_id, csv] : a.metrics_csv)
    EXPECT_EQ(csv, b.metrics_csv.at(run_id)) << run_id;
  // Different seeds and activations must give different numbers, or equality proves nothing.
  std::set<std::string> distinct;
  for (const auto& [run_id, csv] : a.metrics_csv) distinct.insert(csv);
  EXPECT_EQ(distinct.size(), kPlannedRuns);
}

}  // namespace
}  // namespace actbench::reliability
