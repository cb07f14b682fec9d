// `actbench data list | fetch | verify`: the datasets, fetching their files and checking them.
#include <fmt/format.h>

#include <memory>

#include "app/cli/cli.hpp"
#include "app/commands.hpp"
#include "data/dataset.hpp"

namespace actbench::app::cli {
namespace {

struct DataCommandOptions {
  std::string dataset;
  std::string root = data::default_root().string();  // $ACTBENCH_DATA or data
  data::FetchOptions fetch;                          // --source, --md5, --force
};

}  // namespace

Command setup_data(CLI::App& app, const CommandLine& line) {
  auto options = std::make_shared<DataCommandOptions>();
  auto* data = app.add_subcommand("data", "list, fetch and verify datasets");
  data->require_subcommand(1);
  auto* list = data->add_subcommand("list", "datasets, their shapes and normalisation constants");
  auto* fetch =
      data->add_subcommand("fetch", "bring a dataset's files into <root>/<name>/ and verify them");
  fetch->add_option("name", options->dataset, "mnist, fashion_mnist or cifar10")->required();
  fetch->add_option("--root", options->root, "data directory (default: $ACTBENCH_DATA, else data)")
      ->capture_default_str();
  fetch->add_option("--source", options->fetch.source,
                    "download from this URL or local file instead");
  fetch->add_option("--md5", options->fetch.expected_md5,
                    "expected MD5 of the archive (with --source)");
  fetch->add_flag("--force", options->fetch.force, "fetch again even if valid files are present");
  auto* verify = data->add_subcommand("verify", "check a dataset's files (size, header, checksum)");
  verify->add_option("name", options->dataset, "dataset name")->required();
  verify->add_option("--root", options->root, "data directory (default: $ACTBENCH_DATA, else data)")
      ->capture_default_str();
  return {data, [options, line, list, fetch] {
            if (*list) {
              fmt::print("{}", datasets_table());
              return 0;
            }
            const auto& entry = data::dataset_entry(options->dataset, SourceLocation::cli_arg(3));
            if (*fetch) {
              if (options->fetch.source.empty()) {
                refuse_unused_flag(*fetch, "--md5", line,
                                   "checks an archive given with --source, and none was given",
                                   "add --source URL_OR_FILE, or leave --md5 out");
              }
              options->fetch.root = options->root;
              fmt::print("{}\n", entry.fetch(options->fetch));
            } else {
              fmt::print("{}\n", entry.verify(options->root));
            }
            return 0;
          }};
}

}  // namespace actbench::app::cli
