package runner

import (
	"fmt"
	"math"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Ramp is one piece of an arrival schedule: the rate moves linearly from
// From to To (hits per second) over Duration. From == To is a constant rate.
// A scenario's stages (scenarios.Stage: a duration and a target) become
// ramps from each stage's target to the next.
type Ramp struct {
	Duration time.Duration
	From, To float64
}

// StagesPacer is an arrival schedule made of linear ramps, one per stage. It implements
// vegeta.Pacer and, beyond it, At: the exact time of any hit, which the runner
// records as each session's intended start.
//
// Vegeta's own LinearPacer treats a zero start rate as "infinite" and paces
// from a local approximation; ramps from zero (the usual first stage) need the
// exact integral, so this pacer computes it. The zero value has no stages and
// stops at once. A StagesPacer is immutable and safe for concurrent use.
type StagesPacer struct {
	stages []Ramp
	starts []time.Duration // start time of each stage
	hits   []float64       // hits scheduled before each stage
	total  time.Duration
}

var _ vegeta.Pacer = (*StagesPacer)(nil)

// NewStagesPacer returns a pacer for the ramps, in order.
func NewStagesPacer(stages ...Ramp) (*StagesPacer, error) {
	p := &StagesPacer{stages: stages}
	var hits float64
	for i, s := range stages {
		if s.Duration <= 0 || s.From < 0 || s.To < 0 || math.IsNaN(s.From+s.To) || math.IsInf(s.From+s.To, 0) {
			return nil, fmt.Errorf("runner: stage %d: need a positive duration and finite rates ≥ 0, got %v from %g/s to %g/s", i, s.Duration, s.From, s.To)
		}
		p.starts = append(p.starts, p.total)
		p.hits = append(p.hits, hits)
		p.total += s.Duration
		hits += (s.From + s.To) / 2 * s.Duration.Seconds()
	}
	return p, nil
}

// Duration returns the schedule's total length.
func (p *StagesPacer) Duration() time.Duration { return p.total }

// Hits returns the number of hits the whole schedule holds.
func (p *StagesPacer) Hits() uint64 {
	h := p.HitsBy(p.total)
	if h <= 0.5 {
		return 0
	}
	return uint64(math.Ceil(h - 0.5))
}

// HitsBy returns the number of hits the rate adds up to from the start to
// elapsed (a real number: the integral of the rate).
func (p *StagesPacer) HitsBy(elapsed time.Duration) float64 {
	var hits float64
	for i, s := range p.stages {
		if elapsed <= p.starts[i] {
			break
		}
		tau := min(elapsed-p.starts[i], s.Duration).Seconds()
		k := (s.To - s.From) / (2 * s.Duration.Seconds())
		hits += s.From*tau + k*tau*tau
	}
	return hits
}

// At returns when hit n (counting from 0) is due, measured from the start of
// the schedule: the time at which the integral of the rate reaches n + ½, so
// that a constant rate puts each hit in the middle of its interval (5/s for
// 20 s gives hits at 0.1 s, 0.3 s, … 19.9 s: exactly 100). It returns false
// when hit n falls at or after the end of the schedule.
func (p *StagesPacer) At(n uint64) (time.Duration, bool) { return p.timeOf(float64(n) + 0.5) }

// timeOf returns when the integral of the rate reaches want (the inverse of
// HitsBy), or false when it does so at or after the end of the schedule.
func (p *StagesPacer) timeOf(want float64) (time.Duration, bool) {
	for i := len(p.stages) - 1; i >= 0; i-- {
		if want < p.hits[i] {
			continue
		}
		s := p.stages[i]
		r := want - p.hits[i] // hits into this stage
		a := s.From
		k := (s.To - s.From) / (2 * s.Duration.Seconds()) // H(τ) = a·τ + k·τ²
		var tau float64
		switch {
		case r == 0:
			tau = 0
		case k == 0 && a == 0:
			continue
		default:
			disc := a*a + 4*k*r
			if disc < 0 {
				return 0, false // a falling ramp that never reaches r
			}
			tau = 2 * r / (a + math.Sqrt(disc)) // stable form of (−a+√disc)/2k
		}
		at := p.starts[i] + time.Duration(tau*float64(time.Second))
		if tau >= s.Duration.Seconds() || at >= p.total {
			return 0, false // past the end of the stage that holds it: past the schedule
		}
		return at, true
	}
	return 0, false
}

// Hold returns when the schedule's final constant rate begins: the start
// of its last ramp when that ramp holds its rate (From == To > 0), pulled
// back over the ramps before it that hold the same rate. A schedule that
// ends on a slope, or at rate 0, has no hold: Hold returns its Duration.
func (p *StagesPacer) Hold() time.Duration {
	n := len(p.stages)
	if n == 0 || p.stages[n-1].From != p.stages[n-1].To || p.stages[n-1].To <= 0 {
		return p.total
	}
	i := n - 1
	for i > 0 && p.stages[i-1].From == p.stages[i-1].To && p.stages[i-1].To == p.stages[n-1].To {
		i--
	}
	return p.starts[i]
}

// Pace implements vegeta.Pacer: the wait until hit number hits is due.
func (p *StagesPacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	return paceAt(p.At, elapsed, hits)
}

// paceAt is vegeta's Pace for a schedule that says when hit n is due (at):
// the wait until it is, or stop once the schedule holds no such hit.
func paceAt(at func(uint64) (time.Duration, bool), elapsed time.Duration, hits uint64) (time.Duration, bool) {
	due, ok := at(hits)
	if !ok {
		return 0, true
	}
	if due <= elapsed {
		return 0, false
	}
	return due - elapsed, false
}

// Rate implements vegeta.Pacer: the instantaneous rate at elapsed.
func (p *StagesPacer) Rate(elapsed time.Duration) float64 {
	for i := len(p.stages) - 1; i >= 0; i-- {
		if elapsed >= p.starts[i] {
			s := p.stages[i]
			if elapsed >= p.starts[i]+s.Duration {
				return 0
			}
			f := float64(elapsed-p.starts[i]) / float64(s.Duration)
			return s.From + (s.To-s.From)*f
		}
	}
	return 0
}

// String describes the schedule, e.g. "0→8/s over 5s, 8/s for 15s".
func (p *StagesPacer) String() string {
	s := ""
	for i, st := range p.stages {
		if i > 0 {
			s += ", "
		}
		if st.From == st.To {
			s += fmt.Sprintf("%g/s for %v", st.From, st.Duration)
		} else {
			s += fmt.Sprintf("%g→%g/s over %v", st.From, st.To, st.Duration)
		}
	}
	return s
}
