// Growing a finished sweep (more seeds, more values of an axis, with --resume): only the new runs
// train, the finished ones keep their ids, files and database rows, nothing is duplicated, a kill
// -9 while growing resumes like any sweep; a plan that drops or changes a run is refused, naming
// what differs. Also what Ctrl-C in a sweep prints, and `validate` and `report` given a sweep file
// or a single run.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <set>

#include "reliability/process_helpers.hpp"
#include "store/results_db.hpp"
#include "support/run_helpers.hpp"
#include "sweep/sweep_plan.hpp"

namespace actbench::sweep::grow_test {
namespace {

using actbench::testing::run_cli;
using actbench::testing::TempDir;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

void write_files(const TempDir& dir, int epochs = 2) {
  dir.write("base.yaml",
            "data: {dataset: synthetic, batch_size: 64}\nmodel: {hidden: [16]}\n"
            "train: {epochs: " +
                std::to_string(epochs) + "}\n");
  dir.write("s.yaml",
            "name: g\nbase: base.yaml\ngrid: {model.activation: [relu, tanh]}\n"
            "seeds: [0]\n");
}

// What a finished run leaves that a retraining would rewrite: its files and its database row.
struct Finished {
  std::string summary, metrics, finished_at;
  fs::file_time_type written;
  int64_t position = 0;
};

std::map<std::string, Finished> finished_runs(const fs::path& sweep) {
  std::map<std::string, Finished> out;
  store::ResultsDb db(sweep / "results.db");
  for (const auto& row : db.runs()) {
    Finished f;
    f.summary = core::read_file(sweep / row.directory / "summary.json");
    f.metrics = core::read_file(sweep / row.directory / "metrics.csv");
    f.written = fs::last_write_time(sweep / row.directory / "summary.json");
    f.position = row.position;
    out[row.run_id] = f;
  }
  return out;
}

std::vector<std::string> planned_ids(const TempDir& dir,
                                     const std::vector<std::string>& overrides) {
  std::vector<config::CliOverride> located;
  for (const auto& o : overrides) located.push_back({o, 0});
  std::vector<std::string> ids;
  for (const auto& run : plan_sweep((dir.path() / "s.yaml").string(), located).runs)
    ids.push_back(run.planned.run_id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST(SweepGrow, MoreSeedsThenMoreValuesTrainOnlyTheNewRuns) {
  TempDir dir;
  write_files(dir);
  const auto first = run_cli("sweep s.yaml --workers 2 --dir out", dir.path().string());
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto before = finished_runs(dir.path() / "out");
  ASSERT_EQ(before.size(), 2u);

  const auto seeds =
      run_cli("sweep s.yaml seed=0..2 --workers 2 --dir out --resume", dir.path().string());
  ASSERT_EQ(seeds.exit_code, 0) << seeds.output;
  EXPECT_NE(seeds.output.find("6 runs planned (4 added to the sweep), 2 already finished, 4 to "
                              "run"),
            std::string::npos)
      << seeds.output;
  const auto grown = run_cli(
      "sweep s.yaml model.activation=relu,tanh,sigmoid seed=0,1,2 --workers 2 --dir out --resume",
      dir.path().string());
  ASSERT_EQ(grown.exit_code, 0) << grown.output;
  EXPECT_NE(grown.output.find("9 runs planned (3 added to the sweep), 6 already finished"),
            std::string::npos)
      << grown.output;

  const auto after = finished_runs(dir.path() / "out");
  store::ResultsDb db(dir.path() / "out" / "results.db");
  const auto rows = db.runs();
  // Exactly the runs a fresh sweep of the grown plan would have, each once, each finished.
  std::vector<std::string> ids;
  std::set<int64_t> positions;
  for (const auto& row : rows) {
    ids.push_back(row.run_id);
    positions.insert(row.position);
    EXPECT_EQ(row.status, core::RunStatus::kCompleted) << row.run_id << " " << row.reason;
    EXPECT_EQ(row.params.count("seed"), 1u) << row.run_id;
  }
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, planned_ids(dir, {"model.activation=relu,tanh,sigmoid", "seed=0,1,2"}));
  EXPECT_EQ(positions.size(), rows.size()) << "two runs share a position";
  size_t run_dirs = 0;
  for (const auto& entry : fs::directory_iterator(dir.path() / "out" / "runs"))
    run_dirs += entry.is_directory() ? 1 : 0;
  EXPECT_EQ(run_dirs, 9u);
  // The first sweep's runs were not trained again: same files, same time, same place in order.
  for (const auto& [id, f] : before) {
    ASSERT_EQ(after.count(id), 1u) << id;
    EXPECT_EQ(after.at(id).summary, f.summary) << id;
    EXPECT_EQ(after.at(id).metrics, f.metrics) << id;
    EXPECT_EQ(after.at(id).written, f.written) << id;
    EXPECT_EQ(after.at(id).position, f.position) << id;
  }
  // The report groups all of them: three seeds per activation.
  const auto report = run_cli("report out", dir.path().string());
  ASSERT_EQ(report.exit_code, 0) << report.output;
  for (const char* activation : {"| relu | 3 |", "| tanh | 3 |", "| sigmoid | 3 |"})
    EXPECT_NE(report.output.find(activation), std::string::npos) << report.output;
}

TEST(SweepGrow, APlanThatChangesOrDropsRunsIsRefusedSayingWhatDiffers) {
  TempDir dir;
  write_files(dir);
  ASSERT_EQ(run_cli("sweep s.yaml seed=0,1 --workers 2 --dir out", dir.path().string()).exit_code,
            0);
  const auto before = finished_runs(dir.path() / "out");

  const auto changed =
      run_cli("sweep s.yaml seed=0,1 train.epochs=3 --dir out --resume", dir.path().string());
  EXPECT_EQ(changed.exit_code, 1) << changed.output;
  EXPECT_NE(changed.output.find("planned differently: 4 of its runs are not in this plan"),
            std::string::npos)
      << changed.output;
  EXPECT_NE(changed.output.find("train.epochs: 2 in the sweep, 3 in this plan"), std::string::npos)
      << changed.output;

  const auto dropped = run_cli("sweep s.yaml seed=0 --dir out --resume", dir.path().string());
  EXPECT_EQ(dropped.exit_code, 1) << dropped.output;
  EXPECT_NE(dropped.output.find("seed: 1 in the sweep, 0 in this plan"), std::string::npos)
      << dropped.output;
  // Refused before anything was touched.
  EXPECT_EQ(finished_runs(dir.path() / "out").size(), before.size());
  for (const auto& [id, f] : finished_runs(dir.path() / "out"))
    EXPECT_EQ(f.written, before.at(id).written) << id;
}

// kill -9 while the sweep grows, then the same command again: every run once, the first sweep's
// runs untouched.
TEST(SweepGrow, KilledWhileGrowingThenResumedGivesEveryRunOnce) {
  TempDir dir;
  write_files(dir, 6);
  ASSERT_EQ(run_cli("sweep s.yaml --workers 2 --dir out", dir.path().string()).exit_code, 0);
  const auto before = finished_runs(dir.path() / "out");
  const std::vector<std::string> grow{"sweep", "s.yaml", "seed=0,1,2", "--workers",
                                      "2",     "--dir",  "out",        "--resume"};
  const pid_t pid = actbench::testing::start_cli(grow, dir.path(), dir.path() / "grow.log");
  // As soon as a new run writes metrics: the plan is in the database, runs are under way.
  const bool started = actbench::testing::wait_until(
      [&] {
        size_t with_metrics = 0;
        std::error_code error;
        for (const auto& entry : fs::directory_iterator(dir.path() / "out" / "runs", error))
          with_metrics += fs::exists(entry.path() / "metrics.csv") ? 1 : 0;
        return with_metrics > before.size();
      },
      60s);
  ::kill(pid, SIGKILL);
  ASSERT_TRUE(actbench::testing::wait_for_exit(pid, 10s).has_value());
  EXPECT_TRUE(started) << core::read_file(dir.path() / "grow.log");
  std::this_thread::sleep_for(300ms);  // workers die with the sweep (PR_SET_PDEATHSIG)

  const auto resumed =
      run_cli("sweep s.yaml seed=0,1,2 --workers 2 --dir out --resume", dir.path().string());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  store::ResultsDb db(dir.path() / "out" / "results.db");
  EXPECT_EQ(db.integrity_check(), "ok");
  EXPECT_EQ(db.status_counts(),
            (std::map<core::RunStatus, int64_t>{{core::RunStatus::kCompleted, 6}}));
  EXPECT_EQ(db.runs().size(), 6u);
  const auto after = finished_runs(dir.path() / "out");
  for (const auto& [id, f] : before) EXPECT_EQ(after.at(id).written, f.written) << id;
}

// Ctrl-C (SIGINT to the whole foreground group, as a terminal sends it): no report of a sweep that
// did not finish, but how far it got and the command that resumes it, which does.
TEST(SweepInterrupt, SaysHowFarItGotAndTheCommandThatResumesIt) {
  TempDir dir;
  write_files(dir, 8);
  const fs::path log = dir.path() / "sweep.log";
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    if (::chdir(dir.path().c_str()) != 0) ::_exit(126);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::execl(ACTBENCH_CLI, ACTBENCH_CLI, "sweep", "s.yaml", "seed=0,1", "--workers", "1", "--dir",
            "my out", nullptr);
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  const bool one_finished = actbench::testing::wait_until(
      [&] {
        std::error_code error;
        for (const auto& entry : fs::directory_iterator(dir.path() / "my out" / "runs", error))
          if (fs::exists(entry.path() / "summary.json")) return true;
        return false;
      },
      120s);
  ::kill(-pid, SIGINT);
  const auto status = actbench::testing::wait_for_exit(pid, 60s);
  ASSERT_TRUE(status.has_value());
  const std::string output = core::read_file(log);
  ASSERT_TRUE(one_finished) << output;
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 130) << output;
  const std::regex said("sweep interrupted: ([0-9]+) of 4 runs finished");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(output, match, said)) << output;
  const int finished = std::stoi(match[1]);
  EXPECT_GE(finished, 1);
  EXPECT_LT(finished, 4);
  EXPECT_EQ(output.find("| model.activation |"), std::string::npos) << "a report was printed";
  EXPECT_EQ(output.find("results in"), std::string::npos) << output;
  const std::string prefix = "resume it with: ";
  const auto at = output.find(prefix);
  ASSERT_NE(at, std::string::npos) << output;
  const std::string command =
      output.substr(at + prefix.size(), output.find('\n', at) - at - prefix.size());
  EXPECT_EQ(command, std::string(ACTBENCH_CLI) +
                         " sweep s.yaml seed=0,1 --workers 1 --dir 'my out' --resume");
  // The printed command, run by a shell as printed, finishes the sweep.
  const auto resumed =
      run_cli(command.substr(std::string(ACTBENCH_CLI).size() + 1), dir.path().string());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find(std::to_string(finished) + " already finished"), std::string::npos)
      << resumed.output;
  store::ResultsDb db(dir.path() / "my out" / "results.db");
  EXPECT_EQ(db.status_counts(),
            (std::map<core::RunStatus, int64_t>{{core::RunStatus::kCompleted, 4}}));
}

TEST(SweepFiles, ValidateChecksASweepFileAsSweepPlansIt) {
  TempDir dir;
  write_files(dir);
  const auto ok = run_cli("validate s.yaml seed=0,1", dir.path().string());
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("ok: s.yaml — a sweep file, every run's config is valid"),
            std::string::npos)
      << ok.output;
  EXPECT_NE(ok.output.find("sweep g: 4 runs"), std::string::npos) << ok.output;
  EXPECT_FALSE(fs::exists(dir.path() / "results"));
  dir.write("bad.yaml", "base: base.yaml\ngrid: {model.activation: [relu, rellu]}\n");
  const auto bad = run_cli("validate bad.yaml", dir.path().string());
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("bad.yaml:2:33: error: unknown activation 'rellu'"), std::string::npos)
      << bad.output;
}

TEST(SweepFiles, ReportOfASingleRunSaysWhatToGiveInstead) {
  TempDir dir;
  dir.write("c.yaml",
            "name: one\ndata: {dataset: synthetic}\nmodel: {hidden: [8]}\n"
            "train: {epochs: 1}\noutput: {dir: results/runs}\n");
  ASSERT_EQ(run_cli("run c.yaml", dir.path().string()).exit_code, 0);
  fs::path run_dir;
  for (const auto& entry : fs::directory_iterator(dir.path() / "results" / "runs"))
    run_dir = entry.path();
  const auto single = run_cli("report " + run_dir.string(), dir.path().string());
  EXPECT_EQ(single.exit_code, 1) << single.output;
  EXPECT_NE(single.output.find("is a single run, not a sweep"), std::string::npos) << single.output;
  EXPECT_NE(single.output.find("actbench sweep " + run_dir.string() + "/config.yaml seed=0,1,2"),
            std::string::npos)
      << single.output;
  const auto folder = run_cli("report results", dir.path().string());
  EXPECT_EQ(folder.exit_code, 1) << folder.output;
  EXPECT_NE(folder.output.find("results holds 1 single run (from `actbench run`), not a sweep"),
            std::string::npos)
      << folder.output;
}

}  // namespace
}  // namespace actbench::sweep::grow_test
