package mockserver

import (
	"context"
	"testing"
	"time"
)

func TestPause(t *testing.T) {
	for _, precise := range []bool{false, true} {
		s, err := New(Config{Secret: "s", PreciseDelays: precise})
		if err != nil {
			t.Fatal(err)
		}
		tm := time.NewTimer(time.Hour)
		tm.Stop()
		for _, d := range []time.Duration{0, time.Millisecond, 3 * time.Millisecond} {
			deadline := time.Now().Add(d)
			if err := s.pause(context.Background(), tm, d); err != nil {
				t.Errorf("PreciseDelays %v: pause(%v) = %v, want nil", precise, d, err)
			}
			if now := time.Now(); now.Before(deadline) {
				t.Errorf("PreciseDelays %v: pause(%v) returned %v early", precise, d, deadline.Sub(now))
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := s.pause(ctx, tm, time.Hour); err != context.Canceled {
			t.Errorf("PreciseDelays %v: pause(1h) with a canceled context = %v, want context.Canceled", precise, err)
		}
		s.Close()
		if err := s.pause(context.Background(), tm, time.Hour); err != errClosed {
			t.Errorf("PreciseDelays %v: pause(1h) on a closed server = %v, want errClosed", precise, err)
		}
	}
}
