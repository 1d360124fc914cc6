package capacity

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestIsotonic(t *testing.T) {
	tests := []struct {
		name string
		in   []fitPoint
		want []float64 // fitted z by load
	}{
		{"monotone stays", []fitPoint{{1, -5, 1}, {2, -4, 1}, {3, -2, 1}}, []float64{-5, -4, -2}},
		{"violators pool by weight", []fitPoint{{1, -5, 1}, {2, -2, 1}, {3, -4, 3}}, []float64{-5, -3.5, -3.5}},
		{"unsorted input", []fitPoint{{3, -1, 1}, {1, -3, 1}, {2, -2, 1}}, []float64{-3, -2, -1}},
		{"all pooled", []fitPoint{{1, 0, 1}, {2, -1, 1}, {3, -2, 1}}, []float64{-1, -1, -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := isotonic(tt.in)
			for i, p := range got {
				if math.Abs(p.z-tt.want[i]) > 1e-12 || (i > 0 && p.load < got[i-1].load) {
					t.Fatalf("isotonic(%v) = %v, want z %v in load order", tt.in, got, tt.want)
				}
			}
		})
	}
}

func TestCrossing(t *testing.T) {
	pts := []fitPoint{{100, -5, 1}, {200, -3, 1}, {300, -1, 1}}
	tests := []struct {
		zt     float64
		want   float64
		ok     bool
		lo, hi float64
	}{
		{-4, 150, true, 100, 200},
		{-3, 200, true, 200, 300}, // at a point: the point
		{-2, 250, true, 200, 300},
		{-6, math.NaN(), false, 0, 0}, // every point fails more
		{0, math.NaN(), false, 0, 0},  // every point fails less
	}
	for _, tt := range tests {
		got, ok := crossing(pts, tt.zt)
		if ok != tt.ok || (ok && math.Abs(got-tt.want) > 1e-9) {
			t.Errorf("crossing(z = %g) = %v, %v; want %v, %v", tt.zt, got, ok, tt.want, tt.ok)
		}
		lo, hi, sok := straddle(pts, tt.zt)
		if sok != tt.ok || lo != tt.lo || hi != tt.hi {
			t.Errorf("straddle(z = %g) = %v, %v, %v; want %v, %v, %v", tt.zt, lo, hi, sok, tt.lo, tt.hi, tt.ok)
		}
	}
}

// TestLogInterpolation: on an M/M/8 curve, interpolating the log failure
// share between distant probes lands near the true crossing, where
// interpolating attainment itself falls well short.
func TestLogInterpolation(t *testing.T) {
	q := MMc{C: 8, Mu: 40}
	slo := 25 * time.Millisecond
	truth := q.MaxRate(slo, 0.95)
	a1, a2 := 1-q.WaitTail(180, slo), 1-q.WaitTail(250, slo)
	got, _ := crossing([]fitPoint{{180, math.Log(1 - a1), 1}, {250, math.Log(1 - a2), 1}}, math.Log(0.05))
	linear := 180 + (a1-0.95)/(a1-a2)*70
	if math.Abs(got-truth)/truth > 0.02 {
		t.Errorf("log interpolation between 180/s and 250/s crosses at %.1f, want %.1f ± 2%%", got, truth)
	}
	if math.Abs(linear-truth)/truth < 0.04 {
		t.Errorf("linear interpolation crosses at %.1f, near %.1f: the test no longer shows the point", linear, truth)
	}
}

// TestCrossingInterval: the bootstrap interval holds the crossing of the
// points' estimates and widens with their intervals.
func TestCrossingInterval(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	mk := func(half float64) []bootstrapPoint {
		return []bootstrapPoint{
			{load: 100, iv: Estimate{0.99, 0.99 - half, min(1, 0.99+half)}, n: 500},
			{load: 200, iv: Estimate{0.90, 0.90 - half, 0.90 + half}, n: 500},
		}
	}
	nlo, nhi := crossingInterval(mk(0.005), 0.95, 0.95, 50, 300, rng)
	wlo, whi := crossingInterval(mk(0.04), 0.95, 0.95, 50, 300, rng)
	est, _ := crossing([]fitPoint{{100, math.Log(0.01), 1}, {200, math.Log(0.10), 1}}, math.Log(0.05))
	if !(nlo < est && est < nhi) {
		t.Errorf("narrow interval [%.1f, %.1f] misses the estimate %.1f", nlo, nhi, est)
	}
	if !(whi-wlo > 2*(nhi-nlo)) {
		t.Errorf("interval from wide probe intervals [%.1f, %.1f] not clearly wider than [%.1f, %.1f]", wlo, whi, nlo, nhi)
	}
}

// TestFailShare: Jeffreys half-counts keep the log finite, and a small
// sample without failures never reads as failing more than the target.
func TestFailShare(t *testing.T) {
	if got, want := failShare(90, 100, 0.95), math.Log(10.5/101); math.Abs(got-want) > 1e-12 {
		t.Errorf("failShare(90 of 100) = %v, want %v", got, want)
	}
	if got := failShare(10, 10, 0.95); !(got < math.Log(0.05)) {
		t.Errorf("failShare(10 of 10, target 95%%) = %v (share %.3f), want below the 5%% the target allows", got, math.Exp(got))
	}
	if got, want := failShare(1000, 1000, 0.95), math.Log(0.5/1001); math.Abs(got-want) > 1e-12 {
		t.Errorf("failShare(1000 of 1000) = %v, want the half-count %v", got, want)
	}
}
