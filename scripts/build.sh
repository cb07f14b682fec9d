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
# Ninja prints each failing command with its compiler messages in full; its progress lines (one per
# file) become one line per tenth of the build, with the minutes so far, so a long build is seen
# moving without filling the screen. A shell loop, not awk: Debian's awk (mawk) reads a pipe in
# blocks, and held every progress line back until the build had ended.
show_progress() {
  local start=$SECONDS shown=0 line tenth elapsed
  while IFS= read -r line; do
    if [[ $line =~ ^\[([0-9]+)/([0-9]+)\]\  ]]; then
      tenth=$((10 * BASH_REMATCH[1] / BASH_REMATCH[2]))
      if [ "$tenth" -gt "$shown" ]; then
        shown=$tenth
        elapsed=$((SECONDS - start))
        printf 'build: %d%% (%d of %d steps, %d.%d min)\n' $((10 * tenth)) "${BASH_REMATCH[1]}" \
          "${BASH_REMATCH[2]}" $((elapsed / 60)) $((elapsed % 60 * 10 / 60))
      fi
    else
      printf '%s\n' "$line"
    fi
  done
}
set +e
cmake --build build -j "$(nproc)" "${targets[@]}" 2>&1 | show_progress
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then echo "build.sh: the build failed (errors above)" >&2; exit "$status"; fi
