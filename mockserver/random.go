package mockserver

import (
	"math/rand/v2"
	"sync"
)

// randSource is where the mock's model draws its randomness: the latency
// model (TTFT, token gaps, token counts, async delay) and every share
// (faults, human handoffs, data parts, tool steps, split parts). A nil
// *randSource draws from math/rand/v2's global source; a seeded one (see
// Config.Seed) gives the same sequence of draws for the same seed, so a
// mock with exponential service and capacity c is a reproducible M/M/c
// queue. Requests still take their draws in the order they arrive, so
// concurrent runs match in distribution, not request by request. Safe for
// concurrent use.
type randSource struct {
	mu sync.Mutex // guards r: *rand.Rand is not safe for concurrent use; held for one draw
	r  *rand.Rand
}

// newRandSource returns a source seeded with seed, or nil (the global
// source) when seed is 0.
func newRandSource(seed uint64) *randSource {
	if seed == 0 {
		return nil
	}
	return &randSource{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Float64 returns a number in [0, 1).
func (s *randSource) Float64() float64 {
	if s == nil {
		return rand.Float64()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.r.Float64()
}

// NormFloat64 returns a standard normal number.
func (s *randSource) NormFloat64() float64 {
	if s == nil {
		return rand.NormFloat64()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.r.NormFloat64()
}

// ExpFloat64 returns an exponential number with mean 1.
func (s *randSource) ExpFloat64() float64 {
	if s == nil {
		return rand.ExpFloat64()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.r.ExpFloat64()
}

// IntN returns a number in [0, n); n > 0.
func (s *randSource) IntN(n int) int {
	if s == nil {
		return rand.IntN(n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.r.IntN(n)
}

// chance reports true with probability p; it draws nothing when p is 0 or 1.
func (s *randSource) chance(p float64) bool {
	return p > 0 && (p >= 1 || s.Float64() < p)
}
