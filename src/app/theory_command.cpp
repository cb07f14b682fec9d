// `actbench theory`: parses nothing itself beyond CLI11's options, calls the catalogue stage and
// prints its report (theory_command.hpp).
#include "app/theory_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "catalogue/activation_theory.hpp"
#include "catalogue/phase_diagram.hpp"
#include "core/error.hpp"
#include "plot/svg_plot.hpp"

namespace actbench::app {

namespace {

// The activation is the subcommand's first positional argument: argv[2].
constexpr int kActivationArg = 2;

SourceLocation cli() {
  SourceLocation where;
  where.file = "<cli>";
  return where;
}

}  // namespace

TheoryCommand add_theory_command(CLI::App& app) {
  TheoryCommand command;
  command.options = std::make_shared<TheoryCommandOptions>();
  TheoryCommandOptions& o = *command.options;
  command.command = app.add_subcommand(
      "theory",
      "mean-field theory of an activation: fixed point q*, chi1, depth scales, edge of chaos");
  command.command
      ->add_option("activation", o.activation,
                   "a name (tanh) or a component ({name: elu, alpha: 0.5}, {expr: 'x*sigmoid(x)'})")
      ->required();
  command.command->add_option("--sigma-w2", o.sigma_w2,
                              "weight variance times fan-in: also analyse this point");
  command.command->add_option("--sigma-b2", o.sigma_b2, "bias variance")->capture_default_str();
  command.command->add_option("--format", o.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  command.command->add_option("--phase-diagram", o.phase_diagram,
                              "write the (sigma_w2, sigma_b2) phase diagram SVG to this file");
  return command;
}

std::string theory_command(const TheoryCommandOptions& options) {
  if (options.sigma_w2 && !(std::isfinite(*options.sigma_w2) && *options.sigma_w2 > 0.0))
    throw ConfigError(
        cli(), fmt::format("--sigma-w2 must be a positive number, got {}", *options.sigma_w2));
  if (!(std::isfinite(options.sigma_b2) && options.sigma_b2 >= 0.0))
    throw ConfigError(cli(),
                      fmt::format("--sigma-b2 must be a number >= 0, got {}", options.sigma_b2));
  const model::ResolvedActivation activation =
      catalogue::activation_from_text(options.activation, kActivationArg);
  const std::string reason = catalogue::theory_not_applicable(activation);
  if (!reason.empty())
    throw ConfigError(SourceLocation::cli_arg(kActivationArg),
                      "no mean-field theory for '" + activation.entry->name + "': " + reason,
                      "pick an elementwise activation");
  catalogue::TheoryOptions theory;
  theory.sigma_w2 = options.sigma_w2;
  theory.sigma_b2 = options.sigma_b2;
  const catalogue::TheoryReport report = catalogue::compute_theory(activation, theory);
  std::string out = options.format == "json" ? catalogue::theory_json(report).dump(2) + "\n"
                                             : catalogue::theory_text(report);
  if (!options.phase_diagram.empty()) {
    const catalogue::GaussianExpectations e(catalogue::functions_of(activation));
    // The theory text waits for the diagram: say what is being computed (row by row on a
    // terminal, where a line can be redrawn; one line in a log).
    const bool terminal = ::isatty(STDERR_FILENO) == 1;
    const catalogue::PhaseDiagramOptions grid;
    const std::string what =
        fmt::format("phase diagram of {} (xi_c at {} x {} points of sigma_w2 x sigma_b2)",
                    report.activation, grid.columns, grid.rows);
    fmt::print(stderr, "{}{}", what, terminal ? "" : "\n");
    const catalogue::PhaseDiagram diagram =
        catalogue::compute_phase_diagram(e, grid, [&](int done, int rows) {
          if (terminal)
            fmt::print(stderr, "\r{}: row {} of {}{}", what, done, rows, done == rows ? "\n" : "");
        });
    plot::write_svg(
        options.phase_diagram,
        catalogue::phase_diagram_svg(diagram, "Mean-field phase diagram of " + report.activation));
  }
  return out;
}

int run_theory_command(const TheoryCommand& command) {
  fmt::print("{}", theory_command(*command.options));
  if (!command.options->phase_diagram.empty())
    fmt::print(stderr, "wrote {}\n", command.options->phase_diagram);
  return 0;
}

}  // namespace actbench::app
