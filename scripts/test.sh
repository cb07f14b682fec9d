#!/usr/bin/env bash
# Runs the test suite on a fresh machine: installs what is missing, builds, fetches the real MNIST and
# Fashion-MNIST the data tests read, then runs every test with CTest. Then every libFuzzer target for
# 30 s (scripts/fuzz.sh; ACTBENCH_SKIP_FUZZ=1 leaves it out), and the unit tests again under
# AddressSanitizer + UndefinedBehaviorSanitizer (CMakePresets.json `asan`, build-asan/: a second
# full build, about 11 minutes on 2 cores, and 3.5 minutes of tests; ACTBENCH_ASAN=0 leaves it out).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh --tests
scripts/build.sh -DACTBENCH_BUILD_TESTS=ON -DACTBENCH_BUILD_BENCHMARKS=ON
./build/actbench data fetch mnist
./build/actbench data fetch fashion_mnist
(cd build && ctest --output-on-failure -j 2 --timeout 1200)

if [ "${ACTBENCH_SKIP_FUZZ:-0}" != 1 ]; then
  scripts/fuzz.sh 30
fi
if [ "${ACTBENCH_ASAN:-1}" != 0 ]; then
  mkdir -p build-asan
  cmake --preset asan > build-asan/configure.log 2>&1 || { cat build-asan/configure.log; exit 1; }
  # Compiler errors in full, progress lines dropped (grep's own status is not the build's).
  cmake --build --preset asan -j 2 2>&1 | { grep -v '^\[[0-9]*/[0-9]*\] ' || true; }
  ctest --preset asan
fi
