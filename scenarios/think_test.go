package scenarios

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestThinkSample(t *testing.T) {
	const n = 20000
	tests := []struct {
		name               string
		think              Think
		min, max           time.Duration // every sample in [min, max]
		meanLo, meanHi     time.Duration // the sample mean in [meanLo, meanHi]
		wantSpreadAtLeast  time.Duration // max sample - min sample
		wantCappedFraction float64       // share of samples equal to Max, at least
	}{
		{name: "none", think: Think{}, min: 0, max: 0, meanLo: 0, meanHi: 0},
		{name: "fixed", think: Think{Kind: ThinkFixed, Mean: 2 * time.Second},
			min: 2 * time.Second, max: 2 * time.Second, meanLo: 2 * time.Second, meanHi: 2 * time.Second},
		{name: "uniform", think: Think{Kind: ThinkUniform, Min: time.Second, Max: 3 * time.Second},
			min: time.Second, max: 3 * time.Second, meanLo: 1900 * time.Millisecond, meanHi: 2100 * time.Millisecond,
			wantSpreadAtLeast: 1900 * time.Millisecond},
		{name: "exponential", think: Think{Kind: ThinkExponential, Mean: time.Second},
			min: 0, max: time.Hour, meanLo: 900 * time.Millisecond, meanHi: 1100 * time.Millisecond,
			wantSpreadAtLeast: 5 * time.Second},
		// With a cap at the mean, P(X > mean) = 1/e ≈ 0.37 of samples are capped.
		{name: "exponential capped", think: Think{Kind: ThinkExponential, Mean: time.Second, Max: time.Second},
			min: 0, max: time.Second, meanLo: 550 * time.Millisecond, meanHi: 720 * time.Millisecond,
			wantCappedFraction: 0.3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			var sum, lo, hi time.Duration
			lo = time.Duration(1<<63 - 1)
			capped := 0
			for range n {
				d := tt.think.Sample(r)
				if d < tt.min || d > tt.max {
					t.Fatalf("%+v.Sample() = %v, want within [%v, %v]", tt.think, d, tt.min, tt.max)
				}
				if tt.think.Max > 0 && d == tt.think.Max {
					capped++
				}
				sum += d
				lo, hi = min(lo, d), max(hi, d)
			}
			if mean := sum / n; mean < tt.meanLo || mean > tt.meanHi {
				t.Errorf("mean of %d samples = %v, want within [%v, %v]", n, mean, tt.meanLo, tt.meanHi)
			}
			if hi-lo < tt.wantSpreadAtLeast {
				t.Errorf("samples spread over %v..%v, want at least %v apart", lo, hi, tt.wantSpreadAtLeast)
			}
			if got := float64(capped) / n; got < tt.wantCappedFraction {
				t.Errorf("%.2f of samples capped at %v, want at least %.2f", got, tt.think.Max, tt.wantCappedFraction)
			}
		})
	}
}
