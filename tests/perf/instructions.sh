#!/usr/bin/env bash
# Instructions per simulated request for the M/M/c benchmark, counted by callgrind: repeatable
# on a noisy shared machine (wall-clock medians are not), so regressions are judged on this.
# Runs 2 million requests (250,000 s) of tests/perf/mmc-20m.yaml; about a minute.
# Usage: tests/perf/instructions.sh [extra hcsim run arguments]
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/setup.sh release >/dev/null
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" build/release/hcsim run \
  tests/perf/mmc-20m.yaml --set duration=250000s --out "$tmp/r.sqlite" --summary-json "$tmp/s.json" \
  -q "$@" 2>"$tmp/vg.log"
total=$(grep -oE 'Collected : [0-9]+' "$tmp/vg.log" | tr -dc '0-9')
reqs=$(grep -m1 '"requests"' "$tmp/s.json" | tr -dc '0-9')
awk -v t="$total" -v r="$reqs" 'BEGIN {printf "%.0f instructions for %.0f requests: %.0f per request\n", t, r, t / r}'
