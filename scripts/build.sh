#!/usr/bin/env bash
# Configures and builds actbench (Release, Ninja, precompiled LibTorch headers) into build/; compiler
# errors are shown in full. Arguments: CMake cache settings (-D...) and targets (anything else).
#   scripts/build.sh                                   everything the configuration enables
#   scripts/build.sh -DACTBENCH_BUILD_TESTS=OFF actbench   the binary alone (what setup.sh does)
#   scripts/build.sh -DCMAKE_PREFIX_PATH=/opt/libtorch     an upstream LibTorch
set -euo pipefail
cd "$(dirname "$0")/.."
cmake_args=()
targets=()
for arg in "$@"; do
  case "$arg" in
    -*) cmake_args+=("$arg") ;;
    *) targets+=(--target "$arg") ;;
  esac
done
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "${cmake_args[@]}" > build.log 2>&1 ||
  { cat build.log; exit 1; }
# Ninja prints each failing command with its compiler messages; only the progress lines are dropped.
set +e
cmake --build build -j "$(nproc)" "${targets[@]}" 2>&1 | grep -v '^\[[0-9]*/[0-9]*\] '
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then echo "build.sh: the build failed (errors above)" >&2; exit "$status"; fi
