// libFuzzer target: bytes as a CIFAR-10 batch file (see fuzz/README.md; the body is
// cifar10_one_input in data_entries.hpp, which the corpus replay test also runs).
#include "fuzz/data_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  actbench::fuzz::cifar10_one_input(data, size);
  return 0;
}
