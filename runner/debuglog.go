package runner

import (
	"context"
	"log/slog"
	"sync"

	"github.com/loadgen/loadgen/results"
)

// debugPerKind is how many failed requests of each kind the debug log shows
// one by one (--log-level debug); the rest are counted in the summary.
const debugPerKind = 20

// debugLog throttles the debug log of failed requests. Safe for concurrent
// use.
type debugLog struct {
	mu    sync.Mutex // guards shown
	shown map[results.Kind]int
}

// debugFailure logs res at debug level when it failed, for its kind's
// first debugPerKind failures: the step, user, session, status, latency and
// the (redacted) error text.
func (r *Runner) debugFailure(res *results.Result) {
	if res.OK() || !r.log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	r.debug.mu.Lock()
	if r.debug.shown == nil {
		r.debug.shown = map[results.Kind]int{}
	}
	n := r.debug.shown[res.Error] + 1
	r.debug.shown[res.Error] = n
	r.debug.mu.Unlock()
	if n > debugPerKind {
		return
	}
	args := []any{"step", res.Step, "kind", res.Error, "status", res.Code, "user", res.User, "session_no", res.Session,
		"latency", res.Latency, "detail", res.Detail}
	if n == debugPerKind {
		args = append(args, "note", "the last of this kind logged; the summary counts them all")
	}
	r.log.Debug("request failed", args...)
}
