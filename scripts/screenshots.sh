#!/usr/bin/env bash
# Renders the README's viewer screenshots (docs/screenshots/) off-screen under Xvfb from the main
# job's results (results/demos.sqlite; run scripts/main.sh first), one moment of each demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh release >/dev/null
test -f results/demos.sqlite || { echo "screenshots: run scripts/main.sh first" >&2; exit 2; }
mkdir -p docs/screenshots
shots=(
  "1 12m54s demo-1-rollout"         # the promoted release on public: cold pods, CPU at 100%
  "2 21m30s demo-2-weights"         # after the change to 50/50, the traffic moves gradually
  "3 19m demo-3-surge"              # every private pod out of the Service; public flapping, pending
  "4 10m50s demo-4-outage"          # private down, detected, stale DNS answers and writes fail
  "5 12m demo-5-failover"           # public scaled out to 65 pods; stale DNS still sends users to private
)
for s in "${shots[@]}"; do
  read -r run at name <<<"$s"
  xvfb-run -a -s "-screen 0 1920x1200x24" build/release/hcsim-viewer results/demos.sqlite \
    --run "$run" --at "$at" --size 1600x1000 --screenshot "docs/screenshots/$name.png"
  echo "docs/screenshots/$name.png"
done
xvfb-run -a -s "-screen 0 1920x1200x24" build/release/hcsim-viewer --size 1600x1000 \
  --screenshot docs/screenshots/start.png
