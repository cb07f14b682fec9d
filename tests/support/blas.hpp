// Test helper: the checks that OpenBLAS is the BLAS in use apply to Debian's libtorch-dev, which
// calls the system's libblas.so.3 (scripts/install_deps.sh selects OpenBLAS for it). An upstream
// LibTorch (pytorch.org's archive, e.g. with CUDA; the README's other build path) links its own MKL
// statically and never loads libblas.so.3: those checks are skipped there, with the reason.
#pragma once

#include <gtest/gtest.h>

#include "core/runtime.hpp"

namespace actbench::testing {

inline bool libtorch_uses_system_blas() {
  const std::string name = core::detect_blas().name;
  return name == "OpenBLAS" || name == "reference BLAS";
}

}  // namespace actbench::testing

#define ACTBENCH_SKIP_UNLESS_SYSTEM_BLAS()                                                      \
  if (!::actbench::testing::libtorch_uses_system_blas())                                        \
  GTEST_SKIP() << "this LibTorch brings its own BLAS (" << ::actbench::core::detect_blas().name \
               << ", an upstream build): the OpenBLAS checks apply to Debian's libtorch-dev"
