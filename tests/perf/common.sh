# Shared by the benchmark scripts (sourced from the project root): builds the release preset,
# sets $hcsim and a temporary directory $tmp (removed on exit), and defines median and one_run.
scripts/setup.sh release >/dev/null
hcsim=build/release/hcsim
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
# Prints "<M requests/s> <peak RSS MB> <requests>" for one hcsim run (an SLO gate that fails
# does not stop the benchmark: it is a result, not an error).
one_run() {
  /usr/bin/time -f "%M" -o "$tmp/rss" "$hcsim" run "$@" --out "$tmp/r.sqlite" \
    --summary-json "$tmp/s.json" -q --force || true
  local reqs wall
  reqs=$(grep -m1 '"requests"' "$tmp/s.json" | tr -dc '0-9')
  wall=$(sqlite3 "$tmp/r.sqlite" "SELECT wall_seconds FROM runs")
  awk -v r="$reqs" -v w="$wall" -v m="$(cat "$tmp/rss")" \
    'BEGIN {printf "%.3f %.1f %d\n", r / w / 1e6, m / 1024, r}'
}
