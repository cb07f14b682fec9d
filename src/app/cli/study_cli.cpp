// `actbench study`: reproduce a paper's study and write results/<study>/README.md.
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "app/cli/cli.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "data/dataset.hpp"
#include "study/claims.hpp"
#include "study/study.hpp"

namespace actbench::app::cli {
namespace {

struct StudyCommandOptions {
  std::string name;
  study::StudyOptions study;  // --full, --out, --workers, --pack
  bool readme_table = false;
};

}  // namespace

Command setup_study(CLI::App& app, const CommandLine& line) {
  auto options = std::make_shared<StudyCommandOptions>();
  options->study.data_root = data::default_root();
  auto* study = app.add_subcommand(
      "study", "reproduce a paper's study and write results/<study>/README.md (experiments/)");
  study->add_option(
      "name", options->name,
      "dying_relu | vanishing_gradients | siren | activation_zoo | signal_propagation | "
      "activation_search");
  study->add_flag("--full", options->study.full, "the paper's sizes (hours on 2 cores)");
  study->add_option("--out", options->study.out, "output directory (default: results/<study>)");
  study->add_option("--workers", options->study.workers, "parallel runs of the study's sweeps")
      ->check(CLI::PositiveNumber);
  study
      ->add_option("--pack", options->study.pack,
                   "train the study's runs that share their structure in packs of up to K")
      ->check(CLI::Range(1, 100000));
  study
      ->add_option("--until-decided", options->study.until_decided_cap,
                   "while a claim's interval straddles its rule, run again with more seeds (2, "
                   "4, 8, ... added), up to N added; the runs already finished are kept")
      ->check(CLI::Range(1, 1024))
      ->option_text("N");
  // For maintainers (it rewrites README.md from results/<study>/verdicts.json), so hidden from
  // --help (the empty group); what it cannot go with is checked in the action, because CLI11's
  // excludes() would print "Excludes: --readme-table" after every option of the help.
  study
      ->add_flag("--readme-table", options->readme_table,
                 "regenerate README.md's study table (between <!-- studies:begin --> and <!-- "
                 "studies:end -->) from results/<study>/verdicts.json; runs no study")
      ->group("");
  return {study, [options, line, study] {
            if (options->readme_table) {
              if (!options->name.empty()) {
                const auto located = locate_overrides({options->name}, line);
                throw ConfigError(SourceLocation::cli_arg(located.front().arg),
                                  "--readme-table runs no study: it takes no study name",
                                  "run `actbench study --readme-table` alone, or the study "
                                  "without it");
              }
              for (const char* flag : {"--full", "--out", "--workers", "--pack", "--until-decided"})
                refuse_unused_flag(*study, flag, line,
                                   "is for running a study; --readme-table "
                                   "runs none",
                                   "run `actbench study --readme-table` alone");
              study::update_readme_table("README.md", "results");
              fmt::print("wrote the study table of README.md\n");
              return 0;
            }
            if (options->name.empty()) throw CLI::RequiredError("name");
            core::install_interrupt_handlers();
            options->study.executable = std::filesystem::read_symlink("/proc/self/exe");
            const auto readme = study::run_study(options->name, options->study);
            fmt::print("wrote {}\n", readme.string());
            return 0;
          }};
}

}  // namespace actbench::app::cli
