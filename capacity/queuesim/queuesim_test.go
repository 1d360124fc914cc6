package queuesim

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/loadgen/loadgen/capacity"
)

// TestMMc checks the simulation against the M/M/c closed forms: over a long
// open probe the share of messages that wait longer than t and the mean
// wait match Erlang C, and a closed loop of 2c users completes c·μ per
// second.
func TestMMc(t *testing.T) {
	q := capacity.MMc{C: 8, Mu: 40}
	sim := New(q.C, q.Mu, 25*time.Millisecond, 1)
	const lambda = 240.0
	spec := capacity.Spec{Control: capacity.Rate, Load: lambda, Duration: 600 * time.Second}
	out, err := sim.Probe(context.Background(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	var waited, late int
	var sum float64
	for _, m := range out.Messages {
		w := m.TTFT - time.Microsecond
		sum += w.Seconds()
		if w > 0 {
			waited++
		}
		if !m.Good {
			late++
		}
	}
	n := float64(len(out.Messages))
	if want := lambda * 600; math.Abs(n-want) > 4*math.Sqrt(want) {
		t.Errorf("%v arrivals in 600s at %g/s, want %v ± 4σ", n, lambda, want)
	}
	// The wait process is strongly autocorrelated: allow 10 %.
	checks := []struct {
		name      string
		got, want float64
	}{
		{"share waiting", float64(waited) / n, q.ErlangC(lambda)},
		{"share waiting > 25ms", float64(late) / n, q.WaitTail(lambda, 25*time.Millisecond)},
		{"mean wait (s)", sum / n, q.ErlangC(lambda) / (q.Capacity() - lambda)},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 0.10*c.want {
			t.Errorf("%s = %.4f, want %.4f (Erlang C) ± 10%%", c.name, c.got, c.want)
		}
	}

	closed := capacity.Spec{Control: capacity.Users, Load: 16, Duration: 100 * time.Second}
	out, err = sim.Probe(context.Background(), closed, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := 0
	for _, s := range out.Sessions {
		if s.End <= closed.Duration {
			done++
		}
	}
	if rate := float64(done) / closed.Duration.Seconds(); math.Abs(rate-q.Capacity()) > 0.03*q.Capacity() {
		t.Errorf("16 looping users completed %.1f/s, want c·μ = %.0f/s ± 3%%", rate, q.Capacity())
	}
}

// TestProbeStops checks that a stop at a look drops the later arrivals and
// that the probe drains what was admitted.
func TestProbeStops(t *testing.T) {
	sim := New(2, 10, time.Second, 3)
	spec := capacity.Spec{Control: capacity.Rate, Load: 50, Duration: 60 * time.Second, MinDuration: 5 * time.Second, Look: time.Second}
	looks := 0
	out, err := sim.Probe(context.Background(), spec, func(sofar *capacity.Measurement) bool {
		looks++
		for _, m := range sofar.Messages {
			if m.End > sofar.Stopped {
				t.Fatalf("look at %v saw a message ending at %v", sofar.Stopped, m.End)
			}
		}
		return sofar.Stopped >= 7*time.Second
	})
	if err != nil {
		t.Fatal(err)
	}
	if looks != 3 || out.Stopped != 7*time.Second {
		t.Errorf("looks %d, stopped at %v; want 3 looks and a stop at 7s", looks, out.Stopped)
	}
	for _, m := range out.Messages {
		if m.Intended >= out.Stopped {
			t.Fatalf("a message intended at %v after the stop at %v", m.Intended, out.Stopped)
		}
	}
	// 50/s into 20/s of service: a backlog that drains long after the stop.
	if out.Elapsed < 2*out.Stopped {
		t.Errorf("elapsed %v; want the drain of the backlog (well past the stop at %v)", out.Elapsed, out.Stopped)
	}
}
