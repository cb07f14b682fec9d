#!/usr/bin/env bash
# The main job on a fresh Debian bookworm machine: install what running needs (no test tools), build
# the actbench binary alone and put it on the PATH, fetch MNIST, and run the default experiment (the
# MNIST MLP, 3 epochs), which prints its per-epoch table and result table. scripts/test.sh does the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/build.sh -DACTBENCH_BUILD_TESTS=OFF -DACTBENCH_BUILD_BENCHMARKS=OFF actbench
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO cmake --install build > /dev/null
echo "actbench: installed as $(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' build/CMakeCache.txt)/bin/actbench"
./build/actbench data fetch mnist
./build/actbench run configs/mnist_mlp.yaml "$@"
