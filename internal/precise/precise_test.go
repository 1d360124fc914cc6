package precise

import (
	"runtime"
	"testing"
	"time"
)

func TestTimerNeverWakesEarly(t *testing.T) {
	tm := New()
	if tm == nil {
		if runtime.GOOS == "linux" {
			t.Fatal("New() = nil on Linux")
		}
		t.Skip("no precise timer on " + runtime.GOOS)
	}
	defer tm.Close()
	for _, d := range []time.Duration{-time.Millisecond, 0, 50 * time.Microsecond, time.Millisecond} {
		deadline := time.Now().Add(d)
		tm.Sleep(d)
		if now := time.Now(); now.Before(deadline) {
			t.Errorf("Sleep(%v) returned %v before the deadline", d, deadline.Sub(now))
		}
	}
}

func TestPoolReuses(t *testing.T) {
	p := NewPool(1)
	defer p.Close()
	a := p.Get()
	if a == nil {
		t.Skip("no precise timer on " + runtime.GOOS)
	}
	p.Put(a)
	if b := p.Get(); b != a {
		t.Errorf("Get after Put returned a new Timer, want the idle one")
	}
	c := p.Get()
	p.Put(a)
	p.Put(c) // beyond the pool's size: closed
	p.Put(nil)
}
