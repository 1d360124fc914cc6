// Package precise sleeps until a deadline more precisely than a Go timer.
//
// When the Go runtime has nothing to run, it waits for its next timer in
// epoll_wait, whose timeout is in whole milliseconds, so a time.Timer fires
// up to about a millisecond late (half that typically, more on a loaded
// machine). A Timer here is a Linux timerfd read through the network poller:
// the goroutine parks as on a socket and the kernel's high-resolution timer
// wakes it within tens of microseconds. Callers sleep on a Go timer until
// Window before the deadline and on a Timer for the rest. Elsewhere than
// Linux, New returns nil and callers use Go timers alone.
//
// The runner paces arrivals with it and the mock server its delays (TTFT,
// token gaps), so that neither the schedule nor the latency a benchmark
// knows to expect carries the Go timer's lateness.
package precise

import "time"

// Window is how long before a deadline a caller hands over from its Go timer
// to a Timer. It covers the Go timer's own lateness.
const Window = 2 * time.Millisecond

// Pool keeps up to a fixed number of idle Timers for reuse. Safe for
// concurrent use. The zero value is not usable; create it with NewPool.
type Pool struct {
	idle chan *Timer
}

// NewPool returns a pool that keeps at most n idle Timers.
func NewPool(n int) *Pool { return &Pool{idle: make(chan *Timer, n)} }

// Get returns an idle Timer or a new one; nil when Timers are not supported.
func (p *Pool) Get() *Timer {
	select {
	case t := <-p.idle:
		return t
	default:
		return New()
	}
}

// Put gives t back (nil is ignored); beyond the pool's size it is closed.
func (p *Pool) Put(t *Timer) {
	if t == nil {
		return
	}
	select {
	case p.idle <- t:
	default:
		t.Close()
	}
}

// Close closes the idle Timers. Timers Put later are kept or closed as usual.
func (p *Pool) Close() {
	for {
		select {
		case t := <-p.idle:
			t.Close()
		default:
			return
		}
	}
}
