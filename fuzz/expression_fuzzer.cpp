// libFuzzer target: activation expressions, parsed, bound and evaluated with autograd (see
// fuzz/README.md; the body is expression_one_input in expression_entry.hpp, which the corpus replay
// test also runs).
#include "fuzz/expression_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  actbench::fuzz::expression_one_input(data, size);
  return 0;
}
