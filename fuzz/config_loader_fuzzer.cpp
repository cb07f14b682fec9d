// libFuzzer target: YAML text as a config file through the loader the CLI uses (see fuzz/README.md;
// the body is config_loader_one_input in config_entries.hpp, which the corpus replay test also
// runs).
#include "fuzz/config_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  actbench::fuzz::config_loader_one_input(data, size);
  return 0;
}
