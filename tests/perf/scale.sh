#!/usr/bin/env bash
# Scale benchmarks (issue #15): requests per second and peak memory as the model grows.
#   1. the 1 h flash crowd with closed-loop users behind the DNS GSLB
#      (tests/perf/flash-crowd-1h-dns.yaml) with 1x, 10x and 50x (and, with --with-1m, 200x:
#      a million base users, five million at the peak) its 5,000 base users; nodes, replicas,
#      HPA maxima and resolvers scaled alongside. At 200x the pods are 4-core (64 workers) so
#      that the HPA needs under 20,000 of them: the same work per request, a quarter the pods;
#   2. 100, 1,000 and 10,000 pods held by an HPA at 20 requests/s per pod
#      (tests/perf/pods-scale.yaml), 20 million requests each;
#   3. large runs side by side: tests/perf/large-x4.sweep.yaml (four 20-minute runs of the 10x
#      users flash crowd) with --jobs 1 and --jobs 2, and the scaling efficiency.
# Prints medians of RUNS runs (default 3; the 50x and 200x users run once: minutes; 200x about
# 40 minutes) and the ratio of the largest to the smallest. Speed is measured here, never
# asserted by tests.
# Usage: tests/perf/scale.sh [RUNS] [--with-1m]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=3 with_1m=""
for arg in "$@"; do
  case "$arg" in
    --with-1m) with_1m=$arg ;;
    *[!0-9]* | "" | 0)
      echo "usage: tests/perf/scale.sh [RUNS] [--with-1m] (RUNS: a positive integer; got '$arg')" >&2
      exit 2
      ;;
    *) runs=$arg ;;
  esac
done
# shellcheck source=tests/perf/common.sh
. tests/perf/common.sh
# --set arguments for K times the flash crowd's users, with pods of P cores (P x 16 workers,
# P x 128 queue; replicas and HPA maxima divided by P).
users_args() {
  local k=$1 p=${2:-1}
  echo --set traffic.users.base=$((5000 * k)) \
    --set sites.private.nodes.count=$((10 * k)) --set sites.public.nodes.count=$((4 * k)) \
    --set sites.public.nodes.autoscale.max=$((30 * k)) \
    --set sites.private.replicas=$((12 * k / p)) --set sites.public.replicas=$((28 * k / p)) \
    --set sites.private.autoscaler.hpa.maxReplicas=$((200 * k / p)) \
    --set sites.public.autoscaler.hpa.maxReplicas=$((200 * k / p)) \
    --set gslb.dns.resolvers_per_region=$((200 * k))
  if [ "$p" -ne 1 ]; then
    for site in private public; do
      echo --set sites.$site.deployment.pod.cpu="$p" \
        --set sites.$site.deployment.pod.concurrency=$((16 * p)) \
        --set sites.$site.deployment.pod.queue=$((128 * p))
    done
  fi
}
# --set arguments for N pods at 20 requests/s each, 20 million requests.
pods_args() {
  local n=$1
  echo --set sites.dc.replicas="$n" --set sites.dc.autoscaler.hpa.minReplicas="$n" \
    --set sites.dc.autoscaler.hpa.maxReplicas=$((n + n / 10)) \
    --set sites.dc.nodes.count=$(((n + n / 10) / 16 + 1)) \
    --set traffic.rate.value=$((20 * n))/s --set duration=$((1000000 / n))s
}
table() {  # title, then lines "label|file"
  local title=$1 first="" last=""
  shift
  echo "| $title | M requests/s (median) | runs | peak RSS MB | requests |"
  echo "|---|---|---|---|---|"
  for line in "$@"; do
    local label=${line%%|*} f=${line#*|}
    local m
    m=$(cut -d' ' -f1 "$f" | median)
    echo "| $label | $m | $(cut -d' ' -f1 "$f" | tr '\n' ' ')| $(cut -d' ' -f2 "$f" | median) | $(head -1 "$f" | cut -d' ' -f3) |"
    [ -z "$first" ] && first=$m
    last=$m
  done
  awk -v a="$first" -v b="$last" 'BEGIN {printf "\nlargest / smallest: %.2f\n\n", b / a}'
}

echo "hcsim scale benchmarks, median of $runs runs ($(nproc) cores, $(date -u +%Y-%m-%d))"
echo
ks=(1 10 50)
[ "$with_1m" = "--with-1m" ] && ks+=(200)
rows=()
for k in "${ks[@]}"; do
  n=$runs p=1
  [ "$k" -ge 50 ] && n=1
  [ "$k" -ge 200 ] && p=4
  # shellcheck disable=SC2046
  for i in $(seq "$n"); do one_run tests/perf/flash-crowd-1h-dns.yaml $(users_args "$k" "$p"); done > "$tmp/users$k"
  rows+=("$((5000 * k)) -> $((25000 * k)) users|$tmp/users$k")
done
table "1 h flash crowd, closed-loop users, DNS GSLB" "${rows[@]}"
rows=()
for n in 100 1000 10000; do
  # shellcheck disable=SC2046
  for i in $(seq "$runs"); do one_run tests/perf/pods-scale.yaml $(pods_args "$n"); done > "$tmp/pods$n"
  rows+=("$n pods, $((20 * n)) requests/s|$tmp/pods$n")
done
table "pods held by an HPA" "${rows[@]}"

for j in 1 2; do
  for i in $(seq "$runs"); do
    /usr/bin/time -f "%e" -o "$tmp/wall" "$hcsim" sweep tests/perf/large-x4.sweep.yaml --jobs "$j" \
      --out "$tmp/sweep.sqlite" -q --force || true
    cat "$tmp/wall"
  done > "$tmp/large-j$j"
done
echo "| 4 large runs (10x users, 20 min) | wall s (median) | runs |"
echo "|---|---|---|"
for j in 1 2; do echo "| --jobs $j | $(median < "$tmp/large-j$j") | $(tr '\n' ' ' < "$tmp/large-j$j")|"; done
awk -v a="$(median < "$tmp/large-j1")" -v b="$(median < "$tmp/large-j2")" \
  'BEGIN {printf "\nspeed-up with 2 jobs = %.2f, scaling efficiency = %.0f%%\n", a / b, 50 * a / b}'
