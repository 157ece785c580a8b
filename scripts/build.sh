#!/usr/bin/env bash
# Installs the system packages (Debian) and builds a preset (default: release).
#   scripts/build.sh [release|asan|mpi]
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
scripts/install-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
