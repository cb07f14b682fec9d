// `actbench activations`: the activation catalogue, and plots of f and f'.
#include <fmt/format.h>

#include <memory>

#include "app/activations_command.hpp"
#include "app/cli/cli.hpp"

namespace actbench::app::cli {

Command setup_activations(CLI::App& app, const CommandLine& line) {
  auto options = std::make_shared<ActivationsOptions>();
  auto* activations = app.add_subcommand(
      "activations", "the activation catalogue: properties computed from each module, and plots");
  activations->add_option("--format", options->format, "md, csv or json")
      ->check(CLI::IsMember({"md", "csv", "json"}))
      ->capture_default_str();
  activations->add_option("--only", options->only, "list only these: relu,gelu,...")
      ->delimiter(',');
  activations->add_option("--plot", options->plot_dir,
                          "write DIR/<name>.svg per listed activation, f solid and f' dashed");
  activations->add_option("--range", options->range, "x range of the plots, lo:hi")
      ->capture_default_str();
  activations
      ->add_option("--compare", options->compare,
                   "also write DIR/compare_<names>.svg, f and f' of these side by side")
      ->delimiter(',');
  return {activations, [options, line, activations] {
            if (options->plot_dir.empty()) {
              refuse_unused_flag(*activations, "--range", line,
                                 "sets the x range of plots, and no --plot was given",
                                 "add --plot DIR, or leave --range out");
            }
            const auto output = activations_command(*options);
            fmt::print("{}", output.table);
            for (const auto& file : output.written) fmt::print(stderr, "wrote {}\n", file.string());
            return 0;
          }};
}

}  // namespace actbench::app::cli
