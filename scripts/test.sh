#!/usr/bin/env bash
# Runs the test suite on a fresh machine: installs what is missing, builds, fetches the real MNIST and
# Fashion-MNIST the data tests read, then runs every test with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/build.sh
./build/actbench data fetch mnist
./build/actbench data fetch fashion_mnist
cd build && ctest --output-on-failure -j 2 --timeout 1200
