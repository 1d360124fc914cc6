#!/usr/bin/env bash
# bench/run.sh: loadgen's benchmarks, run by `make bench`. See bench/README.md.
#
# Builds loadgen and bench/cmd/lgbench, installs vegeta into a temp GOBIN
# (go.mod is not touched), then runs, each bounded in time and on loopback:
#   1 throughput  loadgen vs vegeta attack -rate=0, conversations/s
#   2 flow        streamed messages/s, CPU split between mock and harness
#   4 ttft        measured TTFT - 100 ms at 100 and 1000 streams
#   5 schedule    open model at 500 and 2000 sessions/s
#   3 memory      RSS and Go heap with 1k, 10k, 50k users in think time
#   6 micro       go test -bench: parser, result recording, metrics
# and prints one Markdown table. Figures also go to bench/out/ (ignored by git).
#
# Environment: BENCH_OUT (default bench/out), BENCH_QUICK=1 for a shorter
# smoke run (smaller sizes, shorter durations; not for the README).
set -euo pipefail
cd "$(dirname "$0")/.."

out=${BENCH_OUT:-bench/out}
mkdir -p "$out"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
results="$out/results-$stamp.jsonl"
log="$out/bench-$stamp.log"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 50 000 users need sockets; idle users need none, but sign-in bursts do.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 20000 2>/dev/null || true

exec > >(tee "$log") 2>&1
echo "# loadgen bench $stamp"
echo "date:    $(date)"
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1), $(free -g | awk '/^Mem:/{print $2}') GB RAM"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at start"
echo "go:      $(go version)"
echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (dirty tree)')"
echo "ulimit:  -n $(ulimit -n)"

t0=$SECONDS
echo "== build"
GOBIN="$tmp/bin" go install github.com/tsenart/vegeta/v12@v12.13.0
go build -o "$tmp/bin/loadgen" ./cmd/loadgen
go build -o "$tmp/bin/lgbench" ./bench/cmd/lgbench
lg=("$tmp/bin/lgbench" -loadgen "$tmp/bin/loadgen" -vegeta "$tmp/bin/vegeta" -scenarios bench/scenarios -results "$results")

if [[ ${BENCH_QUICK:-} == 1 ]]; then
	"${lg[@]}" throughput -duration 3s -rounds 1
	"${lg[@]}" flow -duration 3s
	"${lg[@]}" ttft -streams 100 -duration 5s
	"${lg[@]}" schedule -rates 500 -duration 5s
	"${lg[@]}" memory -users 500,2000
else
	# Timing first, while the machine is fresh; the 50 000-user run last.
	"${lg[@]}" throughput -conns 50 -duration 8s -rounds 2
	"${lg[@]}" flow -users 50 -duration 10s
	"${lg[@]}" ttft -streams 100,1000 -duration 15s
	"${lg[@]}" schedule -rates 500,2000 -duration 20s
	"${lg[@]}" memory -users 1000,10000,50000
fi

echo "== micro benchmarks"
bt=${BENCH_TIME:-300ms}
{
	go test -run '^$' -benchmem -benchtime "$bt" -bench 'BenchmarkDataStream|BenchmarkSendMessage|BenchmarkCreateSession' ./helperapi ./helperapi/stream
	go test -run '^$' -benchmem -benchtime "$bt" -bench 'BenchmarkAggregateRecord' ./stats
	go test -run '^$' -benchmem -benchtime "$bt" -bench 'BenchmarkWriterRecord' ./resultfile
	go test -run '^$' -benchmem -benchtime "$bt" -bench 'BenchmarkRecord' ./metrics
	go test -run '^$' -benchmem -benchtime "$bt" -bench 'BenchmarkCreateOnlySession|BenchmarkWorkersRun' ./runner
} | tee "$tmp/micro.txt"
"${lg[@]}" gobench "$tmp/micro.txt"

echo "== load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); took $((SECONDS - t0)) s"
echo
"${lg[@]}" table
echo
echo "figures: $results; log: $log"
