// Cooperative interruption: the first SIGINT/SIGTERM asks the running training loop to stop at the
// next step boundary (it then records status `interrupted` and writes its files); a second one
// exits at once, except inside an ExitDeferral, where it exits as soon as the deferral ends.
#pragma once

namespace actbench::core {

void install_interrupt_handlers();
bool interrupt_requested();
// 128 + the first signal received (130 for SIGINT, 143 for SIGTERM), the shell's convention.
int interrupt_exit_code();
void clear_interrupt();    // for tests
void request_interrupt();  // what the handler does; also for tests

// Held around a file write that must not be cut short (temporary file, then rename): a second
// signal arriving meanwhile exits when the last deferral ends, so the process never leaves a
// temporary file behind. Nestable; cheap (two atomic operations).
class ExitDeferral {
 public:
  ExitDeferral();
  ~ExitDeferral();
  ExitDeferral(const ExitDeferral&) = delete;
  ExitDeferral& operator=(const ExitDeferral&) = delete;
};

}  // namespace actbench::core
