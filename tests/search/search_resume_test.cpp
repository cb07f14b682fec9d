// A real, tiny activation search (`actbench search`, synthetic data) killed with SIGKILL while its
// second round trains, then run again: it finishes every round and the final, and no run recorded
// as finished before the kill is trained again (its summary.json is the one written before the
// kill). A third run of the same command trains nothing at all.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <map>

#include "core/run_status.hpp"
#include "reliability/process_helpers.hpp"
#include "store/results_db.hpp"
#include "support/run_helpers.hpp"

namespace actbench::search::search_resume_test {
namespace {

using actbench::testing::any_process_mentions;
using actbench::testing::run_cli;
using actbench::testing::start_cli;
using actbench::testing::TempDir;
using actbench::testing::wait_for_exit;
using actbench::testing::wait_until;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

void write_search(const TempDir& dir) {
  dir.write("base.yaml",
            "data: {dataset: synthetic, batch_size: 64, train_subset: 512, test_subset: 256}\n"
            "model: {hidden: [16]}\noutput: {save_weights: false}\nprobes: {enabled: false}\n");
  dir.write("second.yaml",
            "data: {dataset: synthetic, batch_size: 64, train_subset: 512, test_subset: 256}\n"
            "model: {hidden: [8, 8]}\ntrain: {epochs: 1}\noutput: {save_weights: false}\n"
            "probes: {enabled: false}\n");
  dir.write("s.yaml",
            "name: tiny\n"
            "space: {unary: [x, tanh, sigmoid], binary: [add, mul]}\n"
            "proxy: {base: base.yaml}\n"
            "rounds:\n"
            "  - {epochs: 1, seeds: 1, keep: 0.5}\n"
            "  - {epochs: 2, seeds: 2, keep_top: 2}\n"
            "baselines: [relu]\n"
            "final: {seeds: 2, epochs: 1, second: {base: second.yaml}}\n"
            "pack: 3\n"
            "workers: 2\n"
            // Each round in two sweeps: the parts resume like whole rounds.
            "sweep_size: 8\n");
}

// summary.json of every finished run under the search, by path, with its modification time.
std::map<std::string, int64_t> finished_runs(const fs::path& search) {
  std::map<std::string, int64_t> found;
  if (!fs::exists(search)) return found;
  for (const auto& entry : fs::recursive_directory_iterator(search)) {
    if (entry.path().filename() != "summary.json") continue;
    struct stat info {};
    if (::stat(entry.path().c_str(), &info) != 0) continue;
    found[entry.path().string()] =
        static_cast<int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
  }
  return found;
}

size_t finished_in(const fs::path& sweep) {
  size_t n = 0;
  for (const auto& [path, time] : finished_runs(sweep)) n += time > 0 ? 1 : 0;
  return n;
}

TEST(SearchResume, AKilledSearchResumesWithoutRetrainingFinishedRuns) {
  TempDir dir;
  write_search(dir);
  const fs::path search = dir.path() / "out";
  const pid_t pid =
      start_cli({"search", "s.yaml", "--out", "out"}, dir.path(), dir.path() / "killed.log");
  // Mid-search: round 0 done, round 1 under way (one of its packs finished).
  const bool mid_round =
      wait_until([&] { return finished_in(search / "round_1_part_0") >= 1; }, 120s);
  ASSERT_TRUE(mid_round) << core::read_file(dir.path() / "killed.log");
  int status = 0;
  const bool still_running = ::waitpid(pid, &status, WNOHANG) == 0;
  if (still_running) {
    ::kill(pid, SIGKILL);
    ASSERT_TRUE(wait_for_exit(pid, 10s).has_value());
  }
  ASSERT_TRUE(wait_until([&] { return !any_process_mentions(search.string()); }, 10s));
  // Finished: recorded in its round's database (the sweep's record of what is done; a run killed
  // after writing its summary but before that record is rerun, as any sweep reruns it).
  std::map<std::string, int64_t> before;
  const std::map<std::string, int64_t> summaries = finished_runs(search);
  for (const auto& round :
       {"round_0_part_0", "round_0_part_1", "round_1_part_0", "round_1_part_1"}) {
    if (!fs::exists(search / round / "results.db")) continue;
    for (const auto& run : store::ResultsDb(search / round / "results.db").runs()) {
      if (!core::has_result(run.status)) continue;
      const std::string summary = (search / round / run.directory / "summary.json").string();
      ASSERT_TRUE(summaries.count(summary)) << summary;
      before[summary] = summaries.at(summary);
    }
  }
  ASSERT_FALSE(before.empty());
  EXPECT_FALSE(fs::exists(search / "final_proxy" / "results.db") && still_running)
      << "killed before the final round";

  const auto resumed = run_cli("search s.yaml --out out", dir.path().string());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("search tiny: 2 finalists"), std::string::npos) << resumed.output;
  const std::map<std::string, int64_t> after = finished_runs(search);
  for (const auto& [path, time] : before) {
    const auto found = after.find(path);
    ASSERT_NE(found, after.end()) << path;
    EXPECT_EQ(found->second, time) << path << " was written again: the run was retrained";
  }
  EXPECT_GT(after.size(), before.size());
  // Every planned run of every round and of the final has its result, once.
  for (const char* sweep : {"round_0_part_0", "round_0_part_1", "round_1_part_0", "round_1_part_1",
                            "final_proxy", "final_second"}) {
    store::ResultsDb db(search / sweep / "results.db");
    int64_t runs = 0, with_result = 0;
    for (const auto& run : db.runs()) {
      ++runs;
      with_result += core::has_result(run.status) ? 1 : 0;
    }
    EXPECT_GT(runs, 0) << sweep;
    EXPECT_EQ(with_result, runs) << sweep;
    EXPECT_EQ(db.integrity_check(), "ok") << sweep;
  }

  // Once more: everything is finished, nothing is trained.
  const auto again = run_cli("search s.yaml --out out", dir.path().string());
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(finished_runs(search), after);
}

}  // namespace
}  // namespace actbench::search::search_resume_test
