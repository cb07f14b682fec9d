// `actbench theory ACTIVATION [--sigma-w2 X] [--sigma-b2 Y]`: the mean-field theory of one
// activation (catalogue/activation_theory.hpp), as text or JSON, and optionally its phase diagram.
// main.cpp only registers the subcommand and calls run_theory_command when it was given.
#pragma once

#include <memory>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace actbench::app {

struct TheoryCommandOptions {
  std::string activation;  // a name or a component: "{name: elu, alpha: 0.5}"
  std::optional<double> sigma_w2;
  double sigma_b2 = 0.0;
  std::string format = "text";  // text or json
  std::string phase_diagram;    // write the phase diagram SVG here; empty: none
};

struct TheoryCommand {
  CLI::App* command = nullptr;
  std::shared_ptr<TheoryCommandOptions> options;
};

TheoryCommand add_theory_command(CLI::App& app);

// Computes and returns what the command prints (the SVG, if asked for, is written). Throws a
// ConfigError (exit 2) for an unknown activation, bad parameters or one the theory cannot take.
std::string theory_command(const TheoryCommandOptions& options);

// The CLI's side: prints theory_command's text; returns the exit code.
int run_theory_command(const TheoryCommand& command);

}  // namespace actbench::app
