#!/usr/bin/env bash
# Installs every system package gridrnn needs to build, test and run, from Debian's archive only.
# Idempotent: packages already present are skipped; safe to run again. Run as root on Debian 12.
#   scripts/install-deps.sh           build + test + run dependencies
#   scripts/install-deps.sh --peer    also the PyTorch peer used by side-by-side benchmarks (never by tests)
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libeigen3-dev          # linear algebra
  librandom123-dev       # counter-based RNG (Philox)
  libtomlplusplus-dev    # TOML configs
  nlohmann-json3-dev     # JSON output
  libcli11-dev           # command line
  libfmt-dev             # formatting
  libcairo2-dev fonts-dejavu-core   # figures
  libfftw3-dev           # spectra
  libopenblas-dev        # BLAS for large products
  libopenmpi-dev openmpi-bin        # optional scale-out
  libgtest-dev libgmock-dev libbenchmark-dev   # tests and benchmarks
  chromium               # headless check that report.html loads its images
  python3-dev pybind11-dev python3-pybind11 python3-numpy python3-pytest   # the Python module, its tests
)
if [[ "${1:-}" == "--peer" ]]; then
  packages+=(python3-torch)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: these packages are missing and installing them needs root: ${missing[*]}" >&2
  exit 2
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
