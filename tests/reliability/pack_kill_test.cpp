// SIGKILL during a packed sweep (`actbench sweep --pack`), at seeded moments, then --resume: every
// planned run finished exactly once (one run directory each, one database row each), the database
// intact, no temporary file anywhere, and each run's test accuracy that of an uninterrupted packed
// sweep. Packs are re-formed from what is unfinished, so a resumed pack may hold fewer members.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
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

constexpr size_t kRuns = 6;

std::map<std::string, double> accuracies(const fs::path& sweep, std::string* integrity,
                                         std::map<core::RunStatus, int64_t>* counts) {
  store::ResultsDb db(sweep / "results.db");
  *integrity = db.integrity_check();
  *counts = db.status_counts();
  std::map<std::string, double> out;
  for (const auto& row : db.runs())
    if (row.test_accuracy) out[row.run_id] = *row.test_accuracy;
  return out;
}

size_t with_file(const fs::path& runs, const char* file) {
  size_t n = 0;
  if (!fs::exists(runs)) return 0;
  for (const auto& entry : fs::directory_iterator(runs))
    n += entry.is_directory() && fs::exists(entry.path() / file) ? 1 : 0;
  return n;
}

bool pack_workers_gone(const fs::path& sweep) {
  return wait_until([&] { return !any_process_mentions(sweep.string() + "/packs/"); }, 10s);
}

TEST(PackKill, SigkillDuringAPackedSweepThenResumeFinishesEveryMemberOnce) {
  TempDir dir;
  dir.write("base.yaml",
            "data: {dataset: synthetic, batch_size: 64}\nmodel: {hidden: [32, 32]}\n"
            "optim: {name: adam, lr: 0.003}\ntrain: {epochs: 4}\n");
  dir.write("s.yaml", "name: pk\nbase: base.yaml\nseeds: [0, 1, 2, 3, 4, 5]\n");
  const auto reference =
      run_cli("sweep s.yaml --pack 3 --workers 1 --dir reference", dir.path().string());
  ASSERT_EQ(reference.exit_code, 0) << reference.output;
  ASSERT_NE(reference.output.find("2 packs of 6 runs"), std::string::npos) << reference.output;
  std::string integrity;
  std::map<core::RunStatus, int64_t> counts;
  const auto expected = accuracies(dir.path() / "reference", &integrity, &counts);
  ASSERT_EQ(expected.size(), kRuns);

  std::mt19937 random(20261206);
  int killed_mid_sweep = 0;
  // Two kinds of moment, trial % 2.
  const int trials = actbench::testing::kill_trials(4, 2);
  for (int trial = 0; trial < trials; ++trial) {
    const std::string sub = "killed" + std::to_string(trial);
    const fs::path sweep = dir.path() / sub;
    const pid_t pid = start_cli({"sweep", "s.yaml", "--pack", "3", "--workers", "1", "--dir", sub},
                                dir.path(), dir.path() / (sub + ".log"));
    // During the first pack (its members' metrics.csv exist), or after it finished (summaries).
    const char* file = trial % 2 == 0 ? "metrics.csv" : "summary.json";
    const size_t threshold = trial % 2 == 0 ? 1 : 3;
    wait_until([&] { return with_file(sweep / "runs", file) >= threshold; }, 60s, 1ms);
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 200)(random)));
    int early = 0;
    const bool still_running = ::waitpid(pid, &early, WNOHANG) == 0;
    killed_mid_sweep += still_running ? 1 : 0;
    // A sweep that already finished was reaped by the waitpid above; waiting again would fail.
    if (still_running) {
      ::kill(pid, SIGKILL);
      ASSERT_TRUE(wait_for_exit(pid, 10s).has_value());
    }
    ASSERT_TRUE(pack_workers_gone(sweep));
    SCOPED_TRACE(std::string("trial ") + std::to_string(trial) + ": killed after " + file);

    const auto resumed = run_cli("sweep s.yaml --pack 3 --workers 1 --dir " + sub + " --resume",
                                 dir.path().string());
    ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
    const auto after = accuracies(sweep, &integrity, &counts);
    EXPECT_EQ(integrity, "ok");
    EXPECT_EQ(counts, (std::map<core::RunStatus, int64_t>{{core::RunStatus::kCompleted, kRuns}}));
    ASSERT_EQ(after.size(), kRuns);
    for (const auto& [run_id, accuracy] : expected)
      EXPECT_NEAR(after.at(run_id), accuracy, 1e-9) << run_id;
    EXPECT_EQ(leftover_temporaries(sweep), std::vector<std::string>{});
    size_t run_dirs = 0;
    for (const auto& entry : fs::directory_iterator(sweep / "runs"))
      run_dirs += entry.is_directory() ? 1 : 0;
    EXPECT_EQ(run_dirs, kRuns);
    EXPECT_EQ(with_file(sweep / "runs", "summary.json"), kRuns);
  }
  EXPECT_GE(killed_mid_sweep, trials - 1);
}

TEST(PackSweep, DryRunShowsThePacksAndWhyRunsStayAlone) {
  TempDir dir;
  dir.write("base.yaml",
            "data: {dataset: synthetic, batch_size: 64}\nmodel: {hidden: [16]}\n"
            "train: {epochs: 1}\n");
  const auto out =
      run_cli("sweep base.yaml seed=0..4 model.activation=relu,prelu --pack 4 --dry-run",
              dir.path().string());
  ASSERT_EQ(out.exit_code, 0) << out.output;
  EXPECT_NE(out.output.find("10 runs"), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("packs: 1 pack of 4 runs, 6 runs alone"), std::string::npos)
      << out.output;
  EXPECT_NE(out.output.find("5 runs alone: activation prelu has trainable parameters"),
            std::string::npos)
      << out.output;
  EXPECT_NE(out.output.find("the last of its group"), std::string::npos) << out.output;
  EXPECT_FALSE(fs::exists(dir.path() / "results"));
}

// Runs that differ in activation share a pack (a mixed pack): the zoo's deep narrow sweep is one
// pack of every packable activation x 3 seeds; only what a pack cannot hold runs alone.
TEST(PackSweep, TheZooIsPlannedAsOneMixedPack) {
  TempDir dir;
  const auto out = run_cli(std::string("sweep ") + ACTBENCH_SOURCE_DIR +
                               "/experiments/activation_zoo_deep_narrow.yaml --pack 64 --dry-run "
                               "--dir " +
                               (dir.path() / "zoo").string(),
                           dir.path().string());
  ASSERT_EQ(out.exit_code, 0) << out.output;
  EXPECT_NE(out.output.find("packs: 1 pack of 57 runs, 9 runs alone"), std::string::npos)
      << out.output;
  for (const char* why : {"3 runs alone: activation maxout feeds 2 pre-activations to one unit",
                          "3 runs alone: activation prelu has trainable parameters",
                          "3 runs alone: activation rrelu is random in training"})
    EXPECT_NE(out.output.find(why), std::string::npos) << why << "\n" << out.output;
}

}  // namespace
}  // namespace actbench::reliability
