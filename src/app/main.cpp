// actbench's command-line front: parses arguments with CLI11, calls the core library, and maps
// errors to exit codes (2: configuration mistake, nothing ran; 1: any other failure).
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "app/commands.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/runtime.hpp"

namespace {

// libgomp reads OMP_WAIT_POLICY once, when it is loaded, before main(). Its default (spin-waiting)
// makes 2-thread training 3-4x slower than 1 thread on these 2-core machines, so actbench
// re-executes itself once with PASSIVE unless the user chose a policy. ACTBENCH_NO_REEXEC=1 turns
// this off.
void ensure_passive_openmp(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("ACTBENCH_NO_REEXEC") != nullptr)
    return;
  ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  ::execv("/proc/self/exe", argv);
  // execv only returns on failure; carry on with the default policy.
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
  ensure_passive_openmp(argv);
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

  auto* validate = app.add_subcommand("validate", "check a config (every key), run nothing");
  validate->add_option("config", config_file, "YAML config");
  validate->add_option("overrides", override_texts, "overrides, as for run");
  bool print_resolved = false, print_schema = false;
  validate->add_flag("--print", print_resolved, "print the resolved config (all defaults filled)");
  validate->add_flag("--schema", print_schema,
                     "print every config key with its default and meaning");

  auto* activations = app.add_subcommand("activations", "list the activation functions");
  std::string activation_format = "md";
  activations->add_option("--format", activation_format, "md, csv or json")
      ->check(CLI::IsMember({"md", "csv", "json"}));

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
      const auto outcome = actbench::app::execute_run(std::move(prepared), options);
      if (outcome.status == "interrupted") return 130;
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
      fmt::print("{}", actbench::app::activations_table(activation_format));
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
