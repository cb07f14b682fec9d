// actbench's command-line front: wires the subcommands (src/app/cli/, one setup function each),
// parses arguments with CLI11, runs the chosen subcommand's action and maps errors to exit codes
// (2: configuration mistake, nothing ran; 1: any other failure).
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "app/cli/cli.hpp"
#include "core/error.hpp"
#include "core/runtime.hpp"

namespace {

// libgomp reads OMP_WAIT_POLICY, and OpenBLAS OPENBLAS_CORETYPE, once, when they are loaded, before
// main(). libgomp's default (spin-waiting) makes 2-thread training 3-4x slower than 1 thread on
// these 2-core machines; OpenBLAS 0.3.21 does not recognise newer Xeons and falls back to SSE3
// kernels about 4x slower than the CPU's AVX-512 ones (bench/README.md). So actbench re-executes
// itself once with PASSIVE and the right core type, unless the user set them. ACTBENCH_NO_REEXEC=1
// turns this off.
void reexec_with_tuned_environment(char** argv) {
  if (std::getenv("ACTBENCH_NO_REEXEC") != nullptr) return;
  if (!actbench::core::set_tuned_environment()) return;
  ::execv("/proc/self/exe", argv);
  // execv only returns on failure; carry on with the environment as it was.
}

// Writes `message` and a newline to stderr with write(2) and never throws. The error printer must
// not fail itself: with stderr on a full disk (a sweep worker's log) fmt::print throws, and a throw
// from the catch block ends in std::terminate, exit 134, and the exit code that says what kind of
// failure it was is lost with the message.
void print_error(const char* message) noexcept {
  const auto write_all = [](const char* data, size_t size) {
    while (size > 0) {
      const ssize_t n = ::write(STDERR_FILENO, data, size);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data += n;
      size -= static_cast<size_t>(n);
    }
    return true;
  };
  if (write_all(message, std::strlen(message))) write_all("\n", 1);
}

// Flushes stdout before the exit code is final: output that could not be written (stdout on a full
// disk) makes a successful command a failure (exit 1), not a silent exit 0.
int finish(int code) noexcept {
  if (std::fflush(stdout) == 0 || code != actbench::kExitOk) return code;
  const int saved = errno;
  char message[256];
  std::snprintf(message, sizeof message, "actbench: cannot write the output: %s",
                std::strerror(saved));
  print_error(message);
  return actbench::kExitFailure;
}

}  // namespace

int main(int argc, char** argv) {
  reexec_with_tuned_environment(argv);
  actbench::core::setup_logging();

  CLI::App app{"actbench: how activation functions and their initialisation shape training"};
  app.require_subcommand(0, 1);
  bool show_version = false;
  app.add_flag("--version", show_version, "print version, LibTorch, BLAS and threads, then exit");

  // Each subcommand's options and action live in src/app/cli/<name>_cli.cpp.
  namespace cli = actbench::app::cli;
  const cli::CommandLine line{argc, argv};
  const std::vector<cli::Command> commands{
      cli::setup_run(app, line),      cli::setup_sweep(app, line),
      cli::setup_run_pack(app, line), cli::setup_sweep_task(app),
      cli::setup_collect(app),        cli::setup_report(app, line),
      cli::setup_study(app, line),    cli::setup_search(app, line),
      cli::setup_validate(app, line), cli::setup_activations(app, line),
      cli::setup_data(app, line),     cli::setup_theory(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : actbench::kExitConfigError;
  }

  try {
    if (show_version) {
      fmt::print("{}\n", actbench::core::runtime_summary());
      return finish(0);
    }
    for (const auto& command : commands)
      if (*command.subcommand) return finish(command.action());
    fmt::print("{}", app.help());
    return finish(0);
  } catch (const CLI::Error& e) {
    return app.exit(e);  // through iostreams, which set a flag instead of throwing
  } catch (const std::exception& e) {
    print_error(e.what());
    return actbench::exit_code_for(e);
  } catch (...) {
    print_error("actbench: unexpected error (not a std::exception)");
    return actbench::kExitFailure;
  }
}
