#!/usr/bin/env bash
# Bounded libFuzzer smoke run of every importer target (part of `make test`).
# Usage: tests/fuzz/smoke.sh BUILD_DIR [RUNS]   (RUNS inputs per target, default 20000, ≤ 30 s each)
# New inputs go to a temporary directory; the seed corpus in tests/fuzz/corpus/ is never modified.
set -euo pipefail
build=${1:?usage: smoke.sh BUILD_DIR [RUNS]}
runs=${2:-20000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
total=0
for target in shot_csv bdl_json schedule_json; do
  mkdir -p "$work/$target"
  log="$work/$target.log"
  if ! "$build/tests/fuzz/fuzz_$target" -runs="$runs" -max_total_time=30 -max_len=4096 -seed=1 \
      -dict="$here/$target.dict" -artifact_prefix="$work/" "$work/$target" "$here/corpus/$target" >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz_$target: FAILED (crash input above; rerun: $build/tests/fuzz/fuzz_$target <input>)" >&2
    exit 1
  fi
  done_runs=$(grep -oE 'Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' | tail -n 1)
  echo "fuzz_$target: ${done_runs:-0} executions, no crash"
  total=$((total + ${done_runs:-0}))
done
echo "fuzz smoke: $total executions in all"
