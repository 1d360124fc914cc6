package runner

import (
	"testing"
	"time"
)

func TestWaiterNeverWakesEarly(t *testing.T) {
	w := newWaiter()
	defer w.close()
	for _, d := range []time.Duration{-time.Millisecond, 0, 100 * time.Microsecond, time.Millisecond, 3 * time.Millisecond} {
		deadline := time.Now().Add(d)
		if !w.until(deadline, nil, nil) {
			t.Fatalf("until(now%+v) = false, want true", d)
		}
		if now := time.Now(); now.Before(deadline) {
			t.Errorf("until(now%+v) returned %v before the deadline", d, deadline.Sub(now))
		}
	}
}

func TestWaiterStops(t *testing.T) {
	w := newWaiter()
	defer w.close()
	stop := make(chan struct{})
	close(stop)
	if w.until(time.Now().Add(time.Hour), stop, nil) {
		t.Errorf("until(1h) with stop closed = true, want false")
	}
	more := make(chan struct{})
	close(more)
	if w.until(time.Now().Add(time.Hour), nil, more) {
		t.Errorf("until(1h) with more closed = true, want false")
	}
}

func TestWaiterFallsBackWithoutFineTimer(t *testing.T) {
	w := newWaiter()
	if w.fine != nil {
		w.fine.Close()
		w.fine = nil
	}
	defer w.close()
	deadline := time.Now().Add(time.Millisecond)
	if !w.until(deadline, nil, nil) || time.Now().Before(deadline) {
		t.Errorf("until without a fine timer returned early or false")
	}
}
