// `actbench sweep`: a grid of configs x seeds in local worker processes, or as a Slurm job array.
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "app/cli/cli.hpp"
#include "core/interrupt.hpp"
#include "core/strings.hpp"
#include "report/sweep_report.hpp"
#include "sweep/pack_plan.hpp"
#include "sweep/slurm.hpp"
#include "sweep/sweep_runner.hpp"

namespace actbench::app::cli {
namespace {

struct SweepCommandOptions {
  std::string file;
  std::vector<std::string> overrides;
  sweep::SweepOptions local;  // --workers, --threads, --resume
  std::string dir;            // "": results/<sweep name> or the sweep file's dir
  bool dry_run = false;
  std::string backend = "local";
  sweep::SlurmOptions slurm;
};

void refuse_local_flag(const CLI::App& sweep, const std::string& flag, const CommandLine& line,
                       const std::string& slurm_flag) {
  refuse_unused_flag(sweep, flag, line, "is for local sweeps; a Slurm job array would ignore it",
                     "with --backend slurm use " + slurm_flag);
}

// Flags one backend takes and the other would ignore: refused, located, with the alternative.
void refuse_flags_of_the_other_backend(const CLI::App& sweep, const SweepCommandOptions& options,
                                       const CommandLine& line) {
  if (options.backend == "slurm") {
    refuse_local_flag(sweep, "--workers", line, "--max-parallel");
    refuse_local_flag(sweep, "--threads", line, "--cpus-per-task");
    refuse_unused_flag(sweep, "--pack", line,
                       "is for local sweeps; each Slurm array task runs one run",
                       "use the local backend to train packs");
  } else {
    for (const char* flag :
         {"--partition", "--time", "--mem", "--cpus-per-task", "--max-parallel"}) {
      refuse_unused_flag(sweep, flag, line, "is for --backend slurm; a local sweep would ignore it",
                         "add --backend slurm, or leave the flag out");
    }
  }
}

// What a sweep file holds and how the command line adds axes: the help's own reference, from the
// same list the sweep file's keys are checked against.
std::string sweep_help_footer() {
  std::string out = "\nA sweep file (experiments/*.yaml) takes:\n";
  for (const auto& key : sweep::sweep_file_keys())
    out += fmt::format("  {:<34}{}\n", key.name + ": " + key.value, key.meaning);
  out +=
      "On the command line (after the file), key=a,b,c adds an axis or replaces the file's axis\n"
      "of that key, key=a..b is an integer range with both ends included (seed=0..9: ten seeds),\n"
      "and key=value fixes a value. To add seeds or values to a finished sweep, run it again with\n"
      "them and --resume: its finished runs are kept and only the new ones run.\n";
  return out;
}

// A word as the shell reads it back: quoted only where needed, so a printed command stays readable
// and still copies exactly.
std::string shell_word(const std::string& word) {
  const bool plain = !word.empty() && word.find_first_not_of(
                                          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789_-+=.,/:@%") == std::string::npos;
  return plain ? word : core::shell_quote(word);
}

// The command line as typed, with --resume added: what continues this sweep.
std::string resume_command(const CommandLine& line) {
  std::vector<std::string> words;
  bool resumes = false;
  for (int i = 0; i < line.argc; ++i) {
    resumes = resumes || std::string(line.argv[i]) == "--resume";
    words.push_back(shell_word(line.argv[i]));
  }
  if (!resumes) words.push_back("--resume");
  return core::join(words, " ");
}

// After Ctrl-C: no report (the sweep did not finish), but how far it got and how to go on.
void print_interrupted(const sweep::SweepOutcome& outcome, int64_t planned,
                       const CommandLine& line) {
  auto count = [&](core::RunStatus status) {
    const auto it = outcome.status_counts.find(status);
    return it == outcome.status_counts.end() ? int64_t{0} : it->second;
  };
  const int64_t finished = count(core::RunStatus::kCompleted) + count(core::RunStatus::kDiverged);
  const int64_t failed = count(core::RunStatus::kFailed);
  fmt::print(
      "\nsweep interrupted: {} of {} runs finished{}; finished runs are kept, the others start "
      "again when it resumes\nresume it with: {}\n",
      finished, planned, failed > 0 ? fmt::format(", {} failed", failed) : "",
      resume_command(line));
  if (finished > 0)
    fmt::print("the finished runs so far: actbench report {}\n",
               shell_word(outcome.directory.string()));
}

}  // namespace

Command setup_sweep(CLI::App& app, const CommandLine& line) {
  auto options = std::make_shared<SweepCommandOptions>();
  auto* sweep = app.add_subcommand("sweep", "run a grid of configs x seeds in worker processes");
  sweep->add_option("file", options->file, "sweep file (experiments/) or a config")->required();
  sweep->add_option("overrides", options->overrides,
                    "overrides; key=a,b,c adds an axis, key=a..b an integer range (seed=0..9)");
  sweep->add_option("--workers", options->local.workers, "parallel runs (default: one per core)")
      ->check(CLI::Range(1, 256));
  sweep->add_option("--threads", options->local.threads, "intra-op threads per run (default: 1)")
      ->check(CLI::Range(1, 1024));
  sweep->add_flag("--resume", options->local.resume,
                  "continue an interrupted sweep, or grow a finished one (more seeds, more values "
                  "of an axis); finished runs are kept");
  sweep->add_option("--dir", options->dir, "sweep directory (default: results/<sweep name>)");
  sweep->add_flag("--dry-run", options->dry_run, "print the plan and exit");
  sweep
      ->add_option("--pack", options->local.pack,
                   "train runs that share their structure as packs of up to K networks in one "
                   "process (MLPs; the plan says which runs stay alone and why)")
      ->check(CLI::Range(1, 100000));
  sweep
      ->add_option("--backend", options->backend,
                   "local (worker processes) or slurm (a job-array script)")
      ->check(CLI::IsMember({"local", "slurm"}));
  sweep->add_option("--partition", options->slurm.partition, "slurm: partition");
  sweep->add_option("--time", options->slurm.time, "slurm: time limit per run, e.g. 00:30:00");
  sweep->add_option("--mem", options->slurm.mem, "slurm: memory per run, e.g. 4G");
  sweep
      ->add_option("--cpus-per-task", options->slurm.cpus_per_task,
                   "slurm: cores (and threads) per run")
      ->check(CLI::Range(1, 1024));
  sweep
      ->add_option("--max-parallel", options->slurm.max_parallel,
                   "slurm: at most this many tasks at once")
      ->check(CLI::Range(0, 100000));

  sweep->footer(sweep_help_footer());
  return {
      sweep, [options, line, sweep] {
        refuse_flags_of_the_other_backend(*sweep, *options, line);
        core::install_interrupt_handlers();
        options->file = resolve_config_file(options->file, "sweep file or config", line);
        auto plan = sweep::plan_sweep(options->file, locate_overrides(options->overrides, line));
        if (!options->dir.empty()) plan.directory = options->dir;
        fmt::print("{}", sweep::describe_plan(plan, options->dry_run));
        if (options->dry_run) {
          if (options->local.pack > 1) {
            std::vector<const sweep::SweepRun*> runs;
            for (const auto& run : plan.runs) runs.push_back(&run);
            fmt::print("{}", sweep::describe_packs(sweep::plan_packs(runs, options->local.pack)));
          }
          return 0;
        }
        if (options->backend == "slurm") {
          options->slurm.resume = options->local.resume;
          const auto array = sweep::write_slurm_array(
              plan, options->slurm, std::filesystem::read_symlink("/proc/self/exe"));
          if (array.tasks == 0) {
            fmt::print("every run has finished; `actbench collect {}` records them\n",
                       plan.directory.string());
          } else {
            fmt::print(
                "wrote {} ({} array tasks)\nsubmit: sbatch {}\nafterwards: actbench collect "
                "{}\n",
                array.script.string(), array.tasks, array.script.string(), plan.directory.string());
          }
          return 0;
        }
        options->local.executable = std::filesystem::read_symlink("/proc/self/exe");
        const auto outcome = sweep::run_sweep(plan, options->local);
        if (outcome.interrupted) {
          print_interrupted(outcome, static_cast<int64_t>(plan.runs.size()), line);
          return core::interrupt_exit_code();
        }
        fmt::print("\n{}", report::render(report::load_report(plan.directory, {}), "md"));
        fmt::print("\nresults in {} (actbench report {})\n", outcome.directory.string(),
                   outcome.directory.string());
        const auto failed = outcome.status_counts.find(core::RunStatus::kFailed);
        return failed != outcome.status_counts.end() && failed->second > 0 ? 1 : 0;
      }};
}

}  // namespace actbench::app::cli
