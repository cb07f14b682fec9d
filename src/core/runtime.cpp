// Run-time discovery of the BLAS behind LibTorch and thread control.
#include "core/runtime.hpp"

#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <fmt/format.h>
#include <malloc.h>
#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <torch/version.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <filesystem>

#include "core/build_info.hpp"

namespace actbench::core {

namespace {
template <typename Fn>
Fn find_symbol(const char* name) {
  return reinterpret_cast<Fn>(::dlsym(RTLD_DEFAULT, name));
}
}  // namespace

BlasInfo detect_blas() {
  BlasInfo info;
  info.name = "unknown";
  void* sgemm = ::dlsym(RTLD_DEFAULT, "sgemm_");
  Dl_info where{};
  if (sgemm != nullptr && ::dladdr(sgemm, &where) != 0 && where.dli_fname != nullptr) {
    std::error_code ec;
    const auto resolved = std::filesystem::canonical(where.dli_fname, ec);
    info.library = ec ? where.dli_fname : resolved.string();
  }
  using ConfigFn = char* (*)();
  if (auto get_config = find_symbol<ConfigFn>("openblas_get_config")) {
    info.name = "OpenBLAS";
    info.details = get_config();
    if (auto get_core = find_symbol<ConfigFn>("openblas_get_corename"))
      info.details += fmt::format(" (core: {})", get_core());
  } else if (find_symbol<void*>("mkl_get_max_threads") != nullptr ||
             info.library.find("mkl") != std::string::npos) {
    info.name = "MKL";
  } else if (info.library.find("/blas/") != std::string::npos ||
             info.library.find("libblas") != std::string::npos) {
    info.name = "reference BLAS";
    info.details = "Netlib reference implementation: about 30x slower than OpenBLAS here";
  } else if (sgemm == nullptr) {
    // Upstream LibTorch links MKL statically and exports no sgemm_.
    info.name = "built-in (static)";
  }
  return info;
}

void set_compute_threads(int threads) {
  at::set_num_threads(threads);
  using SetThreadsFn = void (*)(int);
  // The pthread build of OpenBLAS keeps its own pool; the OpenMP build follows at::set_num_threads.
  if (auto set_openblas = find_symbol<SetThreadsFn>("openblas_set_num_threads"))
    set_openblas(threads);
}

int compute_threads() { return at::get_num_threads(); }

void retain_freed_memory() {
  ::mallopt(M_MMAP_MAX, 0);
  ::mallopt(M_TRIM_THRESHOLD, INT_MAX);
}

std::string recommended_openblas_coretype() {
  using ConfigFn = char* (*)();
  const auto get_core = find_symbol<ConfigFn>("openblas_get_corename");
  if (get_core == nullptr) return "";
  std::string core = get_core();
  std::transform(core.begin(), core.end(), core.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) {
    const bool has_avx512_kernels =
        core == "skylakex" || core == "cooperlake" || core == "sapphirerapids";
    return has_avx512_kernels ? "" : "SkylakeX";
  }
  if (__builtin_cpu_supports("avx2") &&
      (core == "prescott" || core == "core2" || core == "nehalem" || core == "sandybridge")) {
    return "Haswell";
  }
  return "";
}

bool set_tuned_environment() {
  bool changed = false;
  if (std::getenv("OMP_WAIT_POLICY") == nullptr) {
    ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    changed = true;
  }
  if (std::getenv("OPENBLAS_CORETYPE") == nullptr) {
    const std::string coretype = recommended_openblas_coretype();
    if (!coretype.empty()) {
      ::setenv("OPENBLAS_CORETYPE", coretype.c_str(), 1);
      changed = true;
    }
  }
  return changed;
}

std::string torch_version() { return TORCH_VERSION; }

std::string runtime_summary() {
  const BlasInfo blas = detect_blas();
  const char* wait_policy = std::getenv("OMP_WAIT_POLICY");
  std::string summary = fmt::format(
      "actbench {} (commit {})\nLibTorch {}\nBLAS: {} {}\n  {}\nthreads: {} intra-op, "
      "OMP_WAIT_POLICY={}",
      version(), git_commit(), torch_version(), blas.name, blas.library, blas.details,
      compute_threads(), wait_policy ? wait_policy : "(unset)");
  const std::string coretype = recommended_openblas_coretype();
  if (!coretype.empty()) {
    summary += fmt::format(
        "\nhint: OpenBLAS uses slower kernels than this CPU supports; export "
        "OPENBLAS_CORETYPE={} (matmuls about 4x faster here)",
        coretype);
  }
  return summary;
}

void setup_logging() {
  auto logger = spdlog::stderr_color_mt("actbench");
  logger->set_pattern("%^%l%$: %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::info);
  spdlog::cfg::load_env_levels();
}

}  // namespace actbench::core
