package runner

import (
	"context"
	"sync"
	"time"
)

// arrive starts one session per scheduled arrival until the pacer's
// schedule ends or no more sessions may start. When max_sessions are in flight it waits for a free slot:
// the delay shows up as schedule lag, since each session keeps its intended
// start.
func (r *Runner) arrive(st *stops, start time.Time, wg *sync.WaitGroup) {
	shards := uint64(r.opts.Shards)
	n := uint64(r.opts.Shard)
	r.arrivals(st, wg, func() (arrival, bool) {
		at, ok := r.pacer.At(n)
		if !ok {
			return arrival{}, false
		}
		a := arrival{at: start.Add(at), id: n + 1} // hit n of the whole schedule: disjoint across shards
		a.run = func(u *user) { r.runSession(st, u, a.at) }
		n += shards
		return a, true
	})
}

// arrival is one scheduled session start.
type arrival struct {
	at  time.Time   // the intended start
	id  uint64      // the user's number
	run func(*user) // runs the session
}

// arrivals starts a session for each arrival next returns, at its intended
// time, until next reports false or no more sessions may start (st.sessions).
// A session that finds max_sessions in flight waits for a slot. Any
// schedule is a next function: the pacer's (arrive), a transcript's recorded
// starts (replayArrivals).
func (r *Runner) arrivals(st *stops, wg *sync.WaitGroup, next func() (arrival, bool)) {
	w := newWaiter(r.clock)
	defer w.close()
	heldBySlots := false // the last arrival waited for a slot: this one's lateness is the slots'
	var sp spacing
	for {
		a, ok := next()
		if !ok {
			return
		}
		gap := sp.gap(a.at)
		if !w.until(a.at, st.sessions.Done()) {
			return
		}
		if !heldBySlots {
			r.sat.arrival(r.clock.Now().Sub(a.at), gap)
		}
		var got bool
		if got, heldBySlots = r.acquireWaiting(st.sessions); !got {
			return
		}
		u, ok := r.newUser(a.id)
		if !ok {
			r.release()
			st.halt(nil)
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer r.release()
			a.run(u)
		}()
	}
}

// loopUsers starts the closed model's users; each loops sessions until no
// more may start (st.sessions).
func (r *Runner) loopUsers(st *stops, start time.Time, wg *sync.WaitGroup) {
	n := r.sc.Load.Users / r.opts.Shards
	if r.opts.Shard < r.sc.Load.Users%r.opts.Shards {
		n++
	}
	for i := 0; i < n; i++ {
		u, ok := r.newUser(uint64(i*r.opts.Shards+r.opts.Shard) + 1)
		if !ok {
			if i == 0 {
				st.halt(nil) // no user has a row: nothing can run
			}
			return // the users that have one loop on
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			intended := start
			for r.acquire(st.sessions) {
				started := r.runSession(st, u, intended)
				r.release()
				if !started {
					return
				}
				intended = r.clock.Now()
				if !r.backOff(st, u, intended) {
					return
				}
			}
		}()
	}
}

// backOff makes a closed-model user whose session failed without one
// successful request wait before its next (see failFast), from ended, when
// the last session ended; the next session keeps ended as its intended
// start, so the wait is schedule lag. It reports false when no more
// sessions may start.
func (r *Runner) backOff(st *stops, u *user, ended time.Time) bool {
	if !u.failedAtOnce {
		u.failedInARow = 0
		return true
	}
	u.failedInARow++
	return sleepUntil(st.sessions, r.clock, ended.Add(backoff(u.failedInARow, u.rng)))
}

// acquire takes a session slot, waiting while max_sessions are in flight;
// false once sessions is done (then it takes none).
func (r *Runner) acquire(sessions context.Context) bool {
	got, _ := r.acquireWaiting(sessions)
	return got
}

// acquireWaiting is acquire, and reports whether it had to wait; the wait
// counts toward the generator's saturation.
func (r *Runner) acquireWaiting(sessions context.Context) (got, waited bool) {
	if sessions.Err() != nil {
		return false, false
	}
	if r.slots == nil {
		r.sat.slot(0)
		return true, false
	}
	select {
	case r.slots <- struct{}{}:
		r.sat.slot(0)
		return true, false
	default:
	}
	t := r.clock.Now()
	select {
	case r.slots <- struct{}{}:
		r.sat.slot(max(r.clock.Now().Sub(t), 1))
		return true, true
	case <-sessions.Done():
		return false, true
	}
}

func (r *Runner) release() {
	if r.slots != nil {
		<-r.slots
	}
}
