// Cooperative interruption: the first SIGINT/SIGTERM asks the running training loop to stop at the
// next step boundary (it then records status `interrupted` and writes its files); a second one
// exits at once.
#pragma once

namespace actbench::core {

void install_interrupt_handlers();
bool interrupt_requested();
void clear_interrupt();    // for tests
void request_interrupt();  // what the handler does; also for tests

}  // namespace actbench::core
