package runner

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/loadgen/loadgen/internal/statmath"
)

// arrivals returns every hit time of p, in seconds.
func arrivals(p *PoissonPacer) []float64 {
	var out []float64
	for n := uint64(0); ; n++ {
		at, ok := p.At(n)
		if !ok {
			return out
		}
		out = append(out, at.Seconds())
	}
}

var expCDF = func(x float64) float64 { return 1 - math.Exp(-x) }

// ksLimit is the KS distance exceeded with probability ~1 % under the law.
func ksLimit(n int) float64 { return 1.63 / math.Sqrt(float64(n)) }

// TestPoissonGapsAreExponential: at a constant rate the gaps between hits,
// times the rate, follow the exponential law of mean 1 (KS test), and
// consecutive gaps are uncorrelated.
func TestPoissonGapsAreExponential(t *testing.T) {
	const rate = 50.0
	p := NewPoissonPacer(mustPacer(t, Ramp{Duration: 200 * time.Second, From: rate, To: rate}), 1)
	at := arrivals(p)
	gaps := make([]float64, len(at))
	prev := 0.0
	for i, a := range at {
		gaps[i] = (a - prev) * rate
		prev = a
	}
	lag := make([]float64, len(gaps)-1)
	copy(lag, gaps[1:])
	if r := correlation(gaps[:len(gaps)-1], lag); math.Abs(r) > 3/math.Sqrt(float64(len(lag))) {
		t.Errorf("lag-1 correlation of %d gaps = %.4f, want ≈ 0", len(lag), r)
	}
	slices.Sort(gaps)
	if d := statmath.KS(gaps, expCDF); d > ksLimit(len(gaps)) {
		t.Errorf("KS distance of %d gaps×rate from Exp(1) = %.4f, want ≤ %.4f", len(gaps), d, ksLimit(len(gaps)))
	}
	// Evenly spaced arrivals fail the same test: it has the power to tell.
	even := mustPacer(t, Ramp{Duration: 200 * time.Second, From: rate, To: rate})
	var evenGaps []float64
	prev = 0
	for n := uint64(0); ; n++ {
		a, ok := even.At(n)
		if !ok {
			break
		}
		evenGaps = append(evenGaps, (a.Seconds()-prev)*rate)
		prev = a.Seconds()
	}
	slices.Sort(evenGaps)
	if d := statmath.KS(evenGaps, expCDF); d < 10*ksLimit(len(evenGaps)) {
		t.Errorf("KS distance of evenly spaced gaps from Exp(1) = %.4f; the test cannot tell them apart", d)
	}
}

// TestPoissonTimeRescaling: for ramps and stages, the time-rescaled gaps
// Λ(Tₙ) − Λ(Tₙ₋₁) follow Exp(1) (the time-rescaling theorem).
func TestPoissonTimeRescaling(t *testing.T) {
	base := mustPacer(t,
		Ramp{Duration: 30 * time.Second, From: 0, To: 100},
		Ramp{Duration: 20 * time.Second, From: 100, To: 100},
		Ramp{Duration: 10 * time.Second, From: 0, To: 0},
		Ramp{Duration: 30 * time.Second, From: 100, To: 20},
	)
	p := NewPoissonPacer(base, 7)
	at := arrivals(p)
	gaps := make([]float64, len(at))
	prev := 0.0
	for i, a := range at {
		l := base.HitsBy(time.Duration(a * float64(time.Second)))
		gaps[i] = l - prev
		prev = l
		if s := a; s >= 50 && s < 60 {
			t.Errorf("hit %d at %.3fs, inside the zero-rate stage", i, s)
		}
	}
	slices.Sort(gaps)
	if d := statmath.KS(gaps, expCDF); d > ksLimit(len(gaps)) {
		t.Errorf("KS distance of %d rescaled gaps from Exp(1) = %.4f, want ≤ %.4f", len(gaps), d, ksLimit(len(gaps)))
	}
}

// TestPoissonExactInExpectation: over many seeds the hit count by t has
// mean and variance HitsBy(t), for a ramp followed by a hold.
func TestPoissonExactInExpectation(t *testing.T) {
	base := mustPacer(t,
		Ramp{Duration: 4 * time.Second, From: 0, To: 20},
		Ramp{Duration: 6 * time.Second, From: 20, To: 20},
	)
	const seeds = 600
	checkpoints := []time.Duration{2 * time.Second, 4 * time.Second, 7 * time.Second, 10 * time.Second}
	sum := make([]float64, len(checkpoints))
	sq := make([]float64, len(checkpoints))
	for seed := uint64(1); seed <= seeds; seed++ {
		at := arrivals(NewPoissonPacer(base, seed))
		for i, c := range checkpoints {
			n := float64(countUpTo(at, c.Seconds()))
			sum[i] += n
			sq[i] += n * n
		}
	}
	for i, c := range checkpoints {
		want := base.HitsBy(c)
		mean := sum[i] / seeds
		variance := sq[i]/seeds - mean*mean
		if se := math.Sqrt(want / seeds); math.Abs(mean-want) > 4*se {
			t.Errorf("mean hits by %v over %d seeds = %.2f, want %.2f ± %.2f", c, seeds, mean, want, 4*se)
		}
		// The variance of a Poisson count equals its mean (evenly spaced
		// arrivals have none); the sample variance's SE is ≈ λ·√(2/seeds).
		if math.Abs(variance-want) > 4*want*math.Sqrt(2.0/seeds) {
			t.Errorf("variance of hits by %v = %.2f, want %.2f (Poisson)", c, variance, want)
		}
	}
}

// countUpTo returns how many of the ascending times are at or before limit.
func countUpTo(times []float64, limit float64) int {
	n, _ := slices.BinarySearch(times, math.Nextafter(limit, math.Inf(1)))
	return n
}

func TestPoissonSeedAndOrder(t *testing.T) {
	base := mustPacer(t, Ramp{Duration: 10 * time.Second, From: 30, To: 30})
	a, b, c := arrivals(NewPoissonPacer(base, 42)), arrivals(NewPoissonPacer(base, 42)), arrivals(NewPoissonPacer(base, 43))
	if !slices.Equal(a, b) {
		t.Errorf("two pacers seeded 42 gave different arrivals")
	}
	if slices.Equal(a, c) {
		t.Errorf("pacers seeded 42 and 43 gave the same arrivals")
	}
	// Out of order: an earlier hit replays the draws and agrees.
	p := NewPoissonPacer(base, 42)
	late, _ := p.At(200)
	early, _ := p.At(5)
	again, _ := p.At(200)
	if late.Seconds() != a[200] || early.Seconds() != a[5] || again != late {
		t.Errorf("At(200), At(5), At(200) = %v, %v, %v; want %v, %v, %v", late, early, again, a[200], a[5], a[200])
	}
}

func TestPoissonPace(t *testing.T) {
	base := mustPacer(t, Ramp{Duration: 2 * time.Second, From: 10, To: 10})
	p := NewPoissonPacer(base, 3)
	first, _ := p.At(0)
	if wait, stop := p.Pace(0, 0); stop || wait != first {
		t.Errorf("Pace(0, 0) = %v, %v; want %v, false", wait, stop, first)
	}
	if wait, stop := p.Pace(first+time.Millisecond, 0); stop || wait != 0 {
		t.Errorf("Pace(after hit 0, 0) = %v, %v; want 0, false", wait, stop)
	}
	n := uint64(len(arrivals(p)))
	if _, stop := p.Pace(time.Second, n); !stop {
		t.Errorf("Pace(1s, %d) (past the last hit) did not stop", n)
	}
	if got := p.Rate(time.Second); got != 10 {
		t.Errorf("Rate(1s) = %g, want 10", got)
	}
}

func correlation(xs, ys []float64) float64 {
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx /= float64(len(xs))
	my /= float64(len(ys))
	var sxy, sxx, syy float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
		syy += (ys[i] - my) * (ys[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}
