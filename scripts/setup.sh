#!/usr/bin/env bash
# Installs the Debian packages hcsim needs, if any are missing, then configures and builds the
# release preset. Idempotent; prints nothing about packages when everything is present.
# Usage: scripts/setup.sh [preset]      (preset: release (default), debug, asan)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"

packages=(
  cmake g++ make clang-format
  libboost1.74-dev libboost-random-dev libeigen3-dev libyaml-cpp-dev libsqlite3-dev libcli11-dev
  catch2
  sqlite3
  gnuplot-nox fonts-dejavu-core
  libimgui-dev libglfw3-dev libgl-dev libstb-dev
  xvfb xauth libgl1-mesa-dri
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

jobs="$(nproc 2>/dev/null || echo 2)"
if [ ! -f "build/$preset/CMakeCache.txt" ]; then
  cmake --preset "$preset" >/dev/null
fi
cmake --build --preset "$preset" -j "$jobs" 2>&1 | grep -Ev '^\[|^(gmake|make)(\[[0-9]+\])?: (Entering|Leaving)|Built target|^-- ' || true
test -x "build/$preset/hcsim" -a -x "build/$preset/hcsim-viewer" || { echo "setup: build failed" >&2; exit 1; }
