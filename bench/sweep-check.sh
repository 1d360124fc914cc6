#!/usr/bin/env bash
# bench/sweep-check.sh: `make sweep-check`. Runs `loadgen sweep` against
# `loadgen mock` set up as an M/M/8 queue (8 slots, exponential service of
# mean 25 ms) and holds its answers to the closed forms: the capacity to
# c/E[S] within ±3 %, the SLO-max (TTFT ≤ 25 ms for 95 %) to Erlang C within
# ±10 %, the sweep within about 4 minutes. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${BENCH_OUT:-bench/out}
mkdir -p "$out"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
results="$out/sweep-$stamp.jsonl"
keep="$out/sweep-$stamp"
mkdir -p "$keep"
echo "# loadgen sweep-check $stamp"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at start"
echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (dirty tree)')"
go build -o bin/loadgen ./cmd/loadgen
go build -o bin/lgbench ./bench/cmd/lgbench
bin/lgbench -loadgen bin/loadgen -scenarios bench/scenarios -results "$results" sweep -keep "$keep"
echo
bin/lgbench -results "$results" table
echo
echo "figures: $results; the sweep's JSON, HTML and table: $keep/"
# A figure not met fails the check.
if grep -q '"met":"no"' "$results"; then
  echo "sweep-check: a figure was not met (a busy machine slows the mock and loadgen; see bench/README.md)"
  exit 1
fi
