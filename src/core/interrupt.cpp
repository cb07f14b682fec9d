// Signal handlers for a clean stop of a run (see interrupt.hpp).
#include "core/interrupt.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>

namespace actbench::core {

namespace {
std::atomic<int> g_interrupts{0};
std::atomic<int> g_deferrals{0};
std::atomic<bool> g_exit_pending{false};
std::atomic<int> g_first_signal{SIGINT};

[[noreturn]] void exit_now() {
  constexpr char kMessage[] = "\nactbench: interrupted again, exiting now\n";
  [[maybe_unused]] const ssize_t ignored = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  ::_exit(128 + g_first_signal.load());
}

extern "C" void on_interrupt_signal(int signal) {
  if (g_interrupts.load() == 0) g_first_signal.store(signal);
  if (g_interrupts.fetch_add(1) >= 1) {
    // Second signal: the user means it. The pending flag is set before the deferral count is read
    // and ~ExitDeferral decrements before reading the flag (all sequentially consistent), so at
    // least one of the two sees the other and nobody waits for a deferral that already ended.
    g_exit_pending.store(true);
    if (g_deferrals.load() == 0) exit_now();
  }
}
}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_interrupt_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

bool interrupt_requested() { return g_interrupts.load() > 0; }
int interrupt_exit_code() { return 128 + g_first_signal.load(); }
void clear_interrupt() {
  g_interrupts.store(0);
  g_exit_pending.store(false);
  g_first_signal.store(SIGINT);
}
void request_interrupt() { g_interrupts.fetch_add(1); }

ExitDeferral::ExitDeferral() { g_deferrals.fetch_add(1); }
ExitDeferral::~ExitDeferral() {
  if (g_deferrals.fetch_sub(1) == 1 && g_exit_pending.load()) exit_now();
}

}  // namespace actbench::core
