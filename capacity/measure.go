package capacity

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/loadgen/loadgen/internal/statmath"
	"github.com/loadgen/loadgen/steady"
)

// batches is the number of batches a probe's measured window is cut into
// for batch means: enough degrees of freedom for a t interval, few enough
// that each batch is long against the correlation time of queued requests.
const batches = 10

// Estimate is an estimated value, Est, with its confidence interval [Lo, Hi].
type Estimate struct {
	Est, Lo, Hi float64
}

// Contains reports whether x is inside the interval.
func (e Estimate) Contains(x float64) bool { return e.Lo <= x && x <= e.Hi }

// RelWidth returns the interval's width relative to its estimate.
func (e Estimate) RelWidth() float64 { return (e.Hi - e.Lo) / e.Est }

// share is the attainment data of a window: per batch, good messages and
// messages.
type share struct {
	good, all []float64
	missed    []int // per objective: messages that missed it
	// neff is the effective number of independent messages: each window's
	// count over the integrated autocorrelation time of its good/bad
	// sequence (in intended order), summed over pooled windows.
	neff float64
}

// attainment collects the messages intended in [from, to) that have ended
// by `now` (or are known to have missed every deadline), in equal batches.
func attainment(msgs []Record, from, to time.Duration, objectives int) share {
	s := share{good: make([]float64, batches), all: make([]float64, batches), missed: make([]int, objectives)}
	if to <= from {
		return s
	}
	width := float64(to - from)
	var in []Record
	for _, m := range msgs {
		if m.Intended < from || m.Intended >= to || m.End == Pending {
			continue
		}
		in = append(in, m)
	}
	byIntended := func(a, b Record) int { return cmp.Compare(a.Intended, b.Intended) }
	if !slices.IsSortedFunc(in, byIntended) {
		slices.SortFunc(in, byIntended)
	}
	seq := make([]float64, len(in))
	lat := make([]float64, len(in))
	for i, m := range in {
		if m.Good {
			seq[i] = 1
		}
		lat[i] = m.TTFT.Seconds()
		if m.TTFT <= 0 {
			lat[i] = (m.End - m.Intended).Seconds()
		}
		b := min(int(float64(m.Intended-from)/width*batches), batches-1)
		s.all[b]++
		if m.Good {
			s.good[b]++
		}
		for i := range objectives {
			if m.Missed&(1<<i) != 0 {
				s.missed[i]++
			}
		}
	}
	if len(seq) > 0 {
		// The good/bad sequence alone looks independent in a window where
		// no burst of failures happened to fall; the latency sequence shows
		// the bursts of queueing that make them.
		s.neff = float64(len(seq)) / max(statmath.IACT(seq), statmath.IACT(lat))
	}
	return s
}

// add pools another window's batches with s.
func (s *share) add(o share) {
	s.good = append(s.good, o.good...)
	s.all = append(s.all, o.all...)
	if s.missed == nil {
		s.missed = make([]int, len(o.missed))
	}
	for i := range o.missed {
		s.missed[i] += o.missed[i]
	}
	s.neff += o.neff
}

// count returns the messages and the good ones.
func (s share) count() (n, good int) {
	for i := range s.all {
		n += int(s.all[i])
		good += int(s.good[i])
	}
	return n, good
}

// floored returns s with its effective size cut to the messages over
// iact when that is smaller: the autocorrelation time seen at lower loads
// is a floor for this one's (queues stay correlated longer as load rises),
// which keeps a window that happened to be calm from passing as both good
// and independent.
func (s share) floored(iact float64) share {
	n, _ := s.count()
	if iact > 1 && float64(n)/iact < s.neff {
		s.neff = float64(n) / iact
	}
	return s
}

// iact returns the share's own autocorrelation time: messages over the
// effective number.
func (s share) iact() float64 {
	n, _ := s.count()
	if s.neff <= 0 {
		return 1
	}
	return max(1, float64(n)/s.neff)
}

// interval returns the attainment with its interval at confidence conf:
// the hull of the batch-means interval (requests under load are
// autocorrelated) and the Wilson interval (the floor when the batches agree
// by chance, or are too few).
func (s share) interval(conf float64) Estimate {
	n, good := s.count()
	if n == 0 {
		return Estimate{Est: math.NaN(), Lo: 0, Hi: 1}
	}
	lo, hi := statmath.WilsonShare(float64(good)/float64(n), min(s.neff, float64(n)), conf)
	est, blo, bhi := statmath.RatioBatches(s.good, s.all, conf)
	if !math.IsNaN(blo) {
		lo, hi = min(lo, blo), max(hi, bhi)
	}
	return Estimate{Est: est, Lo: max(0, lo), Hi: min(1, hi)}
}

// throughput measures completions per second of the records that ended in
// (from, to]: from the first completion in the window to the last (the
// pipeline's fill before the first and the drain after `to` are left out,
// which is where a whole-run average underestimates a saturated target),
// with a batch-means interval on the completions per batch. ok is false
// with fewer than 2 batches' worth of completions.
func throughput(recs []Record, from, to time.Duration, conf float64) (iv Estimate, first, last time.Duration, ok bool) {
	n := 0
	first, last = to, from
	for _, r := range recs {
		if r.End != Pending && r.End > from && r.End <= to {
			n++
			first, last = min(first, r.End), max(last, r.End)
		}
	}
	span := float64(last - first)
	if n < 2*batches || span <= 0 {
		return Estimate{}, 0, 0, false
	}
	// Completions after the first, per batch of the span: rate = count/width.
	counts := make([]float64, batches)
	widths := make([]float64, batches)
	for i := range widths {
		widths[i] = span / batches / float64(time.Second)
	}
	for _, r := range recs {
		if r.End != Pending && r.End > first && r.End <= last {
			counts[min(int(float64(r.End-first)/span*batches), batches-1)]++
		}
	}
	est, lo, hi := statmath.RatioBatches(counts, widths, conf)
	return Estimate{Est: est, Lo: lo, Hi: hi}, first, last, true
}

// meanInFlight returns the time-average of the in-flight series over
// [from, to), or NaN when it has no sample there.
func meanInFlight(s steady.Samples, from, to time.Duration) float64 {
	var sum float64
	n := 0
	for i, v := range s.Values {
		at := s.Start + time.Duration(i)*s.Step
		if at >= from && at+s.Step <= to && !math.IsNaN(v) {
			sum += v
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}

// meanDuration returns the mean time from intended start to end of the
// records that ended in (from, to].
func meanDuration(recs []Record, from, to time.Duration) float64 {
	var sum float64
	n := 0
	for _, r := range recs {
		if r.End != Pending && r.End > from && r.End <= to {
			sum += (r.End - r.Intended).Seconds()
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}

// latencySeries returns the mean TTFT (or, for messages without one, the
// whole latency) of the messages by intended start, per step, over [0, to).
func latencySeries(msgs []Record, to, step time.Duration) steady.Samples {
	n := int(to / step)
	s := steady.Samples{Step: step, Values: make([]float64, n), Weights: make([]float64, n)}
	for _, m := range msgs {
		if m.End == Pending || m.Intended < 0 {
			continue
		}
		i := int(m.Intended / step)
		if i >= n {
			continue
		}
		v := m.TTFT
		if v <= 0 {
			v = m.End - m.Intended
		}
		s.Values[i] += v.Seconds()
		s.Weights[i]++
	}
	for i := range s.Values {
		if s.Weights[i] > 0 {
			s.Values[i] /= s.Weights[i]
		} else {
			s.Values[i] = math.NaN()
		}
	}
	return s
}

// quantiles returns the p50, p95 and p99 of the messages' TTFT (from the
// intended start) intended in [from, to); zeros when there are none.
func quantiles(msgs []Record, from, to time.Duration) (p50, p95, p99 time.Duration) {
	var v []time.Duration
	for _, m := range msgs {
		if m.Intended >= from && m.Intended < to && m.End != Pending && m.TTFT > 0 {
			v = append(v, m.TTFT)
		}
	}
	if len(v) == 0 {
		return 0, 0, 0
	}
	slices.Sort(v)
	at := func(q float64) time.Duration { return v[min(len(v)-1, int(math.Ceil(q*float64(len(v))))-1)] }
	return at(0.50), at(0.95), at(0.99)
}
