package stats

import (
	"time"

	"github.com/loadgen/loadgen/results"
)

// DefaultMaxIntervals bounds a Series: when a run outgrows it, the interval
// width doubles (1 s, 2 s, 4 s, …) and neighbouring intervals merge, so
// memory stays bounded on a soak run (3600 intervals is one hour at 1 s).
const DefaultMaxIntervals = 3600

// Series is a run's time series: fixed-width intervals aligned to the Unix
// epoch (so shards and runs line up and merge exactly), each holding the
// counts and small histograms of what started in it.
type Series struct {
	Width     time.Duration // interval width, 1 s unless the run outgrew the interval limit
	Intervals []Interval    // consecutive intervals from Start()

	base   int64 // key of Intervals[0]: its start in Unix ns / Width
	max    int   // most intervals before the width doubles
	active int64 // sessions in flight
	lastT  int64 // Unix ns up to which ActiveNanos has been integrated; 0 before any event
}

// Interval is one interval of a Series.
type Interval struct {
	Steps       [results.NumSteps]IntervalStep // indexed like results.Steps()
	TTFT        SparseHistogram                // time to first token of messages that started here
	Good        int64                          // messages that started here and met the SLO
	Arrivals    int64                          // session steps the schedule wanted to start here (target rate)
	Started     int64                          // session steps that did start here (achieved rate)
	ActiveNanos int64                          // sessions in flight integrated over the interval, in session·ns
	// Finished counts the sessions that ended here on their own (completed
	// or failed; not those the run's stop canceled): with ActiveNanos, by
	// Little's law, how long a session lasts.
	Finished int64
}

// IntervalStep holds one step's results that started in an interval.
type IntervalStep struct {
	Count   int64
	Errors  int64           // as StepStats.Errors: the target's failures
	Ours    int64           // as StepStats.Ours: loadgen's own failures
	Latency SparseHistogram // as Histogram Latency: canceled steps excluded
}

// Requests returns the results of every step that started in the interval.
func (iv *Interval) Requests() int64 {
	var n int64
	for _, s := range iv.Steps {
		n += s.Count
	}
	return n
}

// Errors returns the failed results that started in the interval.
func (iv *Interval) Errors() int64 {
	var n int64
	for _, s := range iv.Steps {
		n += s.Errors
	}
	return n
}

// Step returns the interval's stats of step s, nil for an unknown step.
func (iv *Interval) Step(s results.Step) *IntervalStep {
	if i := s.Index(); i >= 0 {
		return &iv.Steps[i]
	}
	return nil
}

func newSeries(maxIntervals int) Series {
	if maxIntervals < 2 {
		maxIntervals = DefaultMaxIntervals
	}
	return Series{Width: time.Second, max: maxIntervals}
}

// Start returns the start of the first interval, zero when empty.
func (s *Series) Start() time.Time {
	if len(s.Intervals) == 0 {
		return time.Time{}
	}
	return time.Unix(0, s.base*int64(s.Width))
}

// IntervalStart returns the start of Intervals[i].
func (s *Series) IntervalStart(i int) time.Time {
	return time.Unix(0, (s.base+int64(i))*int64(s.Width))
}

// UsersActive returns the mean number of sessions in flight during
// Intervals[i].
func (s *Series) UsersActive(i int) float64 {
	return float64(s.Intervals[i].ActiveNanos) / float64(s.Width)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// at returns the interval holding Unix time t (ns), growing the series and
// coarsening it when needed. The pointer is valid until the next call.
func (s *Series) at(t int64) *Interval {
	for {
		k := floorDiv(t, int64(s.Width))
		n := int64(len(s.Intervals))
		if n == 0 {
			s.base = k
			s.Intervals = append(s.Intervals, Interval{})
			return &s.Intervals[0]
		}
		lo, hi := min(s.base, k), max(s.base+n-1, k)
		if hi-lo+1 > int64(s.max) {
			s.coarsen()
			continue
		}
		if k < s.base {
			grown := make([]Interval, hi-lo+1, hi-lo+1+n/4)
			copy(grown[s.base-k:], s.Intervals)
			s.Intervals, s.base = grown, k
		}
		for int64(len(s.Intervals)) <= k-s.base {
			s.Intervals = append(s.Intervals, Interval{})
		}
		return &s.Intervals[k-s.base]
	}
}

// coarsen doubles the width, merging intervals pairwise.
func (s *Series) coarsen() {
	old, oldBase := s.Intervals, s.base
	s.Width *= 2
	s.base = floorDiv(oldBase, 2)
	last := floorDiv(oldBase+int64(len(old))-1, 2)
	s.Intervals = make([]Interval, last-s.base+1)
	for i := range old {
		s.Intervals[floorDiv(oldBase+int64(i), 2)-s.base].merge(&old[i])
	}
}

// advance integrates the sessions in flight up to time t. Events that come
// slightly out of order (t before the last one) add nothing.
func (s *Series) advance(t time.Time) {
	if t.IsZero() {
		return
	}
	now := t.UnixNano()
	if s.lastT == 0 {
		s.lastT = now
		return
	}
	for s.lastT < now {
		if s.active <= 0 {
			s.lastT = now
			return
		}
		iv := s.at(s.lastT)
		end := min((floorDiv(s.lastT, int64(s.Width))+1)*int64(s.Width), now)
		iv.ActiveNanos += s.active * (end - s.lastT)
		s.lastT = end
	}
}

func (iv *Interval) merge(o *Interval) {
	for i := range iv.Steps {
		iv.Steps[i].Count += o.Steps[i].Count
		iv.Steps[i].Errors += o.Steps[i].Errors
		iv.Steps[i].Ours += o.Steps[i].Ours
		iv.Steps[i].Latency.Merge(&o.Steps[i].Latency)
	}
	iv.TTFT.Merge(&o.TTFT)
	iv.Good += o.Good
	iv.Arrivals += o.Arrivals
	iv.Started += o.Started
	iv.ActiveNanos += o.ActiveNanos
	iv.Finished += o.Finished
}

func (iv *Interval) clone() Interval {
	c := *iv
	for i := range c.Steps {
		c.Steps[i].Latency = *iv.Steps[i].Latency.Clone()
	}
	c.TTFT = *iv.TTFT.Clone()
	return c
}

func (s *Series) clone() Series {
	c := *s
	c.Intervals = make([]Interval, len(s.Intervals))
	for i := range s.Intervals {
		c.Intervals[i] = s.Intervals[i].clone()
	}
	return c
}

// merge adds o's intervals into s at the same absolute times; the coarser
// width of the two wins.
func (s *Series) merge(o *Series) {
	src := o
	if o.Width < s.Width {
		c := o.clone()
		for c.Width < s.Width {
			c.coarsen()
		}
		src = &c
	}
	for s.Width < src.Width {
		s.coarsen()
	}
	for i := range src.Intervals {
		if src.Intervals[i] == (Interval{}) {
			continue
		}
		t := (src.base + int64(i)) * int64(src.Width)
		s.at(t).merge(&src.Intervals[i])
	}
	s.active += o.active
	s.lastT = max(s.lastT, o.lastT)
}
