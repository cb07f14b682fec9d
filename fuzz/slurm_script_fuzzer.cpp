// libFuzzer target: the Slurm job-script generator, any name, directory and flags in (see
// fuzz/README.md; the body is slurm_script_one_input in slurm_script_entry.hpp, which the corpus
// replay test also runs).
#include "fuzz/slurm_script_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  actbench::fuzz::slurm_script_one_input(data, size);
  return 0;
}
