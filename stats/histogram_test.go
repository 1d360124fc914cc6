package stats_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/loadgen/loadgen/stats"
)

func TestHistogramQuantiles(t *testing.T) {
	var h stats.Histogram
	for i := 1; i <= 1000; i++ { // 1 ms … 1000 ms
		h.Record(time.Duration(i) * time.Millisecond)
	}
	tests := []struct {
		name string
		got  time.Duration
		want time.Duration
	}{
		{"p50", h.Quantile(0.50), 500 * time.Millisecond},
		{"p90", h.Quantile(0.90), 900 * time.Millisecond},
		{"p99", h.Quantile(0.99), 990 * time.Millisecond},
		{"p100", h.Quantile(1), time.Second},
		{"p0", h.Quantile(0), time.Millisecond},
		{"max", h.Max(), time.Second},
		{"min", h.Min(), time.Millisecond},
		{"mean", h.Mean(), 500500 * time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Three significant digits: within 0.1 %.
			if d := tt.got - tt.want; d < -tt.want/1000 || d > tt.want/1000 {
				t.Errorf("got %v, want %v ± 0.1%%", tt.got, tt.want)
			}
		})
	}
	if got := h.Count(); got != 1000 {
		t.Errorf("Count() = %d, want 1000", got)
	}
}

func TestHistogramEdges(t *testing.T) {
	tests := []struct {
		name    string
		values  []time.Duration
		q       float64
		wantQ   time.Duration
		wantMax time.Duration
	}{
		{"empty", nil, 0.5, 0, 0},
		{"negative is zero", []time.Duration{-time.Second}, 0.5, 0, 0},
		{"sub-microsecond", []time.Duration{300 * time.Nanosecond}, 0.5, 300 * time.Nanosecond, 300 * time.Nanosecond},
		{"beyond range is clamped", []time.Duration{48 * time.Hour}, 0.5, stats.HistogramMax, stats.HistogramMax},
		{"single", []time.Duration{1500 * time.Microsecond}, 0.99, 1500 * time.Microsecond, 1500 * time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h stats.Histogram
			for _, v := range tt.values {
				h.Record(v)
			}
			if got := h.Quantile(tt.q); got != tt.wantQ {
				t.Errorf("Quantile(%v) = %v, want %v", tt.q, got, tt.wantQ)
			}
			if got := h.Max(); got != tt.wantMax {
				t.Errorf("Max() = %v, want %v", got, tt.wantMax)
			}
		})
	}
}

func TestHistogramMergeIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var all, a, b stats.Histogram
	for range 5000 {
		v := time.Duration(rng.ExpFloat64() * float64(200*time.Millisecond))
		all.Record(v)
		if rng.IntN(2) == 0 {
			a.Record(v)
		} else {
			b.Record(v)
		}
	}
	var m stats.Histogram
	m.Merge(&a)
	m.Merge(&b)
	if !m.Equal(&all) {
		t.Fatalf("merge of halves != whole: count %d/%d sum %v/%v", m.Count(), all.Count(), m.Sum(), all.Sum())
	}
	for _, q := range []float64{0.5, 0.9, 0.95, 0.99, 0.999} {
		if got, want := m.Quantile(q), all.Quantile(q); got != want {
			t.Errorf("merged Quantile(%v) = %v, want %v", q, got, want)
		}
	}
	c := all.Clone()
	c.Record(time.Hour)
	if all.Equal(c) {
		t.Error("Clone shares storage with the original")
	}
}

func TestHistogramBuckets(t *testing.T) {
	var h stats.Histogram
	for _, v := range []time.Duration{5 * time.Millisecond, 50 * time.Millisecond, 60 * time.Millisecond, 2 * time.Second, time.Minute} {
		h.Record(v)
	}
	edges := []time.Duration{10 * time.Millisecond, 100 * time.Millisecond, time.Second, 10 * time.Second}
	got := h.Buckets(edges)
	want := []int64{3, 0, 2} // 5 ms joins the first bar, 1 min the last
	if len(got) != len(want) {
		t.Fatalf("Buckets() returned %d bars, want %d", len(got), len(want))
	}
	for i, b := range got {
		if b.Count != want[i] || b.From != edges[i] || b.To != edges[i+1] {
			t.Errorf("bar %d = %+v, want count %d in [%v, %v)", i, b, want[i], edges[i], edges[i+1])
		}
	}
}

func TestSparseHistogram(t *testing.T) {
	var s, o stats.SparseHistogram
	for i := 1; i <= 100; i++ {
		s.Record(time.Duration(i) * time.Millisecond)
		o.Record(time.Duration(i+100) * time.Millisecond)
	}
	s.Merge(&o)
	if got := s.Count(); got != 200 {
		t.Errorf("Count() = %d, want 200", got)
	}
	// Two significant digits: within 1 %.
	if got, want := s.Quantile(0.5), 100*time.Millisecond; got < want*99/100 || got > want*101/100 {
		t.Errorf("Quantile(0.5) = %v, want %v ± 1%%", got, want)
	}
	var empty stats.SparseHistogram
	if got := empty.Quantile(0.5); got != 0 {
		t.Errorf("empty Quantile(0.5) = %v, want 0", got)
	}
}
