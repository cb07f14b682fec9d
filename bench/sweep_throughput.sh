#!/usr/bin/env bash
# Sweep throughput on this machine: the same 8 MNIST MLP runs (3 epochs each, seeds 0-7) with
# workers x threads = 1x1, 2x1 and 1x2, one after another in one invocation, reporting wall time and
# runs per hour for each and the ratio to 1x1. This is what the default (one worker per core, one
# thread each) was chosen from. Usage: bench/sweep_throughput.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
scratch=$(mktemp -d /tmp/actbench-bench-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
printf '| workers x threads | wall time (s) | runs per hour | vs 1x1 |\n|---|---:|---:|---:|\n'
base=""
for setting in "1 1" "2 1" "1 2"; do
  set -- $setting
  start=$(date +%s.%N)
  "$build/actbench" sweep configs/mnist_mlp.yaml seed=0,1,2,3,4,5,6,7 --workers "$1" --threads "$2" \
    --dir "$scratch/w$1t$2" > "$scratch/w$1t$2.log"
  seconds=$(echo "$(date +%s.%N) - $start" | bc -l)
  [ -z "$base" ] && base=$seconds
  printf '| %sx%s | %.1f | %.0f | %.2f |\n' "$1" "$2" "$seconds" "$(echo "8 * 3600 / $seconds" | bc -l)" \
    "$(echo "$base / $seconds" | bc -l)"
done
