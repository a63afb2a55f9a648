#!/usr/bin/env bash
# After every shard has finished: merge RESULTS/shards/*.sqlite into one results file and write
# the report next to it.
#
#   RESULTS=dir deploy/merge.sh
#
# Writes RESULTS/merged.sqlite (or MERGED) and RESULTS/report.md with its charts. The merged file
# holds exactly what one unsharded `hcsim sweep` would have written. Environment: HCSIM (default:
# hcsim on PATH), REPORT_ARGS (extra `hcsim report` options, e.g. "--pareto-y rto").
set -euo pipefail

: "${RESULTS:?set RESULTS to the results directory the shards wrote}"
hcsim=${HCSIM:-hcsim}
merged=${MERGED:-$RESULTS/merged.sqlite}

shopt -s nullglob
parts=("$RESULTS"/shards/shard-*.sqlite)
if [[ ${#parts[@]} -eq 0 ]]; then
  echo "merge.sh: no shard results in $RESULTS/shards" >&2
  exit 2
fi
rm -f "$merged"
"$hcsim" merge "$merged" "${parts[@]}"
# shellcheck disable=SC2086 # REPORT_ARGS is a list of options
"$hcsim" report "$merged" --out "$RESULTS/report.md" ${REPORT_ARGS:-}
