package runner

import (
	"math/rand/v2"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// PoissonPacer is a StagesPacer's schedule with Poisson arrivals: hits come
// at random, independently, at the schedule's rate at each moment (a
// non-homogeneous Poisson process). Evenly spaced arrivals hide queueing
// until the knee; real users arrive like this.
//
// It is exact in expectation: the number of hits by any time t has mean
// (and variance) HitsBy(t) of the underlying schedule, for constant rates,
// ramps and stages alike. Hit n is due at Λ⁻¹(E₀ + … + Eₙ), where Λ is
// the schedule's HitsBy and the Eᵢ are independent exponential draws of
// mean 1 from a source seeded with the seed: the time change of a unit-rate
// Poisson process. The same seed gives the same arrivals.
//
// At and Pace are cheapest when asked for hits in increasing order (as the
// runner and vegeta do); asking for an earlier hit replays the draws from
// the start. A PoissonPacer is safe for concurrent use.
type PoissonPacer struct {
	base *StagesPacer
	seed uint64

	mu   sync.Mutex // guards the cursor below: the draws so far
	rng  *rand.Rand
	next uint64  // the hit whose time sum holds
	sum  float64 // E₀ + … + E_{next−1}: the unit-rate arrival time of hit next−1
}

var _ vegeta.Pacer = (*PoissonPacer)(nil)

// NewPoissonPacer returns Poisson arrivals at the rate of base, drawn from
// a source seeded with seed.
func NewPoissonPacer(base *StagesPacer, seed uint64) *PoissonPacer {
	p := &PoissonPacer{base: base, seed: seed}
	p.rewind()
	return p
}

// rewind restarts the draws from hit 0. p.mu must be held (or p unshared).
func (p *PoissonPacer) rewind() {
	p.rng = rand.New(rand.NewPCG(p.seed, p.seed^0x5851f42d4c957f2d))
	p.next, p.sum = 0, 0
}

// At returns when hit n (counting from 0) is due, measured from the start of
// the schedule, or false when it falls at or after the schedule's end.
func (p *PoissonPacer) At(n uint64) (time.Duration, bool) {
	p.mu.Lock()
	if p.next > n+1 {
		p.rewind() // an earlier hit than the last one asked for
	}
	for p.next <= n {
		p.sum += p.rng.ExpFloat64()
		p.next++
	}
	want := p.sum
	p.mu.Unlock()
	return p.base.timeOf(want)
}

// Pace implements vegeta.Pacer: the wait until hit number hits is due.
func (p *PoissonPacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	return paceAt(p.At, elapsed, hits)
}

// Rate implements vegeta.Pacer: the schedule's rate at elapsed, which is the
// Poisson process's intensity (its expected hits per second).
func (p *PoissonPacer) Rate(elapsed time.Duration) float64 { return p.base.Rate(elapsed) }

// Duration returns the schedule's total length.
func (p *PoissonPacer) Duration() time.Duration { return p.base.Duration() }

// Hold returns when the schedule's final constant rate begins (see
// StagesPacer.Hold).
func (p *PoissonPacer) Hold() time.Duration { return p.base.Hold() }

// HitsBy returns the expected number of hits from the start to elapsed.
func (p *PoissonPacer) HitsBy(elapsed time.Duration) float64 { return p.base.HitsBy(elapsed) }

// String describes the schedule, e.g. "Poisson, 8/s for 20s".
func (p *PoissonPacer) String() string { return "Poisson, " + p.base.String() }
