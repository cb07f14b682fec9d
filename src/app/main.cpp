// actbench's command-line front: parses arguments with CLI11, calls the core library, and maps
// errors to exit codes (2: configuration mistake, nothing ran; 1: any other failure).
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "app/activations_command.hpp"
#include "app/commands.hpp"
#include "app/report_cli.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/interrupt.hpp"
#include "core/runtime.hpp"
#include "report/sweep_report.hpp"
#include "study/study.hpp"
#include "sweep/slurm.hpp"
#include "sweep/sweep_runner.hpp"

namespace {

// libgomp reads OMP_WAIT_POLICY, and OpenBLAS OPENBLAS_CORETYPE, once, when they are loaded, before
// main(). libgomp's default (spin-waiting) makes 2-thread training 3-4x slower than 1 thread on
// these 2-core machines; OpenBLAS 0.3.21 does not recognise newer Xeons and falls back to SSE3
// kernels about 4x slower than the CPU's AVX-512 ones (bench/README.md). So actbench re-executes
// itself once with PASSIVE and the right core type, unless the user set them. ACTBENCH_NO_REEXEC=1
// turns this off.
void reexec_with_tuned_environment(char** argv) {
  if (std::getenv("ACTBENCH_NO_REEXEC") != nullptr) return;
  bool changed = false;
  if (std::getenv("OMP_WAIT_POLICY") == nullptr) {
    ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    changed = true;
  }
  if (std::getenv("OPENBLAS_CORETYPE") == nullptr) {
    const std::string coretype = actbench::core::recommended_openblas_coretype();
    if (!coretype.empty()) {
      ::setenv("OPENBLAS_CORETYPE", coretype.c_str(), 1);
      changed = true;
    }
  }
  if (!changed) return;
  ::execv("/proc/self/exe", argv);
  // execv only returns on failure; carry on with the environment as it was.
}

// Overrides are located as <cli>:argN, N being their position on the command line.
std::vector<actbench::config::CliOverride> locate_overrides(const std::vector<std::string>& texts,
                                                            int argc, char** argv) {
  std::vector<actbench::config::CliOverride> out;
  int next = 1;
  for (const auto& text : texts) {
    int position = 0;
    for (int i = next; i < argc; ++i) {
      if (text == argv[i]) {
        position = i;
        next = i + 1;
        break;
      }
    }
    out.push_back({text, position});
  }
  return out;
}

std::string command_line(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) out += (i ? " " : "") + std::string(argv[i]);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  reexec_with_tuned_environment(argv);
  actbench::core::setup_logging();

  CLI::App app{"actbench: how activation functions and their initialisation shape training"};
  app.require_subcommand(0, 1);
  bool show_version = false;
  app.add_flag("--version", show_version, "print version, LibTorch, BLAS and threads, then exit");

  std::string config_file;
  std::vector<std::string> override_texts;

  auto* run = app.add_subcommand("run", "train one configuration and write its run directory");
  run->add_option("config", config_file, "YAML config (see configs/)")->required();
  run->add_option(
      "overrides", override_texts,
      "Hydra-style overrides: key=value, +key=value, ~key (e.g. model.activation=gelu)");
  std::string run_dir;
  int run_threads = 0;
  bool quiet = false;
  run->add_option("--run-dir", run_dir, "write into exactly this new directory (sweeps use it)");
  run->add_option("--threads", run_threads,
                  "intra-op threads for this process (default: train.threads)")
      ->check(CLI::Range(1, 1024));
  run->add_flag("--quiet", quiet, "print nothing but errors");

  auto* sweep = app.add_subcommand("sweep", "run a grid of configs x seeds in worker processes");
  sweep->add_option("file", config_file, "sweep file (experiments/) or a config")->required();
  sweep->add_option("overrides", override_texts, "overrides; key=a,b,c adds an axis");
  actbench::sweep::SweepOptions sweep_options;
  std::string sweep_dir;
  bool dry_run = false;
  sweep->add_option("--workers", sweep_options.workers, "parallel runs (default: one per core)")
      ->check(CLI::Range(1, 256));
  sweep->add_option("--threads", sweep_options.threads, "intra-op threads per run (default: 1)")
      ->check(CLI::Range(1, 1024));
  sweep->add_flag("--resume", sweep_options.resume, "continue an interrupted sweep");
  sweep->add_option("--dir", sweep_dir, "sweep directory (default: results/<sweep name>)");
  sweep->add_flag("--dry-run", dry_run, "print the plan and exit");
  std::string backend = "local";
  actbench::sweep::SlurmOptions slurm;
  sweep->add_option("--backend", backend, "local (worker processes) or slurm (a job-array script)")
      ->check(CLI::IsMember({"local", "slurm"}));
  sweep->add_option("--partition", slurm.partition, "slurm: partition");
  sweep->add_option("--time", slurm.time, "slurm: time limit per run, e.g. 00:30:00");
  sweep->add_option("--mem", slurm.mem, "slurm: memory per run, e.g. 4G");
  sweep->add_option("--cpus-per-task", slurm.cpus_per_task, "slurm: cores (and threads) per run")
      ->check(CLI::Range(1, 1024));
  sweep->add_option("--max-parallel", slurm.max_parallel, "slurm: at most this many tasks at once")
      ->check(CLI::Range(0, 100000));

  auto* sweep_task = app.add_subcommand("sweep-task", "run one Slurm array task of a sweep");
  std::string task_dir;
  int64_t task_index = -1;
  sweep_task->add_option("dir", task_dir, "sweep directory")->required();
  sweep_task->add_option("--task", task_index, "task number (default: $SLURM_ARRAY_TASK_ID)");
  auto* collect =
      app.add_subcommand("collect", "record a Slurm sweep's finished runs in its database");
  std::string collect_dir;
  collect->add_option("dir", collect_dir, "sweep directory")->required();

  actbench::app::ReportOptions report_options;
  auto* report = actbench::app::add_report_command(app, report_options);

  auto* study = app.add_subcommand(
      "study", "reproduce a paper's study and write results/<study>/README.md (experiments/)");
  std::string study_name;
  actbench::study::StudyOptions study_options;
  study->add_option("name", study_name, "dying_relu | vanishing_gradients | siren | activation_zoo")
      ->required();
  study->add_flag("--full", study_options.full, "the paper's sizes (hours on 2 cores)");
  study->add_option("--out", study_options.out, "output directory (default: results/<study>)");
  study->add_option("--workers", study_options.workers, "parallel runs of the study's sweeps")
      ->check(CLI::PositiveNumber);

  auto* validate = app.add_subcommand("validate", "check a config (every key), run nothing");
  validate->add_option("config", config_file, "YAML config");
  validate->add_option("overrides", override_texts, "overrides, as for run");
  bool print_resolved = false, print_schema = false;
  validate->add_flag("--print", print_resolved, "print the resolved config (all defaults filled)");
  validate->add_flag("--schema", print_schema,
                     "print every config key with its default and meaning");

  auto* activations = app.add_subcommand(
      "activations", "the activation catalogue: properties computed from each module, and plots");
  actbench::app::ActivationsOptions activation_options;
  activations->add_option("--format", activation_options.format, "md, csv or json")
      ->check(CLI::IsMember({"md", "csv", "json"}))
      ->capture_default_str();
  activations->add_option("--only", activation_options.only, "list only these: relu,gelu,...")
      ->delimiter(',');
  activations->add_option("--plot", activation_options.plot_dir,
                          "write DIR/<name>.svg per listed activation, f solid and f' dashed");
  activations->add_option("--range", activation_options.range, "x range of the plots, lo:hi")
      ->capture_default_str();
  activations
      ->add_option("--compare", activation_options.compare,
                   "also write DIR/compare_<names>.svg, f and f' of these side by side")
      ->delimiter(',');

  auto* data = app.add_subcommand("data", "list, fetch and verify datasets");
  data->require_subcommand(1);
  data->add_subcommand("list", "datasets, their shapes and normalisation constants");
  std::string dataset_name;
  actbench::data::FetchOptions fetch_options;
  std::string fetch_root = "data";
  auto* fetch =
      data->add_subcommand("fetch", "bring a dataset's files into <root>/<name>/ and verify them");
  fetch->add_option("name", dataset_name, "mnist, fashion_mnist or cifar10")->required();
  fetch->add_option("--root", fetch_root, "data directory")->capture_default_str();
  fetch->add_option("--source", fetch_options.source,
                    "download from this URL or local file instead");
  fetch->add_option("--md5", fetch_options.expected_md5,
                    "expected MD5 of the archive (with --source)");
  fetch->add_flag("--force", fetch_options.force, "fetch again even if valid files are present");
  auto* verify = data->add_subcommand("verify", "check a dataset's files (size, header, checksum)");
  verify->add_option("name", dataset_name, "dataset name")->required();
  verify->add_option("--root", fetch_root, "data directory")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : actbench::kExitConfigError;
  }

  try {
    if (show_version) {
      fmt::print("{}\n", actbench::core::runtime_summary());
      return 0;
    }
    if (*run) {
      actbench::core::install_interrupt_handlers();
      auto prepared =
          actbench::app::prepare_run(config_file, locate_overrides(override_texts, argc, argv));
      actbench::app::RunOptions options;
      options.command_line = command_line(argc, argv);
      options.run_dir = run_dir;
      options.threads = run_threads;
      options.console = !quiet;
      const auto outcome = actbench::app::execute_run(std::move(prepared), options);
      if (outcome.status == "interrupted") return actbench::core::interrupt_exit_code();
      return 0;
    }
    if (*sweep) {
      actbench::core::install_interrupt_handlers();
      auto plan =
          actbench::sweep::plan_sweep(config_file, locate_overrides(override_texts, argc, argv));
      if (!sweep_dir.empty()) plan.directory = sweep_dir;
      fmt::print("{}", actbench::sweep::describe_plan(plan));
      if (dry_run) return 0;
      if (backend == "slurm") {
        slurm.resume = sweep_options.resume;
        const auto array = actbench::sweep::write_slurm_array(
            plan, slurm, std::filesystem::read_symlink("/proc/self/exe"));
        if (array.tasks == 0) {
          fmt::print("every run has finished; `actbench collect {}` records them\n",
                     plan.directory.string());
        } else {
          fmt::print(
              "wrote {} ({} array tasks)\nsubmit: sbatch {}\nafterwards: actbench collect {}\n",
              array.script.string(), array.tasks, array.script.string(), plan.directory.string());
        }
        return 0;
      }
      sweep_options.executable = std::filesystem::read_symlink("/proc/self/exe");
      const auto outcome = actbench::sweep::run_sweep(plan, sweep_options);
      fmt::print("\n{}",
                 actbench::report::render(actbench::report::load_report(plan.directory, {}), "md"));
      fmt::print("\nresults in {} (actbench report {})\n", outcome.directory.string(),
                 outcome.directory.string());
      if (outcome.interrupted) return actbench::core::interrupt_exit_code();
      const auto failed = outcome.status_counts.find("failed");
      return failed != outcome.status_counts.end() && failed->second > 0 ? 1 : 0;
    }
    if (*sweep_task) {
      if (task_index < 0) {
        const char* id = std::getenv("SLURM_ARRAY_TASK_ID");
        if (id == nullptr) throw CLI::RequiredError("--task (or SLURM_ARRAY_TASK_ID)");
        task_index = std::atoll(id);
      }
      actbench::core::install_interrupt_handlers();
      return actbench::sweep::run_array_task(task_dir, task_index);
    }
    if (*collect) {
      for (const auto& [status, count] : actbench::sweep::collect_runs(collect_dir))
        fmt::print("{}: {}\n", status, count);
      return 0;
    }
    if (*report) {
      report_options.argv.assign(argv, argv + argc);
      const auto output = actbench::app::report_command(report_options);
      if (report_options.out.empty()) fmt::print("{}", output.text);
      for (const auto& file : output.written)  // stderr when the report itself is on stdout
        fmt::print(report_options.out.empty() ? stderr : stdout, "wrote {}\n", file.string());
      return 0;
    }
    if (*study) {
      actbench::core::install_interrupt_handlers();
      study_options.executable = std::filesystem::read_symlink("/proc/self/exe");
      const auto readme = actbench::study::run_study(study_name, study_options);
      fmt::print("wrote {}\n", readme.string());
      return 0;
    }
    if (*validate) {
      if (print_schema) {
        fmt::print("{}", actbench::config::schema_markdown());
        return 0;
      }
      if (config_file.empty()) throw CLI::RequiredError("config");
      const auto prepared =
          actbench::app::prepare_run(config_file, locate_overrides(override_texts, argc, argv));
      fmt::print("{}", actbench::app::validate_report(prepared, print_resolved));
      return 0;
    }
    if (*activations) {
      const auto output = actbench::app::activations_command(activation_options);
      fmt::print("{}", output.table);
      for (const auto& file : output.written) fmt::print(stderr, "wrote {}\n", file.string());
      return 0;
    }
    if (*data) {
      if (data->got_subcommand("list")) {
        fmt::print("{}", actbench::app::datasets_table());
        return 0;
      }
      const auto& entry =
          actbench::data::dataset_entry(dataset_name, actbench::SourceLocation::cli_arg(3));
      if (*fetch) {
        fetch_options.root = fetch_root;
        fmt::print("{}\n", entry.fetch(fetch_options));
      } else {
        fmt::print("{}\n", entry.verify(fetch_root));
      }
      return 0;
    }
    fmt::print("{}", app.help());
    return 0;
  } catch (const CLI::Error& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}\n", e.what());
    return actbench::exit_code_for(e);
  }
}
