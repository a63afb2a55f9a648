#!/usr/bin/env bash
# Fails when a C++ source is not clang-formatted (.clang-format: Google, 100 columns).
# Run by the "format" CTest test; exits 77 (skipped) when clang-format is not installed.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "clang-format not installed: skipped"; exit 77; }
dirs=()
for d in sim models config store engine report cli tests gui; do [ -d "$d" ] && dirs+=("$d"); done
find "${dirs[@]}" -name '*.cc' -o -name '*.h' | sort | xargs clang-format --dry-run --Werror
