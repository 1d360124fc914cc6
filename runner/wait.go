package runner

import "time"

// preciseWindow is how long before a deadline a waiter hands over from its
// Go timer to its fine timer. It covers the Go timer's own lateness (up to
// about 1 ms, more on a loaded machine).
const preciseWindow = 2 * time.Millisecond

// waiter sleeps until a point in time more precisely than a Go timer alone.
// When the Go runtime has nothing to run it waits for its next timer in
// epoll_wait, whose timeout is whole milliseconds, so a timer fires up to
// about 1 ms late (half that typically): as schedule lag, that was most of
// the open model's error. A waiter sleeps on a Go timer until preciseWindow
// before the deadline, then on a fine timer (a Linux timerfd, whose expiry
// wakes the network poller within tens of microseconds). Without a fine
// timer it uses the Go timer all the way. A waiter is used by one goroutine.
type waiter struct {
	timer *time.Timer
	fine  *fineTimer // nil: not supported here, or could not be made
}

func newWaiter() *waiter {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &waiter{timer: t, fine: newFineTimer()}
}

// until waits until t; false when stop or more is closed first. The last
// preciseWindow of the wait is not interrupted.
func (w *waiter) until(t time.Time, stop, more <-chan struct{}) bool {
	d := time.Until(t)
	if w.fine != nil {
		d -= preciseWindow
	}
	if d > 0 {
		w.timer.Reset(d)
		select {
		case <-w.timer.C:
		case <-stop:
			w.timer.Stop()
			return false
		case <-more:
			w.timer.Stop()
			return false
		}
	}
	if w.fine != nil {
		w.fine.sleep(time.Until(t))
	}
	return true
}

// close releases the waiter.
func (w *waiter) close() {
	w.timer.Stop()
	if w.fine != nil {
		w.fine.close()
	}
}
