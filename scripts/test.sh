#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs every CTest test (labels unit, cli,
# validation, viewer, sweeps). Extra arguments go to ctest, e.g. scripts/test.sh -L unit.
# PRESET=asan scripts/test.sh runs the same suite built with AddressSanitizer and
# UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${PRESET:-release}"
scripts/setup.sh "$preset"
ctest --preset "$preset" "$@"
