package runner

import (
	"context"
	"time"

	"github.com/loadgen/loadgen/internal/precise"
)

// A Clock is the time a Runner reads and waits on. Every time the runner
// notes (the run's start and stop, a step's start, a user's Retry-After)
// and every wait it makes (the arrival schedule, think time, Retry-After,
// the request cap, the end of the duration, the grace period) goes through
// its Clock; the client (helperapi) times its own exchanges on Go's time.
//
// Without WithClock the clock is the wall clock: Go's time, with each arrival's last
// precise.Window slept on a timerfd (package precise), since a Go timer
// alone fires up to a millisecond late. GoClock is Go's time without the
// timerfd. A Clock's timers are Go timers, so a virtual clock is Go's own
// inside a testing/synctest bubble, where the client and a server in memory
// run on the same virtual time (the runner's tests do that).
type Clock interface {
	Now() time.Time
	NewTimer(d time.Duration) *time.Timer
}

// GoClock is Go's time (time.Now, time.NewTimer), without the timerfd the
// wall clock wakes arrivals on. In a testing/synctest bubble Go's time is
// virtual and a timerfd's is not: a run in a bubble needs GoClock.
type GoClock struct{}

// Now returns time.Now().
func (GoClock) Now() time.Time { return time.Now() }

// NewTimer returns time.NewTimer(d).
func (GoClock) NewTimer(d time.Duration) *time.Timer { return time.NewTimer(d) }

// wallClock is the default Clock: Go's time, and arrivals that end their
// wait on a timerfd (see waiter).
type wallClock struct{ GoClock }

// sleepUntil waits on clock until t; false when ctx is done first.
func sleepUntil(ctx context.Context, clock Clock, t time.Time) bool {
	d := t.Sub(clock.Now())
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := clock.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// waiter sleeps one goroutine (the arrival loop) until successive points in
// time. On the wall clock it is more precise than a Go timer alone: a Go
// timer until precise.Window before the deadline, then a precise.Timer (see
// package precise: a Go timer fires up to about 1 ms late, which as schedule
// lag was most of the open model's error). On any other Clock, or without a
// precise timer, it uses the clock's timer all the way. The timers are made
// once, so a wait costs no allocation.
type waiter struct {
	clock Clock
	timer *time.Timer
	fine  *precise.Timer // nil: another clock, not supported here, or could not be made
}

func newWaiter(clock Clock) *waiter {
	t := clock.NewTimer(time.Hour)
	t.Stop()
	w := &waiter{clock: clock, timer: t}
	if _, wall := clock.(wallClock); wall {
		w.fine = precise.New()
	}
	return w
}

// until waits until t; false when done is closed first. The last
// precise.Window of a wall-clock wait is not interrupted.
func (w *waiter) until(t time.Time, done <-chan struct{}) bool {
	d := t.Sub(w.clock.Now())
	if w.fine != nil {
		d -= precise.Window
	}
	if d > 0 {
		w.timer.Reset(d)
		select {
		case <-w.timer.C:
		case <-done:
			w.timer.Stop()
			return false
		}
	}
	if w.fine != nil {
		w.fine.Sleep(t.Sub(w.clock.Now()))
	}
	return true
}

// close releases the waiter.
func (w *waiter) close() {
	w.timer.Stop()
	if w.fine != nil {
		w.fine.Close()
	}
}
