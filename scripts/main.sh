#!/usr/bin/env bash
# The main job: installs what is missing, builds, runs the five demo scenarios headless as one
# sweep into results/demos.sqlite, and writes the report results/demos-report.md with its charts
# in results/demos-report-charts/. Progress shows on a terminal. Exits 1 if a demo's expect:
# gates failed (the report is written anyway), 2/3 on bad input or errors.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh release
hcsim=build/release/hcsim
mkdir -p results
set +e
"$hcsim" sweep scenarios/demos/demos.sweep.yaml --out results/demos.sqlite --jobs "$(nproc 2>/dev/null || echo 1)"
status=$?
set -e
case $status in
  0 | 1) ;;
  *) echo "main: the demo sweep exited $status" >&2; exit $status ;;
esac
"$hcsim" report results/demos.sqlite --out results/demos-report.md
for f in scenarios/demos/0*.yaml; do
  name="$(basename "$f" .yaml)"
  sqlite3 -separator ' ' results/demos.sqlite \
    "SELECT '  ' || scenario_name, 'apdex', round(json_extract(summary_json, '$.overall.apdex'), 3),
            'errors', round(100 * json_extract(summary_json, '$.overall.error_rate'), 2) || '%',
            'p95', round(json_extract(summary_json, '$.overall.rt_p95_s'), 3) || 's',
            'cost', round(json_extract(summary_json, '$.overall.cost'), 2),
            CASE expect_passed WHEN 1 THEN 'gates ok' WHEN 0 THEN 'GATES FAILED' ELSE '' END
       FROM runs WHERE scenario_name = '$name'"
done
echo "results: results/demos.sqlite (schema: docs/results-schema.md); report: results/demos-report.md"
exit $status
