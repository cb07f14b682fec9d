#!/usr/bin/env bash
# Sweep throughput on this machine: the same 8 MNIST MLP runs (3 epochs each, seeds 0-7) with
# workers x threads = 1x1, 1x2, 2x1 and the default (no flags), alternating, reporting wall time and
# runs per hour for each and the ratio to 1x1. This is what the default (one worker per core, one
# thread each) was chosen from. The sweep part of bench/run_bench.py, which it calls.
# Usage: bench/sweep_throughput.sh [BUILD_DIR] [more run_bench.py options, e.g. --sweep-reps 2]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
exec /usr/bin/python3 bench/run_bench.py --actbench "$build/actbench" --parts sweep "$@"
