#!/usr/bin/env bash
# The test command: install packages, build, run the whole suite (ctest; in the release build it
# includes the Python module's pytest tests, ctest -R python_module).
#   scripts/test.sh [release|asan]
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
scripts/build.sh "$preset"
ctest --preset "$preset"
