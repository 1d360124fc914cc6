package runner

import "fmt"

// The generator's own limits. Each session in flight holds one connection,
// one file descriptor, while it waits for a reply, and the client keeps up
// to its idle pool of connections open besides; with more sessions than
// descriptors, loadgen's own dials fail with "too many open files" (43 252
// of them were once counted as the target's connect errors). So when the
// scenario sets no max_sessions, the runner derives one from the process's
// file limit (RLIMIT_NOFILE, whose soft value Go raises to the hard one at
// start): the limit less fdReserve for loadgen's own files, shared between
// the idle pool (at most half) and sessions in flight. Sessions beyond the
// cap wait for a slot; the wait is schedule lag and the generator reports
// itself saturated (Saturation).

// fdReserve is what a run keeps of its file limit for files other than the
// target's connections: standard streams, results and report files, the
// /metrics server and its scrapers, the poller, timers, DNS.
const fdReserve = 64

// fdBudget splits a file limit (0: unknown) between the client's idle pool
// (at most wantIdle) and sessions in flight; 0 sessions means no limit.
func fdBudget(limit uint64, wantIdle int) (sessions, idle int) {
	if limit == 0 {
		return 0, wantIdle
	}
	usable := max(int(min(limit, 1<<30))-fdReserve, 2)
	idle = min(wantIdle, usable/2)
	return usable - idle, idle
}

// FDLimit returns the process's file limit (RLIMIT_NOFILE, soft), 0 when
// unknown.
func FDLimit() uint64 { return fdLimit() }

// sessionCap returns the cap on sessions in flight for a load that asked
// for max (0: none) with users (closed model; 0 otherwise) under a file
// limit, and a warning for people when the file limit lowered or imposes
// it, or users will wait for slots ("" when not).
func sessionCap(max, users int, limit uint64, idle int) (int, string) {
	budget, _ := fdBudget(limit, idle)
	switch {
	case budget == 0:
		return max, ""
	case max == 0 && users > budget:
		return budget, fmt.Sprintf("%d users, but the file limit (%d) lets loadgen hold only %d sessions in flight: "+
			"the others wait for a slot, which shows as schedule lag (raise it with ulimit -n, or run fewer users per process)", users, limit, budget)
	case max == 0:
		return budget, ""
	case max > budget:
		return budget, fmt.Sprintf("max_sessions %d is more than the file limit (%d) lets loadgen hold in flight: capped at %d "+
			"(raise it with ulimit -n, or split the run with --shard)", max, limit, budget)
	}
	return max, ""
}
