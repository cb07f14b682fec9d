// libFuzzer target: bytes as an IDX image or label file, plain or gzipped (see fuzz/README.md; the
// body is idx_one_input in data_entries.hpp, which the corpus replay test also runs).
#include "fuzz/data_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  actbench::fuzz::idx_one_input(data, size);
  return 0;
}
