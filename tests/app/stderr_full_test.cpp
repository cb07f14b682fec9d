// A failed write to stderr or stdout (a full disk under a sweep worker's log, `2>/dev/full`) must
// not turn an error into an abort: the process still exits 2 for a configuration mistake and 1
// for any other failure, so a sweep records why a run failed instead of "killed by signal 6".
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "support/temp_dir.hpp"

namespace actbench::app {
namespace {

using actbench::testing::TempDir;

// The exit status of `actbench <arguments>` run through /bin/sh in `dir`; -signal when it was
// killed, so that an abort (134 through a shell) is told apart from an exit code.
int exit_status(const std::string& arguments, const TempDir& dir) {
  const std::string command =
      "cd '" + dir.path().string() + "' && exec " + std::string(ACTBENCH_CLI) + " " + arguments;
  const int status = std::system(command.c_str());
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1000;
}

constexpr const char* kBadConfig = "model: {hidden: [16], activation: no_such_activation}\n";

TEST(StderrFull, ConfigErrorWithStderrOnAFullDeviceStillExitsTwo) {
  TempDir dir;
  dir.write("bad.yaml", kBadConfig);
  // Sanity: the same command with a working stderr exits 2.
  EXPECT_EQ(exit_status("validate bad.yaml 2>/dev/null", dir), 2);
  EXPECT_EQ(exit_status("validate bad.yaml 2>/dev/full", dir), 2);
  EXPECT_EQ(exit_status("run bad.yaml 2>/dev/full", dir), 2);
  // What a sweep worker runs, with its log on a full disk: both streams fail.
  EXPECT_EQ(exit_status("run bad.yaml --quiet >/dev/full 2>/dev/full", dir), 2);
}

TEST(StderrFull, OtherFailureWithStderrOnAFullDeviceStillExitsOne) {
  TempDir dir;
  // A valid config whose data is missing: a DataError when the run loads it, as in a worker.
  dir.write("nodata.yaml",
            "data: {dataset: mnist, root: no_data_here}\nmodel: {hidden: [8]}\n"
            "train: {epochs: 1}\noutput: {dir: runs}\n");
  EXPECT_EQ(exit_status("run nodata.yaml 2>/dev/null", dir), 1);
  EXPECT_EQ(exit_status("run nodata.yaml 2>/dev/full", dir), 1);
  EXPECT_EQ(exit_status("run nodata.yaml --quiet >/dev/full 2>/dev/full", dir), 1);
}

TEST(StderrFull, SuccessfulOutputOnAFullDeviceIsAFailureNotAnAbort) {
  TempDir dir;
  // `activations` prints a table; stdout on a full device cannot take it.
  const int status = exit_status("activations >/dev/full 2>/dev/full", dir);
  EXPECT_GE(status, 0) << "killed by signal " << -status;
  EXPECT_LE(status, 1);
}

}  // namespace
}  // namespace actbench::app
