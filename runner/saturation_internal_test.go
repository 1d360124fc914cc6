package runner

import (
	"log/slog"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/loadgen/loadgen/scenarios"
)

func TestLateBound(t *testing.T) {
	tests := []struct {
		gap, maxLate, want time.Duration
	}{
		{0, 0, LateArrival},                                           // the first arrival: no spacing yet
		{4 * time.Millisecond, 0, LateArrival},                        // 250/s: the floor
		{20 * time.Millisecond, 0, LateArrival},                       // 50/s: half the gap is the floor
		{200 * time.Millisecond, 0, 100 * time.Millisecond},           // 5/s
		{time.Second, 0, 500 * time.Millisecond},                      // 1/s
		{time.Second, 100 * time.Millisecond, 100 * time.Millisecond}, // 1/s, an SLO of 2 s
		{time.Second, 5 * time.Millisecond, LateArrival},              // an SLO of 100 ms: the floor still
		{4 * time.Millisecond, 100 * time.Millisecond, LateArrival},   // 250/s: the cap changes nothing
		{200 * time.Millisecond, time.Second, 100 * time.Millisecond}, // a loose SLO: half the gap
	}
	for _, tt := range tests {
		if got := lateBound(tt.gap, tt.maxLate); got != tt.want {
			t.Errorf("lateBound(%v, %v) = %v, want %v", tt.gap, tt.maxLate, got, tt.want)
		}
	}
}

func TestLateCap(t *testing.T) {
	tests := []struct {
		slo  scenarios.SLO
		want time.Duration
	}{
		{scenarios.SLO{}, 0},
		{scenarios.SLO{MaxTTFT: 2 * time.Second}, 100 * time.Millisecond},
		{scenarios.SLO{MaxTTFT: 2 * time.Second, MaxLatency: 30 * time.Second}, 100 * time.Millisecond},
		{scenarios.SLO{MaxLatency: 400 * time.Millisecond}, 20 * time.Millisecond},
		{scenarios.SLO{MaxGap: 50 * time.Millisecond}, 0}, // inter-token gaps do not hold the arrival's delay
	}
	for _, tt := range tests {
		if got := lateCap(tt.slo); got != tt.want {
			t.Errorf("lateCap(%+v) = %v, want %v", tt.slo, got, tt.want)
		}
	}
}

// TestSpacing: the mean gap over the last arrivals follows the schedule's
// rate, evenly spaced or Poisson, and a change of rate within 20 arrivals.
func TestSpacing(t *testing.T) {
	var sp spacing
	t0 := time.Unix(0, 0)
	if g := sp.gap(t0); g != 0 {
		t.Fatalf("first gap %v, want 0", g)
	}
	for i := 1; i <= 50; i++ {
		if g := sp.gap(t0.Add(time.Duration(i) * 100 * time.Millisecond)); g != 100*time.Millisecond {
			t.Fatalf("arrival %d: gap %v, want 100ms", i, g)
		}
	}
	at := t0.Add(5 * time.Second)
	var g time.Duration
	for range 20 { // now 10 ms apart: the last 20 gaps are all the new rate's
		at = at.Add(10 * time.Millisecond)
		g = sp.gap(at)
	}
	if g != 10*time.Millisecond {
		t.Errorf("after a change of rate: gap %v, want 10ms", g)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var sum time.Duration
	const n = 20000
	for range n { // Poisson at 5/s: the windowed mean is 200 ms on average
		at = at.Add(time.Duration(rng.ExpFloat64() * float64(200*time.Millisecond)))
		sum += sp.gap(at)
	}
	if mean := sum / n; mean < 190*time.Millisecond || mean > 210*time.Millisecond {
		t.Errorf("Poisson at 5/s: mean of the gaps %v, want 200ms ±5%%", mean)
	}
}

// TestLateArrivalsAgainstTheirSpacing runs the arrival loop on a schedule
// whose arrivals it is handed late, as a scheduler woken late takes them
// up (in a synctest bubble: the lateness is exact). 30 ms late is a shared
// machine's jitter at 5 sessions a second (200 ms apart: arrivals keep
// their order and the load its rate) and the generator falling behind at
// 100 a second (10 ms apart: they crowd together). A scheduler later by
// 100 ms more every second is behind at any rate. At 1 a second, 150 ms
// late keeps the load's order, but with an SLO of TTFT ≤ 1 s it is too
// much of what the sweep holds messages to from their intended start.
func TestLateArrivalsAgainstTheirSpacing(t *testing.T) {
	tests := []struct {
		name      string
		rate      float64
		late      func(elapsed time.Duration) time.Duration
		slo       scenarios.SLO
		saturated bool
	}{
		{"1/s, 150 ms late", 1, func(time.Duration) time.Duration { return 150 * time.Millisecond }, scenarios.SLO{}, false},
		{"1/s, 150 ms late, TTFT ≤ 1s", 1, func(time.Duration) time.Duration { return 150 * time.Millisecond }, scenarios.SLO{MaxTTFT: time.Second}, true},
		{"5/s on time", 5, func(time.Duration) time.Duration { return 0 }, scenarios.SLO{}, false},
		{"5/s, 30 ms late", 5, func(time.Duration) time.Duration { return 30 * time.Millisecond }, scenarios.SLO{}, false},
		{"5/s, 150 ms late", 5, func(time.Duration) time.Duration { return 150 * time.Millisecond }, scenarios.SLO{}, true},
		{"100/s, 30 ms late", 100, func(time.Duration) time.Duration { return 30 * time.Millisecond }, scenarios.SLO{}, true},
		{"100/s, 5 ms late", 100, func(time.Duration) time.Duration { return 5 * time.Millisecond }, scenarios.SLO{}, false},
		{"5/s, falling behind", 5, func(e time.Duration) time.Duration { return e / 10 }, scenarios.SLO{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := &Runner{sc: &scenarios.Scenario{SLO: tt.slo}, clock: GoClock{}, log: slog.New(slog.DiscardHandler)}
				r.sat.maxLate = lateCap(tt.slo)
				start := time.Now()
				r.sat.start(start)
				st := newStops(t.Context(), GoClock{}, start.Add(time.Hour), 0)
				defer st.close()
				const n = 100
				gap := time.Duration(float64(time.Second) / tt.rate)
				var i int
				next := func() (arrival, bool) {
					if i == n {
						return arrival{}, false
					}
					at := start.Add(time.Duration(i) * gap)
					i++
					time.Sleep(time.Until(at.Add(tt.late(at.Sub(start)))))
					return arrival{at: at, id: uint64(i), run: func(*user) {}}, true
				}
				var wg sync.WaitGroup
				r.arrivals(st, &wg, next)
				wg.Wait()
				s := r.sat.snapshot(time.Now(), 0, 0)
				if s.Arrivals != n {
					t.Fatalf("%d arrivals judged, want %d", s.Arrivals, n)
				}
				if got := s.Reason() != ""; got != tt.saturated {
					t.Errorf("%d of %d late: reason %q; want saturated %v", s.LateArrivals, s.Arrivals, s.Reason(), tt.saturated)
				}
			})
		})
	}
}
