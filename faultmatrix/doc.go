// Package faultmatrix holds loadgen's end-to-end fault matrix: a table test
// that builds the loadgen binary once and runs `loadgen run` as a subprocess
// against `loadgen mock` (also a subprocess) under one fault at a time and
// under all of them together — errors and rate limits from a proxy, broken
// streams, slow and stalled replies, a dead target, a target killed and
// restarted mid-run, a low fd limit, Ctrl-C once and twice, SIGKILL, a full
// disk — so that signals, rlimits and process death are real.
//
// For every case it checks that the run ends within its bound, with the
// documented exit code, that each injected fault is counted once under its
// error kind, and that three independent counts agree exactly: the results
// file, loadgen's /metrics (scraped by the test) and the mock's own /stats.
// Where a process dies before it can write everything (SIGKILL, a second
// Ctrl-C), the test checks the bounds that death allows instead.
//
// The package has no code besides its tests. The matrix takes about a
// minute and a half on two cores; `go test -short` skips it.
package faultmatrix
