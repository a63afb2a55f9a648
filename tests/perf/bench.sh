#!/usr/bin/env bash
# Benchmarks (speed is measured here, never asserted by tests). Builds the release preset, then
# runs each benchmark RUNS times (default 5) and prints medians:
#   1. M/M/c, lambda 8/s, mu 1/s, c 10, shared queue, 20 M requests, metrics on (1 min buckets),
#      against the hand-written heap-based M/M/c floor (bench_mmc_floor): the ratio is what
#      travels between machines;
#   2. the same with 1 s buckets (2.5 M series rows per entity: what recording costs);
#   3. the 1 h flash crowd on two sites with HPAs and node autoscaling (the whole model), then
#      the same with closed-loop users behind a DNS GSLB with resolvers and health checks;
#   4. peak memory of a 1 h and a 24 h run at 1,000 req/s with 1 s buckets;
#   5. sweep throughput: the five demos x 4 replications (tests/perf/demos-x4.sweep.yaml) with
#      --jobs 1 and --jobs 2, in runs per hour, and the scaling efficiency (speed-up / jobs);
#   6. the viewer's frame time replaying demo 2 run for 24 h at 1 s buckets, off-screen under
#      Xvfb (600 frames over the whole run), at 1920x1080 and 1280x720, with the charts' time axis
#      on the whole run and on the last 5 minutes (every chart full width, its envelopes rebuilt
#      each frame).
# Usage: tests/perf/bench.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-5}"
# shellcheck source=tests/perf/common.sh
. tests/perf/common.sh

echo "hcsim benchmarks, median of $runs runs ($(nproc) cores, $(date -u +%Y-%m-%d))"
for i in $(seq "$runs"); do build/release/bench_mmc_floor | sed -E 's/.*= ([0-9.]+) M.*/\1/'; done > "$tmp/floor"
for i in $(seq "$runs"); do one_run tests/perf/mmc-20m.yaml; done > "$tmp/mmc"
for i in $(seq "$runs"); do one_run tests/perf/mmc-20m.yaml --set metrics.bucket=1s; done > "$tmp/mmc1s"
floor=$(median < "$tmp/floor")
mmc=$(cut -d' ' -f1 "$tmp/mmc" | median)
mmc1s=$(cut -d' ' -f1 "$tmp/mmc1s" | median)
echo
echo "| benchmark | M requests/s (median) | runs |"
echo "|---|---|---|"
echo "| hand-written heap M/M/c floor (no metrics) | $floor | $(tr '\n' ' ' < "$tmp/floor")|"
echo "| hcsim M/M/c 20 M requests, 1 min buckets | $mmc | $(cut -d' ' -f1 "$tmp/mmc" | tr '\n' ' ')|"
echo "| hcsim M/M/c 20 M requests, 1 s buckets | $mmc1s | $(cut -d' ' -f1 "$tmp/mmc1s" | tr '\n' ' ')|"
awk -v f="$floor" -v m="$mmc" 'BEGIN {printf "\nfloor / hcsim = %.2f (DESIGN target: <= 2; issue target: >= 4 M requests/s)\n", f / m}'

for i in $(seq "$runs"); do one_run tests/perf/flash-crowd-1h.yaml; done > "$tmp/fc"
echo
for i in $(seq "$runs"); do one_run tests/perf/flash-crowd-1h-dns.yaml; done > "$tmp/fcdns"
echo "| 1 h flash crowd | M requests/s (median) | runs | peak RSS MB (median) |"
echo "|---|---|---|---|"
echo "| open traffic, per-request split, two sites with HPAs and node autoscaling | $(cut -d' ' -f1 "$tmp/fc" | median) | $(cut -d' ' -f1 "$tmp/fc" | tr '\n' ' ')| $(cut -d' ' -f2 "$tmp/fc" | median) |"
echo "| closed-loop users, DNS GSLB, 400 resolvers, retries, replication, same sites | $(cut -d' ' -f1 "$tmp/fcdns" | median) | $(cut -d' ' -f1 "$tmp/fcdns" | tr '\n' ' ')| $(cut -d' ' -f2 "$tmp/fcdns" | median) |"
echo
echo "| 1,000 req/s, 1 s buckets | peak RSS MB | M requests/s |"
echo "|---|---|---|"
for d in 1h 24h; do
  read -r speed rss < <(one_run tests/perf/mem-1000rps.yaml --set duration=$d)
  echo "| $d | $rss | $speed |"
done

echo
echo "| sweep: 5 demos x 4 replications (20 runs) | wall s (median) | runs | runs / hour |"
echo "|---|---|---|---|"
for j in 1 2; do
  for i in $(seq "$runs"); do
    /usr/bin/time -f "%e" -o "$tmp/wall" "$hcsim" sweep tests/perf/demos-x4.sweep.yaml --jobs "$j" \
      --out "$tmp/sweep.sqlite" -q || true
    cat "$tmp/wall"
  done > "$tmp/sweep-j$j"
  w=$(median < "$tmp/sweep-j$j")
  echo "| --jobs $j | $w | $(tr '\n' ' ' < "$tmp/sweep-j$j")| $(awk -v w="$w" 'BEGIN {printf "%.0f", 20 * 3600 / w}') |"
done
awk -v a="$(median < "$tmp/sweep-j1")" -v b="$(median < "$tmp/sweep-j2")" \
  'BEGIN {printf "\nspeed-up with 2 jobs = %.2f, scaling efficiency = %.0f%%\n", a / b, 50 * a / b}'

echo
"$hcsim" run scenarios/demos/02-gslb-weighted.yaml --set duration=24h --out "$tmp/day.sqlite" -q --force || true
echo "| viewer, demo 2 for 24 h at 1 s buckets, 600 frames | frame median ms | frame p95 ms | building the interface ms | runs (median) |"
echo "|---|---|---|---|---|"
for size in 1920x1080 1280x720; do
  for window in 0 5; do
    for i in $(seq "$runs"); do
      xvfb-run -a -s "-screen 0 1920x1200x24" build/release/hcsim-viewer "$tmp/day.sqlite" \
        --bench-frames 600 --size "$size" --window "$window" |
        sed -E 's/.*then median ([0-9.]+) ms, p95 ([0-9.]+) ms.*interface: median ([0-9.]+) ms.*/\1 \2 \3/'
    done > "$tmp/frames"
    label=$([ "$window" = 0 ] && echo "whole run" || echo "last $window min")
    echo "| $size, $label | $(cut -d' ' -f1 "$tmp/frames" | median) | $(cut -d' ' -f2 "$tmp/frames" | median) | $(cut -d' ' -f3 "$tmp/frames" | median) | $(cut -d' ' -f1 "$tmp/frames" | tr '\n' ' ')|"
  done
done
