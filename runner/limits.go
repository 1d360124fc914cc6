package runner

import "fmt"

// The generator's own limits. A request in flight holds one connection,
// one file descriptor, until its reply has been read, and the client keeps
// up to its idle pool of connections open besides; a session between
// requests (a user thinking) holds none. With more requests in flight
// than descriptors, loadgen's own dials fail with "too many open files"
// (43 252 of them were once counted as the target's connect errors). So
// the runner caps the requests in flight by the process's file limit
// (RLIMIT_NOFILE, whose soft value Go raises to the hard one at start): the
// limit less fdReserve for loadgen's own files, shared between the idle
// pool (at most half) and connections in use. A request beyond the cap
// waits for one of them before it starts (stepThen): the wait is the step's
// schedule lag, not the target's latency, and the generator reports itself
// saturated (Saturation). (A poll step holds its connection for the whole
// poll, sleeps between GETs included: the cap errs on the safe side.)
// Sessions are not capped by it: 50 000 users
// thinking between turns need no descriptor at all. A scenario's
// max_sessions is a cap on sessions in flight of its own (schedule.go).

// fdReserve is what a run keeps of its file limit for files other than the
// target's connections: standard streams, results and report files, the
// /metrics server and its scrapers, the poller, timers, DNS.
const fdReserve = 64

// fdBudget splits a file limit (0: unknown) between the client's idle pool
// (at most wantIdle) and connections in use, that is requests in flight;
// 0 conns means no limit.
func fdBudget(limit uint64, wantIdle int) (conns, idle int) {
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

// connCap returns the cap on requests in flight under a file limit (0: none)
// for a load whose sessions in flight are at most sessions (the closed
// model's users or max_sessions, the smaller; 0: unknown), and a warning
// for people when the load may need more connections at once than that
// ("" when not). It is only a warning: a session holds a connection only
// while one of its requests is in flight, so users in think time need none.
func connCap(sessions int, limit uint64, idle int) (int, string) {
	conns, _ := fdBudget(limit, idle)
	if conns == 0 || sessions <= conns {
		return conns, ""
	}
	return conns, fmt.Sprintf("up to %d sessions in flight, but the file limit (%d) lets loadgen hold only %d connections at once: "+
		"when more requests than that are in flight, the others wait for one, which shows as schedule lag and saturation "+
		"(users thinking between turns hold none; raise it with ulimit -n, or split the run with --shard)", sessions, limit, conns)
}
