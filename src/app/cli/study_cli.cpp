// `actbench study`: reproduce a paper's study and write results/<study>/README.md.
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "app/cli/cli.hpp"
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

Command setup_study(CLI::App& app) {
  auto options = std::make_shared<StudyCommandOptions>();
  options->study.data_root = data::default_root();
  auto* study = app.add_subcommand(
      "study", "reproduce a paper's study and write results/<study>/README.md (experiments/)");
  auto* name = study->add_option(
      "name", options->name,
      "dying_relu | vanishing_gradients | siren | activation_zoo | signal_propagation");
  auto* full =
      study->add_flag("--full", options->study.full, "the paper's sizes (hours on 2 cores)");
  auto* out =
      study->add_option("--out", options->study.out, "output directory (default: results/<study>)");
  auto* workers =
      study->add_option("--workers", options->study.workers, "parallel runs of the study's sweeps")
          ->check(CLI::PositiveNumber);
  auto* pack = study
                   ->add_option("--pack", options->study.pack,
                                "train the study's runs that share their structure in packs of up "
                                "to K")
                   ->check(CLI::Range(1, 100000));
  study
      ->add_flag("--readme-table", options->readme_table,
                 "regenerate README.md's study table (between <!-- studies:begin --> and <!-- "
                 "studies:end -->) from results/<study>/verdicts.json; runs no study")
      ->excludes(name)
      ->excludes(full)
      ->excludes(out)
      ->excludes(workers)
      ->excludes(pack);
  return {study, [options] {
            if (options->readme_table) {
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
