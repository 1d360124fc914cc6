// Package queuesim is a capacity.Prober over a simulated queue in virtual
// time: C servers, one FIFO line, Poisson arrivals in the open model and
// looping users in the closed one, and exponential service by default —
// an M/M/c queue, whose capacity and waiting times have closed forms
// (capacity.MMc). It takes no sockets and no clock, so a whole sweep of
// many probes runs in milliseconds, which is how the search's accuracy is
// measured over hundreds of seeds.
//
// Each session is one message. Its TTFT is its wait for a server and it is
// good when that wait is at most the SLO, as with loadgen mock -capacity C
// -ttft 0 -tokens 2 -token-interval exp:MEAN, where the first token comes as
// soon as a generation slot is free.
package queuesim

import (
	"cmp"
	"container/heap"
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/loadgen/loadgen/capacity"
	"github.com/loadgen/loadgen/steady"
)

// Step is the sampling interval of the sessions-in-flight series.
const Step = 250 * time.Millisecond

// Sim is a simulated target. Each probe starts with an empty queue (the
// previous probe drained). A Sim is not safe for concurrent use.
type Sim struct {
	C   int           // servers
	Mu  float64       // service rate of each server, per second
	SLO time.Duration // a message is good when it waits at most this

	// Service, when set, draws a service time in seconds instead of the
	// exponential of mean 1/Mu.
	Service func(r *rand.Rand) float64
	// Saturated, when set, says whether the load generator would fall
	// behind at spec's load (a non-empty reason), which aborts the probe.
	Saturated func(spec capacity.Spec) string
	// Constraints, when set, evaluates run-level requirements on a probe.
	Constraints func(spec capacity.Spec, out *capacity.Measurement) []capacity.Constraint

	rng *rand.Rand
}

// New returns an M/M/c simulation: c servers at rate mu, objective wait ≤
// slo, draws seeded with seed.
func New(c int, mu float64, slo time.Duration, seed uint64) *Sim {
	return &Sim{C: c, Mu: mu, SLO: slo, rng: rand.New(rand.NewPCG(seed, 0xc0ffee))}
}

// Probe implements capacity.Prober in virtual time: it serves the whole
// probe, calls stop at each look with what had ended by then, and drops the
// arrivals after the look that stopped it (FIFO leaves the earlier ones as
// they were). Measurement.Elapsed runs to the last departure (the drain).
func (q *Sim) Probe(ctx context.Context, spec capacity.Spec, stop func(*capacity.Measurement) bool) (*capacity.Measurement, error) {
	end := spec.Duration.Seconds()
	var recs []capacity.Record
	if spec.Control == capacity.Rate {
		recs = q.open(spec.Load, end)
	} else {
		recs = q.closed(int(spec.Load), end)
		slices.SortFunc(recs, func(a, b capacity.Record) int { return cmp.Compare(a.Intended, b.Intended) })
	}
	all := inFlight(recs, spec.Duration)
	stopped := spec.Duration
	for t := spec.MinDuration; stop != nil && t < spec.Duration && spec.Look > 0; t += spec.Look {
		// What a prober knows at t: what has ended, and the sessions in
		// flight so far (a sample at s counts the starts and ends before s).
		ended := make([]capacity.Record, 0, len(recs))
		for _, r := range recs {
			if r.Intended >= t {
				break
			}
			if r.End <= t {
				ended = append(ended, r)
			}
		}
		sofar := &capacity.Measurement{Stopped: t, Messages: ended, Sessions: ended, InFlight: all}
		sofar.InFlight.Values = all.Values[:min(len(all.Values), int(t/Step))]
		if stop(sofar) {
			stopped = t
			break
		}
	}
	kept := recs[:0]
	last := stopped
	for _, r := range recs {
		if r.Intended < stopped {
			kept = append(kept, r)
			last = max(last, r.End)
		}
	}
	out := &capacity.Measurement{Stopped: stopped, Elapsed: last, Messages: kept, Sessions: kept, InFlight: inFlight(kept, last)}
	if q.Saturated != nil {
		out.GeneratorSaturated = q.Saturated(spec)
	}
	if q.Constraints != nil {
		out.Constraints = q.Constraints(spec, out)
	}
	return out, ctx.Err()
}

func (q *Sim) serviceTime() float64 {
	if q.Service != nil {
		return q.Service(q.rng)
	}
	return q.rng.ExpFloat64() / q.Mu
}

// open serves Poisson arrivals at rate lambda over [0, end) seconds.
func (q *Sim) open(lambda, end float64) []capacity.Record {
	free := make([]float64, q.C)
	var recs []capacity.Record
	for t := q.rng.ExpFloat64() / lambda; t < end; t += q.rng.ExpFloat64() / lambda {
		recs = append(recs, q.serve(free, t))
	}
	return recs
}

// closed serves n users who each start a new session the moment theirs
// ends, until end seconds.
func (q *Sim) closed(n int, end float64) []capacity.Record {
	free := make([]float64, q.C)
	var recs []capacity.Record
	next := make(times, n)
	for i := range next {
		next[i] = float64(i) * 1e-6 // a microsecond apart: a definite order
	}
	heap.Init(&next)
	for next.Len() > 0 {
		t := heap.Pop(&next).(float64)
		if t >= end {
			continue
		}
		r := q.serve(free, t)
		recs = append(recs, r)
		heap.Push(&next, r.End.Seconds())
	}
	return recs
}

// serve puts an arrival at t on the server that frees first (arrivals come
// in time order, so this is FIFO).
func (q *Sim) serve(free []float64, t float64) capacity.Record {
	k := 0
	for i := range free {
		if free[i] < free[k] {
			k = i
		}
	}
	start := max(t, free[k])
	done := start + q.serviceTime()
	free[k] = done
	wait := secs(start - t)
	r := capacity.Record{Intended: secs(t), End: secs(done), TTFT: wait + time.Microsecond, Good: wait <= q.SLO}
	if !r.Good {
		r.Missed = 1
	}
	return r
}

// inFlight samples the sessions in flight every Step over [0, until).
func inFlight(recs []capacity.Record, until time.Duration) steady.Samples {
	starts := make([]time.Duration, len(recs))
	ends := make([]time.Duration, len(recs))
	for i, r := range recs {
		starts[i], ends[i] = r.Intended, r.End
	}
	slices.Sort(starts)
	slices.Sort(ends)
	s := steady.Samples{Step: Step}
	for at := time.Duration(0); at+Step <= until; at += Step {
		mid := at + Step/2
		a, _ := slices.BinarySearch(starts, mid)
		e, _ := slices.BinarySearch(ends, mid)
		s.Values = append(s.Values, float64(a-e))
	}
	return s
}

func secs(s float64) time.Duration { return time.Duration(math.Round(s * float64(time.Second))) }

// times is a min-heap of times.
type times []float64

func (h times) Len() int           { return len(h) }
func (h times) Less(i, j int) bool { return h[i] < h[j] }
func (h times) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *times) Push(x any)        { *h = append(*h, x.(float64)) }
func (h *times) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
