// libFuzzer target: Hydra overrides, one per line, parsed and applied to a config (see
// fuzz/README.md; the body is overrides_one_input in config_entries.hpp, which the corpus replay
// test also runs).
#include "fuzz/config_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  actbench::fuzz::overrides_one_input(data, size);
  return 0;
}
