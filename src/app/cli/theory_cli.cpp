// `actbench theory`: wires the subcommand that app/theory_command.hpp defines into the command
// line.
#include "app/cli/cli.hpp"
#include "app/theory_command.hpp"

namespace actbench::app::cli {

Command setup_theory(CLI::App& app) {
  const TheoryCommand theory = add_theory_command(app);
  return {theory.command, [theory] { return run_theory_command(theory); }};
}

}  // namespace actbench::app::cli
