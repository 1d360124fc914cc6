package capacity

import (
	"math"
	"time"
)

// MMc is an M/M/c queue: Poisson arrivals, C servers each serving at rate
// Mu per second with exponential service times, one FIFO line. A mock with
// capacity C and exponential service (loadgen mock -capacity C -ttft 0
// -tokens 2 -token-interval exp:MEAN) is one, which gives a sweep a known
// answer: its capacity is C·Mu, and the waiting time has Erlang C's closed
// form, P(Wq > t) = C(c, λ/μ)·e^{−(cμ−λ)t}.
type MMc struct {
	C  int
	Mu float64
}

// Capacity returns the maximum throughput, C·Mu per second (the
// utilisation law: X_max = c/E[S]).
func (q MMc) Capacity() float64 { return float64(q.C) * q.Mu }

// ErlangC returns the probability that an arrival waits, at arrival rate
// lambda < Capacity (1 at or above it).
func (q MMc) ErlangC(lambda float64) float64 {
	a := lambda / q.Mu
	c := float64(q.C)
	if a >= c {
		return 1
	}
	// Erlang B by its stable recursion, then C = c·B / (c − a·(1 − B)).
	b := 1.0
	for k := 1; k <= q.C; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return c * b / (c - a*(1-b))
}

// WaitTail returns P(Wq > t): the share of arrivals that wait longer than t
// for a server.
func (q MMc) WaitTail(lambda float64, t time.Duration) float64 {
	if lambda >= q.Capacity() {
		return 1
	}
	return q.ErlangC(lambda) * math.Exp(-(q.Capacity()-lambda)*t.Seconds())
}

// MaxRate returns the highest arrival rate at which a share attainment of
// arrivals wait at most t: the SLO-max rate of an objective on the wait
// (with the mock above, on TTFT).
func (q MMc) MaxRate(t time.Duration, attainment float64) float64 {
	lo, hi := 0.0, q.Capacity()
	for range 200 {
		mid := (lo + hi) / 2
		if 1-q.WaitTail(mid, t) >= attainment {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}
