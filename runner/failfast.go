package runner

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/loadgen/loadgen/results"
)

// Failing fast. A target that cannot work at all — it refuses the HMAC
// secret, or nothing answers at its address — must not be hammered for the
// whole run (a wrong secret once sent 25 841 signed sign-ins a second, a
// dead port took 431 698 sessions in 10 s) nor reported as a run with
// numbers. Two rules apply:
//
//   - A closed-model user whose session failed without one successful
//     request backs off before its next session: DefaultBackoff doubled
//     with each such session in a row, up to DefaultMaxBackoff, with equal
//     jitter. The next session keeps the intended start it had when the last
//     one ended, so the wait shows as schedule lag, not hidden.
//   - The run stops early (Run returns an *EarlyStop) once DefaultEarlyStop
//     signed sign-ins in a row were refused (401/403) and none ever
//     succeeded, or that many requests in a row could not connect and none
//     ever succeeded. Anonymous sign-ins need no secret: they neither make
//     nor break the signed streak (a wrong secret with 20 % anonymous users
//     once ran its whole duration measuring only them, and passed).
//     A target that worked once and then failed (a restart, a rotated
//     secret) is measured as it is, not stopped.

// Defaults of failing fast (see above).
const (
	DefaultEarlyStop  = 10                     // failures in a row that stop a run that never succeeded
	DefaultBackoff    = 100 * time.Millisecond // a closed-model user's first wait after a session that failed at once
	DefaultMaxBackoff = 10 * time.Second       // its longest
)

// EarlyStop is the error Run returns when it stopped the run because the
// target cannot work at all. The sessions that were running drained first.
type EarlyStop struct {
	Kind  results.Kind // results.KindAuth (sign-ins refused) or results.KindConnect
	Count int          // the failures in a row that stopped it
	First string       // the first of those failures' text, redacted by the client
}

func (e *EarlyStop) Error() string {
	first := ""
	if e.First != "" {
		first = " (first: " + e.First + ")"
	}
	if e.Kind == results.KindAuth {
		return fmt.Sprintf("stopped early: the target rejects the HMAC secret: %d signed sign-ins in a row were refused (401/403) and none succeeded%s; "+
			"check the secret (the scenario's target.hmac_secret_env, or --secret-file)", e.Count, first)
	}
	return fmt.Sprintf("stopped early: cannot reach the target: %d requests in a row could not connect and none succeeded%s; "+
		"check the target URL and that it is up", e.Count, first)
}

// failFast watches every result for the early stop. Safe for concurrent use.
type failFast struct {
	limit int // failures in a row that stop the run; ≤ 0: never

	mu       sync.Mutex // guards the fields below
	worked   bool       // a request succeeded
	signedIn bool       // a signed (email) sign-in succeeded
	auth     streak     // signed sign-ins refused in a row
	connect  streak     // requests that could not connect, in a row
}

// streak is a run of failures of one kind and the first one's text.
type streak struct {
	n     int
	first string
}

func (s *streak) add(detail string) int {
	if s.n == 0 {
		s.first = detail
	}
	s.n++
	return s.n
}

// observe takes a result of a signed (email) session or, signed false, of
// an anonymous one; it returns the reason to stop when this result
// completes a stopping streak (once: later results of a stopped run return
// nil).
func (f *failFast) observe(res *results.Result, signed bool) *EarlyStop {
	if f.limit <= 0 {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if res.OK() {
		f.worked = true
		f.connect = streak{}
		if res.Step == results.StepSession && signed {
			f.signedIn = true
			f.auth = streak{}
		}
		return nil
	}
	switch {
	case res.Error == results.KindAuth && res.Step == results.StepSession && signed && !f.signedIn:
		if f.auth.add(res.Detail) == f.limit {
			return &EarlyStop{Kind: results.KindAuth, Count: f.limit, First: f.auth.first}
		}
	case res.Error == results.KindConnect && !f.worked:
		if f.connect.add(res.Detail) == f.limit {
			return &EarlyStop{Kind: results.KindConnect, Count: f.limit, First: f.connect.first}
		}
	}
	return nil
}

// backoff returns how long a closed-model user waits after the k-th
// session in a row (k ≥ 1) that failed without one successful request:
// DefaultBackoff·2^(k−1), at most DefaultMaxBackoff, half of it fixed and
// half drawn at random (equal jitter), so that users who failed together
// do not come back together.
func backoff(k int, rng *rand.Rand) time.Duration {
	d := DefaultMaxBackoff
	if k < 8 {
		d = min(DefaultBackoff<<(k-1), DefaultMaxBackoff)
	}
	return d/2 + time.Duration(rng.Int64N(int64(d/2)+1))
}
