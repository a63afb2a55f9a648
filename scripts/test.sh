#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs every CTest test (unit, cli and the
# statistical validation label). Extra arguments go to ctest, e.g. scripts/test.sh -L unit.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh release
ctest --preset release "$@"
