package stats

import (
	"math"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram geometry: values in microseconds from 1 µs to HistogramMax with
// three significant digits (a relative error of at most 0.1 %).
const (
	HistogramMax     = 24 * time.Hour // larger values are recorded as HistogramMax
	histogramUnit    = time.Microsecond
	histogramDigits  = 3
	seriesHistDigits = 2 // per-interval histograms: 1 % is plenty for a plot
)

// Histogram is a latency distribution: an HDR histogram in microseconds plus
// the exact count, sum, min and max of what it recorded. The zero value is an
// empty histogram that allocates on its first Record. It is not safe for
// concurrent use; Aggregate guards its histograms with its own lock.
type Histogram struct {
	h        *hdrhistogram.Histogram
	count    int64
	sum      time.Duration
	min, max time.Duration
}

func micros(d time.Duration) int64 {
	return int64(min(max(d, 0), HistogramMax) / histogramUnit)
}

// Record adds one value. Negative values count as 0 and values above
// HistogramMax as HistogramMax.
func (h *Histogram) Record(d time.Duration) {
	if h.h == nil {
		h.h = hdrhistogram.New(1, int64(HistogramMax/histogramUnit), histogramDigits)
	}
	d = min(max(d, 0), HistogramMax)
	// In range by construction of micros, so RecordValue cannot fail.
	_ = h.h.RecordValue(micros(d))
	if h.count == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.count++
	h.sum += d
}

// Count returns the number of recorded values.
func (h *Histogram) Count() int64 {
	if h == nil {
		return 0
	}
	return h.count
}

// Sum returns the exact sum of the recorded values.
func (h *Histogram) Sum() time.Duration {
	if h == nil {
		return 0
	}
	return h.sum
}

// Quantile returns the value at quantile q in [0, 1] (0.95 for p95), or 0
// when the histogram is empty. It is exact to three significant digits and
// never above Max.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.Count() == 0 {
		return 0
	}
	v := time.Duration(h.h.ValueAtQuantile(q*100)) * histogramUnit
	return min(max(v, h.min), h.max)
}

// Max returns the exact largest value, 0 when empty.
func (h *Histogram) Max() time.Duration {
	if h == nil {
		return 0
	}
	return h.max
}

// Min returns the exact smallest value, 0 when empty.
func (h *Histogram) Min() time.Duration {
	if h == nil {
		return 0
	}
	return h.min
}

// Mean returns the exact arithmetic mean, 0 when empty.
func (h *Histogram) Mean() time.Duration {
	if h.Count() == 0 {
		return 0
	}
	return time.Duration(math.Round(float64(h.sum) / float64(h.count)))
}

// Merge adds every value of o into h; the result is the histogram of both
// sets of values, exactly.
func (h *Histogram) Merge(o *Histogram) {
	if o.Count() == 0 {
		return
	}
	if h.h == nil {
		h.h = hdrhistogram.New(1, int64(HistogramMax/histogramUnit), histogramDigits)
	}
	h.h.Merge(o.h)
	if h.count == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.count += o.count
	h.sum += o.sum
}

// Clone returns an independent copy; nil stays nil.
func (h *Histogram) Clone() *Histogram {
	if h == nil {
		return nil
	}
	c := *h
	if h.h != nil {
		c.h = h.h.Clone()
	}
	return &c
}

// Equal reports whether h and o hold the same distribution: same counts in
// every bucket and the same exact count, sum, min and max.
func (h *Histogram) Equal(o *Histogram) bool {
	if h.Count() == 0 || o.Count() == 0 {
		return h.Count() == o.Count()
	}
	return h.count == o.count && h.sum == o.sum && h.min == o.min && h.max == o.max && h.h.Equals(o.h)
}

// Bucket is one bar of a histogram plot: Count values in [From, To).
type Bucket struct {
	From, To time.Duration
	Count    int64
}

// Buckets sums the histogram into the bars delimited by edges, which must
// ascend: bar i holds values in [edges[i], edges[i+1]). Values below the
// first edge go to the first bar and values from the last edge on to the last.
func (h *Histogram) Buckets(edges []time.Duration) []Bucket {
	if len(edges) < 2 {
		return nil
	}
	out := make([]Bucket, len(edges)-1)
	for i := range out {
		out[i] = Bucket{From: edges[i], To: edges[i+1]}
	}
	if h.Count() == 0 {
		return out
	}
	i := 0
	for _, bar := range h.h.Distribution() {
		if bar.Count == 0 {
			continue
		}
		v := time.Duration(bar.From) * histogramUnit
		for i < len(out)-1 && v >= out[i].To {
			i++
		}
		out[i].Count += bar.Count
	}
	return out
}

// SparseHistogram is a small histogram for one time-series interval: two
// significant digits, storage proportional to the buckets in use. The zero
// value is empty; it is not safe for concurrent use.
type SparseHistogram struct {
	p *hdrhistogram.PackedHistogram
}

// Record adds one value, clamped as Histogram.Record does.
func (s *SparseHistogram) Record(d time.Duration) {
	if s.p == nil {
		s.p = hdrhistogram.NewPacked(1, int64(HistogramMax/histogramUnit), seriesHistDigits)
	}
	_ = s.p.RecordValue(micros(d))
}

// Count returns the number of recorded values.
func (s *SparseHistogram) Count() int64 {
	if s == nil || s.p == nil {
		return 0
	}
	return s.p.TotalCount()
}

// Quantile returns the value at quantile q in [0, 1], 0 when empty.
func (s *SparseHistogram) Quantile(q float64) time.Duration {
	if s.Count() == 0 {
		return 0
	}
	return time.Duration(s.p.ValueAtPercentile(q*100)) * histogramUnit
}

// Merge adds every value of o into s.
func (s *SparseHistogram) Merge(o *SparseHistogram) {
	if o.Count() == 0 {
		return
	}
	if s.p == nil {
		s.p = o.p.Clone()
		return
	}
	s.p.Merge(o.p)
}

// Clone returns an independent copy; nil stays nil.
func (s *SparseHistogram) Clone() *SparseHistogram {
	if s == nil {
		return nil
	}
	if s.p == nil {
		return &SparseHistogram{}
	}
	return &SparseHistogram{p: s.p.Clone()}
}
