#!/usr/bin/env bash
# hcsim against SimPy and SimGrid on the same M/M/c model (lambda 8/s, mu 1/s, c 10, FIFO):
# customers simulated per second of wall time, median of RUNS runs each, and the ratios. Each
# also prints its mean response time (Erlang C: 1.2046 s) to show it simulates the same model.
# hcsim records its full per-minute series and histograms on the way; the peers only sum.
# Usage: tests/perf/peers/run.sh [RUNS]     (installs python3-simpy and libsimgrid-dev if missing)
set -euo pipefail
cd "$(dirname "$0")/../../.."
runs="${1:-3}"
scripts/setup.sh release >/dev/null
for p in python3-simpy libsimgrid-dev; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$p" >/dev/null
  fi
done
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
g++ -O2 -std=c++17 tests/perf/peers/mmc_simgrid.cpp -o "$tmp/mmc_simgrid" -lsimgrid

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
hcsim_once() {
  build/release/hcsim run tests/perf/mmc-20m.yaml --out "$tmp/r.sqlite" --summary-json "$tmp/s.json" -q
  local n wall rt
  n=$(sqlite3 "$tmp/r.sqlite" "SELECT json_extract(summary_json, '$.overall.completed') FROM runs")
  wall=$(sqlite3 "$tmp/r.sqlite" "SELECT wall_seconds FROM runs")
  rt=$(sqlite3 "$tmp/r.sqlite" "SELECT json_extract(summary_json, '$.overall.rt_mean_s') FROM runs")
  echo "hcsim customers $n wall_s $wall per_s $(awk -v n="$n" -v w="$wall" 'BEGIN {printf "%.0f", n / w}') mean_rt_s $rt"
}
for i in $(seq "$runs"); do hcsim_once; done > "$tmp/hcsim"
for i in $(seq "$runs"); do "$tmp/mmc_simgrid" 2000000 --log=root.thres:critical; done > "$tmp/simgrid"
for i in $(seq "$runs"); do /usr/bin/python3 tests/perf/peers/mmc_simpy.py 500000; done > "$tmp/simpy"
cat "$tmp/hcsim" "$tmp/simgrid" "$tmp/simpy"
h=$(awk '{print $7}' "$tmp/hcsim" | median)
g=$(awk '{print $7}' "$tmp/simgrid" | median)
p=$(awk '{print $7}' "$tmp/simpy" | median)
echo
echo "| simulator | customers per run | customers / s (median of $runs) | hcsim is faster by |"
echo "|---|---|---|---|"
echo "| hcsim (this checkout) | $(awk '{print $3; exit}' "$tmp/hcsim") | $h | 1 |"
echo "| SimGrid 3.32 S4U (actors, condition variable) | 2,000,000 | $g | $(awk -v a="$h" -v b="$g" 'BEGIN {printf "%.1fx", a / b}') |"
echo "| SimPy 2.3.1 (Debian python3-simpy) | 500,000 | $p | $(awk -v a="$h" -v b="$p" 'BEGIN {printf "%.1fx", a / b}') |"
