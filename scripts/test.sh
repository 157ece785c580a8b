#!/usr/bin/env bash
# The test command: install packages, build, run the whole suite (ctest).
#   scripts/test.sh [release|asan]
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
scripts/build.sh "$preset"
ctest --preset "$preset"
