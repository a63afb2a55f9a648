#!/usr/bin/env bash
# Builds the libFuzzer targets (preset fuzz: clang with ASan and UBSan) and runs each for
# SECONDS (default 60), seeded from the repository's scenarios and sweeps and from the saved
# findings in tests/fuzz/regressions/, with the dictionary tests/fuzz/hcsim.dict (YAML, hcsim's
# keys and units, gnuplot, shell and SQL metacharacters). A crash, sanitizer report, unexpected exception or hang
# (10 s per input) fails the run and leaves the input in build/fuzz/artifacts/.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   (targets: fuzz_scenario fuzz_set fuzz_sweep fuzz_results)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(fuzz_scenario fuzz_set fuzz_sweep fuzz_results)
root=$PWD
scripts/setup.sh release >/dev/null   # the Debian packages of the project
if ! command -v clang++ >/dev/null; then  # libFuzzer comes with Debian's clang
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang >/dev/null
fi
[[ -f build/fuzz/CMakeCache.txt ]] || cmake --preset fuzz >/dev/null
cmake --build build/fuzz -j "$(nproc)" 2>&1 | grep -E 'error|warning:' || true

for t in "${targets[@]}"; do
  corpus=build/fuzz/corpus/$t
  mkdir -p "$corpus" build/fuzz/artifacts
  case $t in
    fuzz_scenario)
      find scenarios tests/bad_inputs -name '*.yaml' ! -name '*.sweep.yaml' -size -64k \
        -exec cp -t "$corpus" {} + 2>/dev/null || true ;;
    fuzz_set)
      printf 'sites.public.replicas=12\nseed=7\n' > "$corpus/seed-1"
      printf 'sites.private.autoscaler.hpa=~\nsites.private.autoscaler.knative.max=9\n' > "$corpus/seed-2"
      printf 'gslb.dns.ttl=300s\nevents[0].outage.duration=1m\ntraffic.users.shock=3\n' > "$corpus/seed-3"
      printf 'topology.links[0].latency=1ms\nmetrics.bucket=1s\nexpect.apdex_min=0.5\n' > "$corpus/seed-4" ;;
    fuzz_sweep)
      for f in scenarios/sweeps/*.yaml scenarios/demos/demos.sweep.yaml; do
        sed "s#\.\./demos/#$root/scenarios/demos/#; s#^  - 0#  - $root/scenarios/demos/0#" "$f" \
          > "$corpus/$(basename "$f")"
      done ;;
    fuzz_results)  # edits of a results file, 8 bytes each (tests/fuzz/fuzz_results.cc)
      printf '\x0a\x03\x00\x00\x00\x00\x00\x70' > "$corpus/seed-first-bin"
      printf '\x02\x05\x00\x00\xfb\xff\xff\xff' > "$corpus/seed-negative-count"
      printf '\x11\x00\x00\x00\x02\x00\x00\x00\x13\x01\x00\x00\x00\x00\x00\x00' \
        > "$corpus/seed-status-bucket" ;;
  esac
  [[ -d tests/fuzz/regressions/$t ]] && cp tests/fuzz/regressions/$t/* "$corpus/" 2>/dev/null || true
  echo "fuzz: $t for ${seconds}s"
  build/fuzz/$t "$corpus" -dict=tests/fuzz/hcsim.dict -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=build/fuzz/artifacts/$t- -print_final_stats=1 2>&1 |
    grep -E 'stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY|Test unit written|#[0-9]+ *DONE' || true
  if ls build/fuzz/artifacts/$t-* >/dev/null 2>&1; then
    echo "fuzz: $t found inputs that fail: build/fuzz/artifacts/$t-*" >&2
    exit 1
  fi
done
