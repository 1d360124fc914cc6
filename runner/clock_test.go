package runner

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

func TestWaiterNeverWakesEarly(t *testing.T) {
	w := newWaiter(wallClock{})
	defer w.close()
	for _, d := range []time.Duration{-time.Millisecond, 0, 100 * time.Microsecond, time.Millisecond, 3 * time.Millisecond} {
		deadline := time.Now().Add(d)
		if !w.until(deadline, nil) {
			t.Fatalf("until(now%+v) = false, want true", d)
		}
		if now := time.Now(); now.Before(deadline) {
			t.Errorf("until(now%+v) returned %v before the deadline", d, deadline.Sub(now))
		}
	}
}

func TestWaiterStops(t *testing.T) {
	for _, clock := range []Clock{wallClock{}, GoClock{}} {
		w := newWaiter(clock)
		done := make(chan struct{})
		close(done)
		if w.until(time.Now().Add(time.Hour), done) {
			t.Errorf("%T: until(1h) with done closed = true, want false", clock)
		}
		w.close()
	}
}

func TestWaiterFallsBackWithoutFineTimer(t *testing.T) {
	w := newWaiter(wallClock{})
	if w.fine != nil {
		w.fine.Close()
		w.fine = nil
	}
	defer w.close()
	deadline := time.Now().Add(time.Millisecond)
	if !w.until(deadline, nil) || time.Now().Before(deadline) {
		t.Errorf("until without a fine timer returned early or false")
	}
}

// TestGoClockIsVirtualInABubble: on GoClock the waits use no timerfd, so in
// a synctest bubble they take virtual time only, to the nanosecond.
func TestGoClockIsVirtualInABubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := GoClock{}
		w := newWaiter(clock)
		defer w.close()
		if w.fine != nil {
			t.Fatalf("newWaiter(GoClock) made a timerfd; want Go timers only")
		}
		start := clock.Now()
		due := start.Add(time.Hour + 7*time.Microsecond)
		if !w.until(due, nil) || !clock.Now().Equal(due) {
			t.Errorf("until(start+1h7µs) woke at start+%v", clock.Now().Sub(start))
		}
		due = due.Add(90 * time.Minute)
		if !sleepUntil(context.Background(), clock, due) || !clock.Now().Equal(due) {
			t.Errorf("sleepUntil(+90m) woke at %v, want %v", clock.Now(), due)
		}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(time.Minute, cancel)
		if sleepUntil(ctx, clock, clock.Now().Add(time.Hour)) {
			t.Errorf("sleepUntil(+1h) with ctx canceled after 1m = true, want false")
		}
	})
}
