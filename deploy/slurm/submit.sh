#!/usr/bin/env bash
# Submits a sweep as a job array and its merge as a job that waits for it.
#   deploy/slurm/submit.sh [SWEEP.yaml [SHARDS]]      (from the hcsim checkout)
set -euo pipefail
home=$(cd "$(dirname "$0")/../.." && pwd)
sweep=$(realpath "${1:-$home/scenarios/sweeps/surge-hpa-target-x-stabilization.yaml}")
shards=${2:-100}
export HCSIM_HOME=$home SWEEP=$sweep
array=$(sbatch --parsable --export=ALL --array="0-$((shards - 1))%20" "$home/deploy/slurm/sweep.sbatch")
merge=$(sbatch --parsable --export=ALL --dependency="afterok:$array" "$home/deploy/slurm/merge.sbatch")
echo "sweep: job array $array ($shards shards); merge: job $merge"
