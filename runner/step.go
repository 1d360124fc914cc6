package runner

import (
	"context"
	"errors"
	"time"

	"github.com/loadgen/loadgen/helperapi"
	"github.com/loadgen/loadgen/results"
)

// call makes one request and fills res from what it measured.
type call func(ctx context.Context, res *results.Result) error

// delivery says when a successful step's result goes to the sink.
type delivery uint8

const (
	// deliverNow records the result when the step ends.
	deliverNow delivery = iota
	// holdForPoll keeps the result of an async post in sessionRun.pending
	// until the poll step that completes the exchange: the poll sets its
	// Good verdict (the whole exchange against the SLO), and record puts it
	// on the sink just before the poll's own result; flush records it when
	// the poll never runs. Only the held message step carries the verdict,
	// so goodput counts the message once (4b332c2 fixed a double count).
	// A failed post is recorded at once.
	holdForPoll
)

// step runs one step whose result is recorded when it ends (deliverNow):
// see stepThen.
func (s *sessionRun) step(step results.Step, turn int, intended time.Time, c call) bool {
	return s.stepThen(step, turn, intended, c, deliverNow)
}

// stepThen runs one step: waits for the user's Retry-After, the rate
// limiter and a connection the file limit allows (acquireConn; these waits
// are the step's schedule lag, not the target's latency), calls c on a
// worker, hands the result on as d says, and retries
// after a 429 as its Retry-After says. It returns whether the session may
// go on.
func (s *sessionRun) stepThen(step results.Step, turn int, intended time.Time, c call, d delivery) bool {
	for attempt := 1; ; attempt++ {
		res := &results.Result{
			Shard: s.r.opts.Shard, User: s.u.id, Session: s.seq, Conversation: s.conv.Name,
			Turn: turn, Step: step, Intended: intended,
		}
		if !sleepUntil(s.st.turns, s.r.clock, s.u.notBefore) || !s.waitLimiter(res) || !s.r.acquireConn(s.st.turns) {
			s.canceled = true
			return false
		}
		res.Start = s.r.clock.Now()
		err := s.r.workers.run(func() error {
			err := c(s.st.work, res)
			s.r.releaseConn()
			// The result is handed on on the worker as well: the sink's
			// bookkeeping (package stats) needs more stack than a user's
			// goroutine may grow to (see workers).
			if d == holdForPoll && err == nil && res.Error == "" {
				s.pending = res
			} else {
				s.record(res)
			}
			return err
		})
		if s.pending == res { // held for its poll
			return true
		}
		switch {
		case err == nil && res.Error == "":
			return true
		case res.Error == results.KindExpectation:
			s.failed = true // the reply came: the session goes on, and ends failed
			return true
		}
		if !s.afterError(err, attempt) {
			return false
		}
		// The retry keeps the step's intended start: the Retry-After wait
		// is the user's, so it shows as lag and in the latency from the
		// intended start (coordinated omission), not hidden by a new
		// schedule.
	}
}

// afterError handles a request that failed: a refused reused token is
// dropped (the user's next session signs in again), a cancel ends the
// session canceled, and a 429 holds the user back for its Retry-After and,
// for up to MaxRetries attempts, asks for a retry then. Anything else ends
// the session failed. It reports whether to retry.
func (s *sessionRun) afterError(err error, attempt int) (retry bool) {
	switch helperapi.KindOf(err) {
	case helperapi.KindAuth:
		if s.r.sc.Users.ReuseSession {
			s.sess, s.u.prev = nil, nil
		}
	case helperapi.KindCanceled:
		s.canceled = true
		return false
	case helperapi.KindRateLimited:
		wait := DefaultRetryAfter
		var he *helperapi.Error
		if errors.As(err, &he) && he.RetryAfter > 0 {
			wait = min(he.RetryAfter, MaxRetryAfter)
		}
		s.u.notBefore = s.r.clock.Now().Add(wait)
		if attempt < s.r.opts.MaxRetries {
			return true
		}
	}
	s.failed = true
	return false
}

// record hands res to the sink, after the async message step it completes.
func (s *sessionRun) record(res *results.Result) {
	if end := res.Start.Add(res.Latency); end.After(s.lastEnd) {
		s.lastEnd = end
	}
	if res.Step == results.StepPoll {
		s.flush() // the message step first, as the user sent it
	}
	s.deliver(res)
}

// flush records a held async message step whose poll never ran.
func (s *sessionRun) flush() {
	if s.pending != nil {
		s.deliver(s.pending)
		s.pending = nil
	}
}

// deliver puts res on the sink and notes what it says of the session and
// of the target (the early stop).
func (s *sessionRun) deliver(res *results.Result) {
	if res.OK() {
		s.worked = true
	}
	s.r.sat.result(res)
	s.r.debugFailure(res)
	s.r.sink.Record(res)
	if stop := s.r.fast.observe(res, s.email != ""); stop != nil {
		s.st.halt(stop) // Run returns it
	}
}

// waitLimiter waits for the global request cap; false when the run stopped.
func (s *sessionRun) waitLimiter(res *results.Result) bool {
	turns := s.st.turns
	if turns.Err() != nil {
		return false
	}
	if s.r.limiter == nil {
		return true
	}
	// Limiter.Wait on the run's clock: reserve a token now, sleep until it
	// is due, give it back when the run stops first.
	clock := s.r.clock
	now := clock.Now()
	rv := s.r.limiter.ReserveN(now, 1) // always ok: the burst is at least 1
	if !sleepUntil(turns, clock, now.Add(rv.DelayFrom(now))) {
		rv.CancelAt(clock.Now())
		return false
	}
	res.Wait = clock.Now().Sub(now)
	return true
}

// acquireConn takes one of the connections the file limit allows for a
// request (limits.go), waiting while they are all in use, and notes the
// request and its wait for Saturation; false when the run stopped first
// (then it takes none). A request the stop cancels while it waits counts
// as one that waited, as does one still waiting in a snapshot (waitingConn):
// those were held back the longest of all.
func (r *Runner) acquireConn(turns context.Context) bool {
	if r.conns == nil {
		return true
	}
	select {
	case r.conns <- struct{}{}:
		r.sat.request(0)
		return true
	default:
	}
	t := r.clock.Now()
	r.sat.waitingConn(t)
	defer r.sat.waitedConn(t)
	select {
	case r.conns <- struct{}{}:
		r.sat.request(max(r.clock.Now().Sub(t), 1))
		return true
	case <-turns.Done():
		r.sat.request(max(r.clock.Now().Sub(t), 1)) // held back until the stop
		return false
	}
}

// releaseConn gives back the connection acquireConn took.
func (r *Runner) releaseConn() {
	if r.conns != nil {
		<-r.conns
	}
}
