#!/usr/bin/env bash
# The main job on a fresh Debian bookworm machine: install what is missing, build, fetch MNIST, and run
# the default experiment (the MNIST MLP, 3 epochs), which prints its per-epoch table and result table.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/build.sh
./build/actbench data fetch mnist
./build/actbench run configs/mnist_mlp.yaml "$@"
