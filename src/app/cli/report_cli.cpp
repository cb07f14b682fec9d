// `actbench report`: tables and figures of sweeps, grouped over seeds, with intervals and
// comparisons (app/report_command.hpp does the work; app/report_cli.hpp declares the options).
#include "app/report_cli.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "app/cli/cli.hpp"
#include "core/error.hpp"

namespace actbench::app::cli {

Command setup_report(CLI::App& app, const CommandLine& line) {
  auto options = std::make_shared<ReportOptions>();
  auto* report = add_report_command(app, *options);
  return {report, [options, line] {
            options->argv.assign(line.argv, line.argv + line.argc);
            const auto output = report_command(*options);
            if (options->out.empty()) {
              fmt::print("{}", output.text);
              // stdout is buffered: a full disk or a closed pipe shows only when it is flushed,
              // and a report that did not arrive must not exit 0.
              if (std::fflush(stdout) != 0 || std::ferror(stdout))
                throw Error(fmt::format("cannot write the report to standard output: {}",
                                        std::strerror(errno)));
            }
            for (const auto& file : output.written)  // stderr when the report itself is on stdout
              fmt::print(options->out.empty() ? stderr : stdout, "wrote {}\n", file.string());
            return 0;
          }};
}

}  // namespace actbench::app::cli
