#!/usr/bin/env bash
# The main job: installs what is missing, builds, then runs the example scenarios headless and
# prints their summaries. Results go to results/<scenario>.sqlite, summaries to
# results/<scenario>.summary.json. Exits 1 if any scenario's expect: gates failed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh release
mkdir -p results
status=0
for f in scenarios/examples/*.yaml; do
  name="$(basename "$f" .yaml)"
  echo "== $f"
  set +e
  build/release/hcsim run "$f" --out "results/$name.sqlite" --summary-json "results/$name.summary.json"
  rc=$?
  set -e
  case $rc in
    0) ;;
    1) echo "   expect: gates FAILED for $name"; status=1 ;;
    *) echo "   hcsim exited $rc for $name"; exit $rc ;;
  esac
done
echo "results: results/*.sqlite (schema: docs/results-schema.md)"
exit $status
