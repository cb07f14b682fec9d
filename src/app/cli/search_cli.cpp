// `actbench search FILE`: an activation search (src/search/), one command: the space enumerated,
// de-duplicated and screened, successive halving on the proxy as sweeps of mixed packs, and the
// final round against the baselines. The same command again resumes a killed search.
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "app/cli/cli.hpp"
#include "core/interrupt.hpp"
#include "search/search_file.hpp"
#include "search/search_runner.hpp"

namespace actbench::app::cli {
namespace {

struct SearchCommandOptions {
  std::string file;
  search::SearchRunOptions run;
  bool count = false;
};

}  // namespace

Command setup_search(CLI::App& app, const CommandLine& line) {
  auto options = std::make_shared<SearchCommandOptions>();
  auto* search = app.add_subcommand(
      "search",
      "search a space of activation expressions (experiments/activation_search_*.yaml); run it "
      "again to resume");
  search->add_option("file", options->file, "search file")->required();
  search->add_option(
      "--out", options->run.out,
      "the search's directory (default: the search file's dir: key, else results/<name>)");
  search->add_option("--workers", options->run.workers, "parallel worker processes")
      ->check(CLI::Range(1, 1024));
  search->add_flag("--count", options->count,
                   "enumerate and de-duplicate the space, print the counts, train nothing");
  return {search, [options, line] {
            const std::string file = resolve_config_file(options->file, "search file", line);
            const search::SearchSpec spec = search::read_search_file(file);
            core::install_interrupt_handlers();
            options->run.executable = std::filesystem::read_symlink("/proc/self/exe");
            options->run.count_only = options->count;
            const search::SearchOutcome outcome = search::run_search(spec, options->run);
            if (!options->count)
              fmt::print("search {}: {} finalists; results in {}\n", spec.name,
                         outcome.finalists.size(), outcome.directory.string());
            return 0;
          }};
}

}  // namespace actbench::app::cli
