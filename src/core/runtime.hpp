// What the process computes with: which BLAS LibTorch's matmuls really call (found at run time,
// since Debian's libblas.so.3 is whichever alternative is installed), thread settings, LibTorch
// version. `actbench --version` and every run's meta.json report these.
#pragma once

#include <string>

namespace actbench::core {

struct BlasInfo {
  std::string name;     // "OpenBLAS", "reference BLAS", "MKL" or "unknown"
  std::string library;  // resolved path of the library that provides sgemm_
  std::string details;  // OpenBLAS' own config string and core type, when available
  bool is_optimized() const { return name == "OpenBLAS" || name == "MKL"; }
};

BlasInfo detect_blas();

// Sets LibTorch's intra-op threads and, for a pthread OpenBLAS that does not follow OpenMP, its
// own.
void set_compute_threads(int threads);
int compute_threads();

// Makes glibc keep freed memory for reuse instead of returning it to the kernel: no mmap for large
// blocks, no trimming of the heap top. A training step frees and reallocates the same tensor sizes
// every step; with glibc's defaults each large one is a fresh mmap whose pages fault in again
// (42% of the MNIST CNN's CPU samples were in the kernel). Costs the peak heap staying resident.
void retain_freed_memory();

// The OPENBLAS_CORETYPE that selects this CPU's widest kernels ("SkylakeX" with AVX-512, "Haswell"
// with AVX2), or "" if OpenBLAS already uses them or is not the BLAS. OpenBLAS 0.3.21 does not
// recognise newer Xeons and falls back to its SSE3 "Prescott" kernels, about 4x slower. The
// variable is read when the library loads, so only a re-executed process can act on it.
std::string recommended_openblas_coretype();

// Sets what the libraries read when they load and actbench wants changed: OMP_WAIT_POLICY=PASSIVE
// (libgomp's default spin-waiting makes 2-thread training 3-4x slower on 2 cores) and the
// recommended OPENBLAS_CORETYPE, each only where the user has not set it. True if anything changed:
// then only a re-executed process (main) or a child (the tests' CLI runs) sees the effect.
bool set_tuned_environment();

std::string torch_version();
std::string runtime_summary();  // several lines, for --version

// Configures spdlog: messages to stderr, levels from SPDLOG_LEVEL (e.g. SPDLOG_LEVEL=debug).
void setup_logging();

}  // namespace actbench::core
