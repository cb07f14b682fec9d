// A results directory that is read-only or full: `actbench run` and `actbench sweep` fail with exit
// code 1 and a message naming the path, what was already written stays whole (no temporary file),
// and a sweep resumed once there is space again ends with every planned run.
//
// As root, chmod does not stop writes, so the test mounts a small tmpfs (read-only, or with a few
// hundred KiB); as another user it uses chmod for read-only. Where neither works the test is
// skipped with the reason, never passed.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "reliability/process_helpers.hpp"
#include "store/results_db.hpp"
#include "support/run_helpers.hpp"

namespace actbench::reliability {
namespace {

using actbench::testing::leftover_temporaries;
using actbench::testing::read_json;
using actbench::testing::run_cli;
using actbench::testing::TempDir;
namespace fs = std::filesystem;

// A tmpfs of `size` mounted on `dir` for the scope; `error()` says why when it could not be.
class SmallMount {
 public:
  SmallMount(const fs::path& dir, const std::string& size) : dir_(dir) {
    fs::create_directories(dir);
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::string("mount -t tmpfs failed: ") + std::strerror(errno);
    }
  }
  ~SmallMount() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  bool remount(unsigned long flags, const std::string& size) const {
    return ::mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT | flags, ("size=" + size).c_str()) ==
           0;
  }

 private:
  fs::path dir_;
  bool mounted_ = false;
  std::string error_;
};

const char* kConfig =
    "data: {dataset: synthetic}\nmodel: {hidden: [256, 256]}\ntrain: {epochs: 2}\n";

TEST(FullDisk, RunIntoAReadOnlyDirectoryFailsClearlyAndKeepsWhatIsThere) {
  TempDir dir;
  dir.write("c.yaml", kConfig);
  const fs::path results = dir.path() / "results";
  SmallMount mount(results, "1m");
  if (mount.mounted()) {
    std::ofstream(results / "earlier.txt") << "an earlier result";
    ASSERT_TRUE(mount.remount(MS_RDONLY, "1m")) << std::strerror(errno);
  } else if (::geteuid() != 0) {
    std::ofstream(results / "earlier.txt") << "an earlier result";
    fs::permissions(results, fs::perms::owner_read | fs::perms::owner_exec);
  } else {
    GTEST_SKIP() << "running as root, where chmod does not block writes, and " << mount.error();
  }
  const auto result = run_cli("run c.yaml output.dir=results/runs", dir.path().string());
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("results/runs"), std::string::npos) << result.output;
  EXPECT_TRUE(result.output.find("Read-only file system") != std::string::npos ||
              result.output.find("Permission denied") != std::string::npos)
      << result.output;
  EXPECT_EQ(core::read_file(results / "earlier.txt"), "an earlier result");
  EXPECT_FALSE(fs::exists(results / "runs"));

  const auto sweep = run_cli("sweep c.yaml seed=0,1 --dir results/sweep", dir.path().string());
  EXPECT_EQ(sweep.exit_code, 1) << sweep.output;
  EXPECT_NE(sweep.output.find("results/sweep"), std::string::npos) << sweep.output;
  EXPECT_EQ(core::read_file(results / "earlier.txt"), "an earlier result");
  std::error_code ignored;  // so that TempDir can remove it (a no-op on the read-only mount)
  fs::permissions(results, fs::perms::owner_all, ignored);
}

TEST(FullDisk, RunOntoAFullDiskFailsClearlyAndKeepsWhatWasWritten) {
  TempDir dir;
  dir.write("c.yaml", kConfig);
  const fs::path results = dir.path() / "results";
  // Room for the config, meta.json and metrics.csv (a few KiB), not for weights.pt (about 340 KB).
  SmallMount mount(results, "128k");
  if (!mount.mounted()) GTEST_SKIP() << "cannot simulate a full disk: " << mount.error();
  const auto result =
      run_cli("run c.yaml output.dir=results --run-dir results/run", dir.path().string());
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("results/run/weights.pt"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("No space left on device"), std::string::npos) << result.output;
  const fs::path run = results / "run";
  // The run says why it stopped, and everything written before is whole.
  const auto meta = read_json(run / "meta.json");
  EXPECT_EQ(meta["status"], "failed");
  EXPECT_NE(meta.value("reason", "").find("No space left on device"), std::string::npos);
  EXPECT_NE(core::read_file(run / "config.yaml").find("hidden: [256, 256]"), std::string::npos);
  const std::string metrics = core::read_file(run / "metrics.csv");
  EXPECT_EQ(metrics.rfind("epoch,step,layer,metric,value\n", 0), 0u);
  EXPECT_NE(metrics.find("\n2,"), std::string::npos) << "the last epoch's metrics were recorded";
  EXPECT_FALSE(fs::exists(run / "summary.json"));
  EXPECT_FALSE(fs::exists(run / "weights.pt"));
  EXPECT_EQ(leftover_temporaries(results), std::vector<std::string>{});
}

TEST(FullDisk, ASweepThatFillsTheDiskResumesToEveryPlannedRunOnceThereIsSpace) {
  TempDir dir;
  dir.write("base.yaml",
            "data: {dataset: synthetic}\nmodel: {hidden: [256]}\ntrain: {epochs: 1}\n");
  const fs::path sweep = dir.path() / "sweep";
  // Each run's weights.pt is about 77 KB: a few runs fit, eight do not.
  SmallMount mount(sweep, "400k");
  if (!mount.mounted()) GTEST_SKIP() << "cannot simulate a full disk: " << mount.error();
  const auto full =
      run_cli("sweep base.yaml seed=0,1,2,3,4,5,6,7 --workers 2 --dir sweep", dir.path().string());
  EXPECT_NE(full.exit_code, 0) << full.output;
  // Either a run could not write its files (the sweep names the run and the file) or the database
  // could not take its results; both say so.
  EXPECT_TRUE(full.output.find("No space left on device") != std::string::npos ||
              full.output.find("database or disk is full") != std::string::npos)
      << full.output;
  {
    store::ResultsDb db(sweep / "results.db");
    EXPECT_EQ(db.integrity_check(), "ok");
    for (const auto& row : db.runs()) {
      if (row.status == core::RunStatus::kCompleted) {
        EXPECT_TRUE(fs::exists(sweep / row.directory / "weights.pt")) << row.run_id;
      }
    }
  }
  EXPECT_EQ(leftover_temporaries(sweep), std::vector<std::string>{});

  ASSERT_TRUE(mount.remount(0, "64m")) << std::strerror(errno);
  const auto resumed = run_cli(
      "sweep base.yaml seed=0,1,2,3,4,5,6,7 --workers 2 --dir sweep --resume", dir.path().string());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  store::ResultsDb db(sweep / "results.db");
  EXPECT_EQ(db.integrity_check(), "ok");
  EXPECT_EQ(db.status_counts(),
            (std::map<core::RunStatus, int64_t>{{core::RunStatus::kCompleted, 8}}));
  EXPECT_EQ(leftover_temporaries(sweep), std::vector<std::string>{});
}

}  // namespace
}  // namespace actbench::reliability
