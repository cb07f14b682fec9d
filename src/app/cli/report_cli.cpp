// `actbench report`: tables of a sweep's results, grouped over seeds (Markdown, CSV, LaTeX, HTML).
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "app/cli/cli.hpp"
#include "core/files.hpp"
#include "report/sweep_report.hpp"

namespace actbench::app::cli {
namespace {

struct ReportCommandOptions {
  std::string dir;
  std::vector<std::string> group_by;  // empty: the varied keys
  std::string format = "md";
  std::string out;  // "": stdout
};

}  // namespace

Command setup_report(CLI::App& app) {
  auto options = std::make_shared<ReportCommandOptions>();
  auto* report = app.add_subcommand("report", "tables of a sweep's results, grouped over seeds");
  report->add_option("dir", options->dir, "sweep directory (results/<sweep name>)")->required();
  report
      ->add_option("--group-by", options->group_by,
                   "config keys to group by (default: the varied keys)")
      ->delimiter(',');
  report->add_option("--format", options->format, "md, csv, latex or html")
      ->check(CLI::IsMember({"md", "csv", "latex", "html"}));
  report->add_option("--out", options->out, "write to this file instead of stdout");
  return {report, [options] {
            const auto loaded = report::load_report(options->dir, options->group_by);
            const std::string text = report::render(loaded, options->format);
            if (options->format == "html") {
              // The figures also go next to the report as SVG files, for papers and slides.
              for (const auto& figure : loaded.figures) {
                const auto file =
                    std::filesystem::path(options->dir) / "plots" / (figure.name + ".svg");
                std::filesystem::create_directories(file.parent_path());
                core::write_file_atomic(file, figure.svg);
              }
            }
            if (options->out.empty()) {
              fmt::print("{}", text);
            } else {
              core::write_file_atomic(options->out, text);
              fmt::print("wrote {}\n", options->out);
            }
            return 0;
          }};
}

}  // namespace actbench::app::cli
