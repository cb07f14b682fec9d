#!/usr/bin/env bash
# Builds the libFuzzer targets (cmake/Fuzzing.cmake, clang with ASan+UBSan) and runs each for a
# bounded time on its seed corpus (fuzz/corpus/<target>/). Exits non-zero when any fuzzer finds a
# crash, a leak or a sanitizer report; the input is kept as <build>/findings/<target>/crash-*.
#
#   scripts/fuzz.sh [seconds per target, default 60] [targets...]
#   FUZZ_BUILD_DIR=/tmp/build-fuzz FUZZ_JOBS=2 scripts/fuzz.sh 30 idx cifar10
# FUZZ_JOBS (default 2): compiler processes, and fuzzers running at once.
#
# New inputs the fuzzers find go to <build>/corpus/<target>/, never into the committed seeds: add
# an input to fuzz/corpus/ by hand when it is worth keeping (the replay test then runs it in CI).
set -euo pipefail
cd "$(dirname "$0")/.."
source_dir=$PWD
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(config_loader overrides expression idx cifar10 slurm_script); fi
build=${FUZZ_BUILD_DIR:-build-fuzz}
jobs=${FUZZ_JOBS:-2}

if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz.sh: clang++ is missing (apt-get install clang libclang-rt-14-dev)" >&2
  exit 1
fi
mkdir -p "$build"
# No unity build here: the fuzzers compile a handful of sources, most without LibTorch.
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DACTBENCH_FUZZ=ON -DACTBENCH_BUILD_TESTS=OFF -DACTBENCH_USE_PCH=OFF -DACTBENCH_UNITY=OFF \
  > "$build/configure.log" 2>&1 ||
  { cat "$build/configure.log"; exit 1; }
# Compiler and linker errors in full, progress lines dropped; the build's status, not grep's, decides.
cmake --build "$build" --target actbench_fuzzers -j "$jobs" > "$build/build.log" 2>&1 ||
  { grep -v '^\[[0-9]*/[0-9]*\] ' "$build/build.log"; echo "fuzz.sh: the fuzz build failed" >&2; exit 1; }

# LibTorch is not instrumented: its allocations are not ours to report, and its global
# constructors allocate things that live until exit (leak detection would flag them).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# One fuzzer per core at a time (FUZZ_JOBS): each target still fuzzes for the full time, and the
# whole run takes ceil(targets / jobs) x seconds instead of targets x seconds.
fuzz_one() {
  local target=$1
  local corpus="$build/corpus/$target" findings="$build/findings/$target"
  local log="$build/fuzz-$target.log" result
  mkdir -p "$corpus" "$findings"
  # The committed seeds are read-only inputs (second corpus directory); new finds go to $corpus.
  # -rss_limit_mb: a reader that allocates what a corrupt header claims is a finding too.
  if "$build/${target}_fuzzer" "$corpus" "$source_dir/fuzz/corpus/$target" \
      -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
      -artifact_prefix="$findings/" -print_final_stats=1 > "$log" 2>&1; then
    result=ok
  else
    result="FAILED (exit $?)"
  fi
  echo "$result" > "$build/fuzz-$target.result"
}

rm -f "$build"/fuzz-*.result
running=0
for target in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
  echo "fuzz.sh: $target for ${seconds}s (log $build/fuzz-$target.log)"
  fuzz_one "$target" &
  running=$((running + 1))
done
wait

status=0
summary=()
for target in "${targets[@]}"; do
  log="$build/fuzz-$target.log"
  result=$(cat "$build/fuzz-$target.result" 2>/dev/null || echo "FAILED (no result)")
  if [ "$result" != ok ]; then
    status=1
    tail -n 40 "$log"
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*' || echo "?")
  summary+=("$(printf '%-14s %s, %s executions, coverage %s edges' "$target" "$result" "$execs" "$cov")")
done
printf '%s\n' "${summary[@]}"
exit $status
