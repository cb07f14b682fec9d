#!/usr/bin/env bash
# Runs the test suite on a fresh machine: installs what is missing, builds, fetches the real MNIST and
# Fashion-MNIST the data tests read, then runs every test with CTest. Then every libFuzzer target for
# 30 s, two at a time (scripts/fuzz.sh; ACTBENCH_SKIP_FUZZ=1 leaves it out), and the unit tests again
# under AddressSanitizer + UndefinedBehaviorSanitizer (CMakePresets.json `asan`, build-asan/: a
# second full build; ACTBENCH_ASAN=0 leaves it out). Each part's wall time is printed as it ends and
# again at the end (docs/setup.md, "Time of the test command", has the figures on a fresh machine).
set -euo pipefail
cd "$(dirname "$0")/.."

parts=()
# timed LABEL COMMAND...: runs COMMAND, then prints and keeps how long it took.
timed() {
  local label=$1 start=$SECONDS
  shift
  "$@"
  local took=$((SECONDS - start))
  parts+=("$(printf '%-44s %3d min %02d s' "$label" $((took / 60)) $((took % 60)))")
  echo "test.sh: $label took $((took / 60)) min $((took % 60)) s"
}

# CTest runs a GoogleTest suite per test (cmake/GTestSuites.cmake), so it cannot mark single tests
# skipped: list them, with the reason each gave, from the log of every test's output.
list_skipped() {
  awk '/: Skipped$/ { reason = ""; collecting = 1; next }
       collecting && /^\[  SKIPPED \] / { sub(/ \([0-9]+ ms\)$/, "", $0); sub(/^\[  SKIPPED \] /, "", $0)
                                         print "  " $0 ": " reason; collecting = 0; next }
       collecting { reason = reason (reason == "" ? "" : " ") $0 }' "$1" | sort -u |
    { skipped=$(cat); if [ -n "$skipped" ]; then echo "test.sh: skipped, each saying why:"; echo "$skipped"; fi; }
}

asan_build() {
  mkdir -p build-asan
  cmake --preset asan > build-asan/configure.log 2>&1 || { cat build-asan/configure.log; exit 1; }
  # Compiler errors in full, progress lines dropped; pipefail makes the build's status the pipe's
  # (grep's own is not).
  cmake --build --preset asan -j 2 2>&1 | { grep -v '^\[[0-9]*/[0-9]*\] ' || true; }
}

timed "install_deps.sh --tests" scripts/install_deps.sh --tests
timed "release build (binary, tests, benchmark)" \
  scripts/build.sh -DACTBENCH_BUILD_TESTS=ON -DACTBENCH_BUILD_BENCHMARKS=ON
timed "data fetch mnist, fashion_mnist" \
  bash -c './build/actbench data fetch mnist && ./build/actbench data fetch fashion_mnist'
timed "release CTest suite" bash -c 'cd build && ctest --output-on-failure -j 2 --timeout 1200'
list_skipped build/Testing/Temporary/LastTest.log
if [ "${ACTBENCH_SKIP_FUZZ:-0}" != 1 ]; then
  timed "fuzzers (build, then 6 x 30 s, 2 at a time)" scripts/fuzz.sh 30
fi
if [ "${ACTBENCH_ASAN:-1}" != 0 ]; then
  timed "ASan + UBSan build" asan_build
  timed "ASan + UBSan CTest suite" ctest --preset asan
  list_skipped build-asan/Testing/Temporary/LastTest.log
fi
echo "test.sh: every check passed; wall time of each part:"
printf '  %s\n' "${parts[@]}"
printf '  %-44s %3d min %02d s\n' "total" $((SECONDS / 60)) $((SECONDS % 60))
