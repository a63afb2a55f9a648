#!/usr/bin/env bash
# One shard of a sweep, as a Kubernetes Indexed Job pod or a Slurm array task runs it.
#
#   SWEEP=path/to/sweep.yaml RESULTS=dir deploy/run-shard.sh
#
# The shard index comes from JOB_COMPLETION_INDEX (Kubernetes) or SLURM_ARRAY_TASK_ID (Slurm),
# the shard count from SHARD_COUNT, SLURM_ARRAY_TASK_COUNT or the sweep file's `shards:`.
# Shard i writes RESULTS/shards/shard-<i>.sqlite. A retried shard (a pod rescheduled after a node
# loss, a requeued Slurm task) resumes: runs it already finished are kept, not redone.
# Environment: HCSIM (the executable; default: hcsim on PATH), JOBS (worker threads; default:
# every CPU this task may use).
set -euo pipefail

: "${SWEEP:?set SWEEP to the sweep file}"
: "${RESULTS:?set RESULTS to the results directory (shared by all shards)}"
hcsim=${HCSIM:-hcsim}
index=${JOB_COMPLETION_INDEX:-${SLURM_ARRAY_TASK_ID:-}}
if [[ -z "$index" ]]; then
  echo "run-shard.sh: neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set" >&2
  exit 2
fi
count=${SHARD_COUNT:-${SLURM_ARRAY_TASK_COUNT:-}}

mkdir -p "$RESULTS/shards"
out=$RESULTS/shards/shard-$(printf '%05d' "$index").sqlite
args=(sweep "$SWEEP" --shard auto --out "$out" --jobs "${JOBS:-$(nproc)}" --quiet)
[[ -n "$count" ]] && args+=(--shard-count "$count")
[[ -f "$out" ]] && args+=(--resume)

echo "run-shard.sh: shard $index${count:+ of $count}: $hcsim ${args[*]}" >&2
rc=0
"$hcsim" "${args[@]}" || rc=$?
# Exit 1 means some runs missed their expect: gates. The results are complete and a retry would
# only repeat them: the shard succeeded. The report shows which configurations failed.
[[ $rc -eq 1 ]] && rc=0
exit "$rc"
