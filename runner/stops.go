package runner

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// stops is how a run ends. It ends in phases, each a context that is done
// from its phase on; whatever waits selects on the context that bounds it,
// and nothing else stops a run:
//
//   - schedule: the schedule is over. At the end of the duration, when
//     Run's ctx is canceled, or once a halted run has no session left.
//     Run's Outcome.Stop is this moment.
//   - sessions: no new session starts (arrivals, closed-model users). With
//     schedule, or at a halt: a unique feeder or a transcript ran out (or
//     could not be read on), and the sessions already running go on.
//   - turns: running sessions start no new step (a user in think time ends
//     its session canceled). At once when Run's ctx is canceled (Ctrl-C),
//     but never before sessions, else when the grace period after the schedule's end runs out: sessions
//     may finish their conversations, as k6's gracefulStop lets iterations
//     finish.
//   - work: requests in flight are canceled. When the grace period after the
//     schedule's end runs out. It does not derive from Run's ctx, so that a
//     canceled run still drains its requests; Run cancels it last, when every
//     session has ended.
//
// One goroutine (watch) moves the phases on the run's Clock; halt, the
// Ctrl-C hook (endTurnsAfterSessions) and Run's end are the only other
// changes.
type stops struct {
	schedule, sessions, turns, work context.Context

	endSchedule, endSessions, endTurns, endWork context.CancelFunc

	// stopInterrupt unregisters the Ctrl-C hook that ends the turns.
	stopInterrupt func() bool

	haltOnce sync.Once
	halted   atomic.Bool
	haltErr  error // why the run halted, when a transcript failed; read after the sessions ended
}

// newStops starts the phases of a run under ctx whose schedule ends at end,
// with grace after it (none when ≤ 0).
func newStops(ctx context.Context, clock Clock, end time.Time, grace time.Duration) *stops {
	st := &stops{}
	st.schedule, st.endSchedule = context.WithCancel(ctx)
	st.sessions, st.endSessions = context.WithCancel(st.schedule)
	// The turns end only after new sessions can no longer start: whatever
	// sees them over (a user whose session Ctrl-C just ended) must not start
	// another session. Were turns a child of ctx, cancellation could reach it
	// first (a context's children are canceled in map order).
	st.turns, st.endTurns = context.WithCancel(context.WithoutCancel(ctx))
	st.stopInterrupt = context.AfterFunc(ctx, st.endTurnsAfterSessions)
	st.work, st.endWork = context.WithCancel(context.WithoutCancel(ctx))
	go st.watch(clock, end, grace)
	return st
}

// endTurnsAfterSessions ends the turns once no new session can start.
// endSchedule returns only when the schedule and its children (sessions)
// are canceled, even while another goroutine is canceling them.
func (st *stops) endTurnsAfterSessions() {
	st.endSchedule()
	st.endTurns()
}

// watch ends the schedule at end (unless it ended before), then, after the
// grace period, the turns and the work. It returns early when Run ends.
func (st *stops) watch(clock Clock, end time.Time, grace time.Duration) {
	t := clock.NewTimer(end.Sub(clock.Now()))
	defer t.Stop()
	select {
	case <-t.C:
		st.endSchedule()
	case <-st.schedule.Done(): // canceled, or a halted run went idle
	case <-st.work.Done(): // Run ended
		return
	}
	if grace > 0 {
		t.Reset(grace)
		select {
		case <-t.C:
		case <-st.work.Done():
			return
		}
	}
	st.endTurnsAfterSessions()
	st.endWork()
}

// halt stops new sessions from starting: a unique feeder or a transcript
// ran out (nil err), or a transcript could not be read on (err). The first
// call counts.
func (st *stops) halt(err error) {
	st.haltOnce.Do(func() {
		st.haltErr = err
		st.halted.Store(true)
		st.endSessions()
	})
}

// waitSchedule waits for the end of the schedule; sessions is done once
// every session started so far has ended and no more can start (wg.Add is
// never called after Run's start loop returned). A halted run's schedule
// ends when its last session does: nothing runs and nothing more can start.
func (st *stops) waitSchedule(sessions *sync.WaitGroup) {
	idle := make(chan struct{})
	go func() { sessions.Wait(); close(idle) }()
	select {
	case <-st.schedule.Done():
	case <-idle:
		if st.halted.Load() {
			st.endSchedule()
		}
		<-st.schedule.Done()
	}
}

// close ends every phase; Run calls it when every session has ended.
func (st *stops) close() {
	st.stopInterrupt()
	st.endTurnsAfterSessions()
	st.endWork()
}
