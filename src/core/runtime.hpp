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

std::string torch_version();
std::string runtime_summary();  // several lines, for --version

// Configures spdlog: messages to stderr, levels from SPDLOG_LEVEL (e.g. SPDLOG_LEVEL=debug).
void setup_logging();

}  // namespace actbench::core
