package statmath

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestTQuantile(t *testing.T) {
	// Values from the standard tables.
	tests := []struct {
		p    float64
		df   int
		want float64
	}{
		{0.975, 1, 12.706},
		{0.975, 2, 4.303},
		{0.975, 9, 2.262},
		{0.975, 30, 2.042},
		{0.995, 9, 3.250},
		{0.95, 19, 1.729},
		{0.025, 9, -2.262},
		{0.5, 5, 0},
		{0.975, 5000, 1.960},
	}
	for _, tt := range tests {
		if got := TQuantile(tt.p, tt.df); math.Abs(got-tt.want) > 0.001 {
			t.Errorf("TQuantile(%g, %d) = %.4f, want %.3f", tt.p, tt.df, got, tt.want)
		}
	}
	if got := NormalQuantile(0.975); math.Abs(got-1.95996) > 1e-4 {
		t.Errorf("NormalQuantile(0.975) = %.5f, want 1.95996", got)
	}
}

func TestWilson(t *testing.T) {
	tests := []struct {
		good, n int
		lo, hi  float64
	}{
		{0, 10, 0, 0.2775},
		{10, 10, 0.7225, 1},
		{95, 100, 0.8883, 0.9785},
		{0, 0, 0, 1},
	}
	for _, tt := range tests {
		lo, hi := Wilson(tt.good, tt.n, 0.95)
		if math.Abs(lo-tt.lo) > 1e-3 || math.Abs(hi-tt.hi) > 1e-3 {
			t.Errorf("Wilson(%d, %d, 0.95) = [%.4f, %.4f], want [%.4f, %.4f]", tt.good, tt.n, lo, hi, tt.lo, tt.hi)
		}
	}
}

func TestFitLine(t *testing.T) {
	l := FitLine([]float64{0, 1, 2, 3}, []float64{1, 3, 5, 7})
	if l.Slope != 2 || l.Intercept != 1 || l.SlopeSE != 0 || l.DF != 2 {
		t.Errorf("FitLine(exact line) = %+v, want slope 2, intercept 1, SE 0, DF 2", l)
	}
	if l := FitLine([]float64{1, 1}, []float64{2, 3}); !math.IsNaN(l.Slope) {
		t.Errorf("FitLine(equal xs) slope = %v, want NaN", l.Slope)
	}
}

// TestSlopeIntervalCoverage checks the slope interval's coverage on noisy
// lines: about 95 % of 2000 intervals hold the true slope.
func TestSlopeIntervalCoverage(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	covered := 0
	const runs = 2000
	xs := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	ys := make([]float64, len(xs))
	for range runs {
		for i, x := range xs {
			ys[i] = 3 + 0.5*x + r.NormFloat64()
		}
		lo, hi := FitLine(xs, ys).SlopeInterval(0.95)
		if lo <= 0.5 && 0.5 <= hi {
			covered++
		}
	}
	if c := float64(covered) / runs; c < 0.93 || c > 0.97 {
		t.Errorf("slope interval covered the truth in %.1f%% of %d runs, want 95%% ± 2", 100*c, runs)
	}
}

// TestRatioBatchesCoverage checks the batch-means interval of a proportion
// on an autocorrelated series (a two-state Markov chain whose runs last ~20
// steps), where the binomial interval is far too narrow.
func TestRatioBatchesCoverage(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const (
		runs    = 1000
		steps   = 20000
		batches = 10
		stay    = 0.95 // P(keep the state): runs of 20 on average
	)
	covered, binomialCovered := 0, 0
	for range runs {
		good := r.Float64() < 0.5
		num := make([]float64, batches)
		den := make([]float64, batches)
		total := 0
		for i := range steps {
			if r.Float64() > stay {
				good = !good
			}
			b := i * batches / steps
			den[b]++
			if good {
				num[b]++
				total++
			}
		}
		_, lo, hi := RatioBatches(num, den, 0.95)
		if lo <= 0.5 && 0.5 <= hi {
			covered++
		}
		if blo, bhi := Wilson(total, steps, 0.95); blo <= 0.5 && 0.5 <= bhi {
			binomialCovered++
		}
	}
	if c := float64(covered) / runs; c < 0.92 {
		t.Errorf("batch-means interval covered the truth in %.1f%% of %d runs, want ≥ 92%%", 100*c, runs)
	}
	if c := float64(binomialCovered) / runs; c > 0.6 {
		t.Errorf("the binomial interval covered the truth in %.1f%% of runs; the series is not autocorrelated enough to test batch means", 100*c)
	}
}

func TestKS(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	xs := make([]float64, 4000)
	for i := range xs {
		xs[i] = r.ExpFloat64()
	}
	slices.Sort(xs)
	expCDF := func(x float64) float64 { return 1 - math.Exp(-x) }
	if d := KS(xs, expCDF); d > 1.63/math.Sqrt(4000) {
		t.Errorf("KS(exponential sample, exponential) = %.4f, want ≤ %.4f", d, 1.63/math.Sqrt(4000))
	}
	uniform := func(x float64) float64 { return min(max(x/2, 0), 1) }
	if d := KS(xs, uniform); d < 0.1 {
		t.Errorf("KS(exponential sample, uniform on [0,2]) = %.4f, want a large distance", d)
	}
}

// TestIACT checks the autocorrelation time of AR(1) series against its
// closed form (1+φ)/(1−φ), and that of white noise (1).
func TestIACT(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, phi := range []float64{0, 0.5, 0.9} {
		want := (1 + phi) / (1 - phi)
		var sum float64
		const runs = 40
		for range runs {
			xs := make([]float64, 20000)
			x := 0.0
			for i := range xs {
				x = phi*x + r.NormFloat64()
				xs[i] = x
			}
			sum += IACT(xs)
		}
		if got := sum / runs; got < 0.85*want || got > 1.15*want {
			t.Errorf("mean IACT of AR(1) with φ = %g = %.2f, want %.2f ± 15%%", phi, got, want)
		}
	}
	if got := IACT([]float64{3, 3, 3, 3, 3}); got != 1 {
		t.Errorf("IACT(constant) = %g, want 1", got)
	}
}

// TestAutocovariance checks the FFT against the direct sum.
func TestAutocovariance(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	xs := make([]float64, 37)
	for i := range xs {
		xs[i] = r.NormFloat64()
	}
	const mean = 0.1
	got := autocovariance(xs, mean)
	for k := range xs {
		var want float64
		for i := 0; i+k < len(xs); i++ {
			want += (xs[i] - mean) * (xs[i+k] - mean)
		}
		if math.Abs(got[k]-want) > 1e-9 {
			t.Fatalf("autocovariance lag %d = %g, want %g", k, got[k], want)
		}
	}
}
