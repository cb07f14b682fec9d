// The Slurm path under hostile input: a job script generated from a sweep whose name, directory and
// flags hold shell code parses with `bash -n` and runs none of it, and an array task id that is not
// a task (negative, not a number) is refused before any run directory is touched.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/strings.hpp"
#include "support/run_helpers.hpp"
#include "sweep/slurm.hpp"

namespace actbench::sweep {
namespace {

using actbench::testing::run_cli;
using actbench::testing::TempDir;

const char* kSlurmBase = "data: {dataset: synthetic}\nmodel: {hidden: [8]}\ntrain: {epochs: 1}\n";

// A sweep file whose name and directory try every way out of a quoted or commented context.
SweepPlan hostile_plan(const TempDir& dir, const std::string& sweep_dir) {
  dir.write("base.yaml", kSlurmBase);
  const auto file = dir.write("s.yaml",
                              "name: \"x$(touch NAME_RAN)`touch NAME_RAN2`;touch NAME_RAN3 '\"\n"
                              "base: base.yaml\ngrid: {model.activation: [relu, tanh]}\ndir: " +
                                  nlohmann::json(sweep_dir).dump() + "\n");
  return plan_sweep(file.string(), {});
}

// A stand-in for the actbench binary: writes the arguments it got, one per line.
std::filesystem::path argument_recorder(const TempDir& dir) {
  const auto path = dir.write("fake actbench 'x",
                              "#!/bin/bash\nprintf '%s\\n' \"$@\" > \"$(dirname "
                              "\"$0\")/arguments.txt\"\n");
  ::chmod(path.c_str(), 0755);
  return path;
}

// The directory closes the single quotes the old script put around it: that script expanded
// $(touch DIR_RAN) before exec'ing the binary.
TEST(SlurmScript, HostileNamesAndDirectoriesRunNoEmbeddedCommand) {
  TempDir dir;
  const std::string sweep_dir =
      (dir.path() / "out ' $(touch DIR_RAN) ' `touch DIR_RAN2` ; touch DIR_RAN3 #").string();
  const SweepPlan plan = hostile_plan(dir, sweep_dir);
  SlurmOptions options;
  options.partition = "debug";
  options.time = "00:30:00";
  options.mem = "4G";
  const SlurmArray array = write_slurm_array(plan, options, argument_recorder(dir));
  ASSERT_EQ(array.tasks, 2);

  const std::string script = array.script.string();
  EXPECT_EQ(std::system(("bash -n " + core::shell_quote(script)).c_str()), 0)
      << core::read_file(array.script);
  // Run the script as the cluster would (cwd = the test's directory, where a stray touch would
  // land).
  const std::string run = "cd " + core::shell_quote(dir.path().string()) + " && bash " +
                          core::shell_quote(script) + " > /dev/null 2>&1";
  EXPECT_EQ(std::system(run.c_str()), 0) << core::read_file(array.script);
  for (const char* marker :
       {"NAME_RAN", "NAME_RAN2", "NAME_RAN3", "DIR_RAN", "DIR_RAN2", "DIR_RAN3"}) {
    EXPECT_FALSE(std::filesystem::exists(dir.path() / marker)) << marker;
    EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(sweep_dir) / marker)) << marker;
  }
  // The binary got exactly two arguments, the directory whole.
  EXPECT_EQ(core::read_file(dir.path() / "arguments.txt"), "sweep-task\n" + sweep_dir + "\n");
}

TEST(SlurmScript, OptionValuesThatWouldEndTheDirectiveAreRefusedBeforeAnythingIsWritten) {
  for (const std::string field : {"partition", "time", "mem"}) {
    for (const std::string value : {"debug\ntouch /tmp/x", "a b", "$(id)", "x\"y"}) {
      TempDir dir;
      const auto sweep_dir = dir.path() / "sweep";
      const SweepPlan plan = hostile_plan(dir, sweep_dir.string());
      SlurmOptions options;
      if (field == "partition") options.partition = value;
      if (field == "time") options.time = value;
      if (field == "mem") options.mem = value;
      try {
        write_slurm_array(plan, options, "/bin/true");
        ADD_FAILURE() << field << " " << value << " was accepted";
      } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("--" + field), std::string::npos) << e.what();
      }
      EXPECT_FALSE(std::filesystem::exists(sweep_dir)) << field << " " << value;
    }
  }
}

TEST(SlurmScript, ASweepNameWithALineBreakIsALocatedError) {
  TempDir dir;
  dir.write("base.yaml", kSlurmBase);
  const auto file =
      dir.write("s.yaml", "name: \"x\\n\\\\input{/etc/hostname}\"\nbase: base.yaml\nseeds: [0]\n");
  try {
    plan_sweep(file.string(), {});
    ADD_FAILURE() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("s.yaml:1:7: error: name must be a plain name"),
              std::string::npos)
        << e.what();
  }
  for (const std::string name : {"../../x", "/elsewhere/x", ".."}) {
    const auto path = dir.write(
        "p.yaml", "name: " + nlohmann::json(name).dump() + "\nbase: base.yaml\nseeds: [0]\n");
    EXPECT_THROW(plan_sweep(path.string(), {}), ConfigError) << name;
  }
}

// A finished sweep on "the cluster": the array written and one run's directory complete.
struct FinishedSlurmSweep {
  TempDir dir;
  std::filesystem::path sweep_dir;
  std::filesystem::path finished_run;
  FinishedSlurmSweep() {
    dir.write("base.yaml", kSlurmBase);
    sweep_dir = dir.path() / "sweep";
    const auto file =
        dir.write("s.yaml", "base: base.yaml\nseeds: [0, 1]\ndir: " + sweep_dir.string() + "\n");
    write_slurm_array(plan_sweep(file.string(), {}), {}, "/bin/true");
    EXPECT_EQ(run_array_task(sweep_dir, 0), 0);
    for (const auto& entry : std::filesystem::directory_iterator(sweep_dir / "runs"))
      finished_run = entry.path();
  }
};

TEST(SlurmScript, ANegativeOrNonNumericTaskIdRemovesNothing) {
  FinishedSlurmSweep sweep;
  ASSERT_TRUE(std::filesystem::exists(sweep.finished_run / "summary.json"));
  EXPECT_THROW(run_array_task(sweep.sweep_dir, -5), Error);
  for (const std::string id : {"-5", "abc", "1x"}) {
    const auto result = run_cli("sweep-task " + core::shell_quote(sweep.sweep_dir.string()), "",
                                "SLURM_ARRAY_TASK_ID=" + core::shell_quote(id));
    EXPECT_EQ(result.exit_code, 1) << id << ": " << result.output;
    EXPECT_NE(result.output.find("not a task number"), std::string::npos) << result.output;
  }
  const auto flag = run_cli("sweep-task --task -5 " + core::shell_quote(sweep.sweep_dir.string()));
  EXPECT_NE(flag.exit_code, 0) << flag.output;
  EXPECT_TRUE(std::filesystem::exists(sweep.finished_run / "summary.json"));
  EXPECT_TRUE(std::filesystem::exists(sweep.finished_run / "metrics.csv"));
}

TEST(SlurmScript, ATaskLineThatIsNotARunIdRemovesNothing) {
  FinishedSlurmSweep sweep;
  // A tasks file damaged by hand: an empty line and a path where run ids belong.
  core::write_file_atomic(sweep.sweep_dir / "slurm" / "tasks.txt", "\n..\n");
  EXPECT_THROW(run_array_task(sweep.sweep_dir, 0), Error);
  EXPECT_THROW(run_array_task(sweep.sweep_dir, 1), Error);
  EXPECT_TRUE(std::filesystem::exists(sweep.finished_run / "summary.json"));
}

TEST(ShellQuote, AnyStringComesBackWhole) {
  for (const std::string text : {"", "plain", "it's", "'", "''", "a\nb", "$(id) `id` \\ \" ;|&"}) {
    TempDir dir;
    const std::string command =
        "printf '%s' " + core::shell_quote(text) + " > " + (dir.path() / "out").string();
    ASSERT_EQ(std::system(command.c_str()), 0) << text;
    EXPECT_EQ(core::read_file(dir.path() / "out"), text);
  }
}

}  // namespace
}  // namespace actbench::sweep
