package runner

import (
	"context"
	"time"

	"github.com/loadgen/loadgen/internal/precise"
)

// sleepUntil waits until t; false when ctx is done first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// waiter sleeps until a point in time more precisely than a Go timer alone:
// on a Go timer until precise.Window before the deadline, then on a
// precise.Timer (see package precise: a Go timer fires up to about 1 ms late,
// which as schedule lag was most of the open model's error). Without a
// precise timer it uses the Go timer all the way. A waiter is used by one
// goroutine.
type waiter struct {
	timer *time.Timer
	fine  *precise.Timer // nil: not supported here, or could not be made
}

func newWaiter() *waiter {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &waiter{timer: t, fine: precise.New()}
}

// until waits until t; false when stop or more is closed first. The last
// precise.Window of the wait is not interrupted.
func (w *waiter) until(t time.Time, stop, more <-chan struct{}) bool {
	d := time.Until(t)
	if w.fine != nil {
		d -= precise.Window
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
		w.fine.Sleep(time.Until(t))
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
