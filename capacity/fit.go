package capacity

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/loadgen/loadgen/internal/statmath"
)

// The fit works on z = log(share of messages that fail the objectives),
// which rises with load. Queueing makes that share grow about
// exponentially with load near the knee (for M/M/c exactly: the share
// waiting longer than t is C(c, λ/μ)·e^{−(cμ−λ)t}), so z is close to
// linear there and interpolating it between two probes places the
// crossing far better than interpolating the attainment itself, whose
// curve bends down sharply: a chord from a probe at 99.7 % to one at
// 92.7 % crosses 95 % some 6 % below where an M/M/8 queue does.

// fitPoint is one load with its measured log failure share and weight.
type fitPoint struct {
	load, z, w float64
}

// failShare returns the log failure share of good out of n (effective)
// messages, where a share of target must be good, with the Jeffreys
// half-counts, (bad + ½)/(n + 1), which keep the log finite at n/n — but a
// point without failures never at or above the share the target allows:
// ten good messages out of ten say little, and must not read as failing
// more than the target.
func failShare(good, n, target float64) float64 {
	f := (n - good + 0.5) / (n + 1)
	if good >= n {
		f = minFail(n, target)
	}
	return math.Log(f)
}

// minFail is the failure share taken for a point without failures.
func minFail(n, target float64) float64 {
	return min(0.5/(n+1), 0.9*(1-target))
}

// isotonic fits a non-decreasing step function to the points by weighted
// least squares (pool adjacent violators): the failure share cannot fall
// as load rises, so where noise makes it fall the neighbours are pooled.
// It returns the fitted points sorted by load.
func isotonic(pts []fitPoint) []fitPoint {
	pts = slices.Clone(pts)
	slices.SortFunc(pts, func(a, b fitPoint) int { return cmp.Compare(a.load, b.load) })
	type block struct {
		sum, w float64
		n      int
	}
	var blocks []block
	for _, p := range pts {
		blocks = append(blocks, block{p.z * p.w, p.w, 1})
		for len(blocks) > 1 {
			a, b := blocks[len(blocks)-2], blocks[len(blocks)-1]
			if a.sum/a.w <= b.sum/b.w {
				break
			}
			blocks = append(blocks[:len(blocks)-2], block{a.sum + b.sum, a.w + b.w, a.n + b.n})
		}
	}
	i := 0
	for _, b := range blocks {
		for range b.n {
			pts[i].z = b.sum / b.w
			i++
		}
	}
	return pts
}

// crossing returns the load where the fitted, non-decreasing curve through
// pts (sorted by load) reaches zt, interpolating linearly between the last
// point at or below it and the first above. It reports false when the
// curve never crosses (all below, or all above).
func crossing(pts []fitPoint, zt float64) (float64, bool) {
	for i := 1; i < len(pts); i++ {
		a, b := pts[i-1], pts[i]
		if a.z <= zt && b.z > zt {
			f := (zt - a.z) / (b.z - a.z)
			return a.load + f*(b.load-a.load), true
		}
	}
	return math.NaN(), false
}

// straddle returns the loads of the fitted points on either side of the
// crossing of zt, or false when the curve does not cross.
func straddle(pts []fitPoint, zt float64) (below, above float64, ok bool) {
	for i := 1; i < len(pts); i++ {
		if pts[i-1].z <= zt && pts[i].z > zt {
			return pts[i-1].load, pts[i].load, true
		}
	}
	return 0, 0, false
}

// bootstrapPoint is a pooled point with its attainment interval, for the
// bootstrap of the crossing.
type bootstrapPoint struct {
	load float64
	iv   Estimate // the attainment and its interval at the bootstrap's confidence
	n    float64  // effective messages: bounds how close to 1 a draw may come
}

// crossingInterval returns the interval of the load where attainment falls
// to target, at confidence conf, by a parametric bootstrap of the isotonic
// fit: each replicate draws every point's attainment from a split normal
// whose two halves reach the ends of the point's own interval at conf
// (attainment under load is skewed: calm stretches and bursts of failures,
// so the interval is lopsided and the draws keep its shape), refits on
// the log failure share, and finds the crossing; a replicate that stays
// below the target everywhere crosses at ceil, one above everywhere at
// floor. The interval is the replicates' central conf share.
func crossingInterval(pts []bootstrapPoint, target, conf, floor, ceil float64, rng *rand.Rand) (lo, hi float64) {
	const reps = 400
	z := statmath.NormalQuantile(1 - (1-conf)/2)
	zt := math.Log(1 - target)
	xs := make([]float64, 0, reps)
	fit := make([]fitPoint, len(pts))
	for range reps {
		for i, p := range pts {
			u := rng.NormFloat64()
			a := p.iv.Est + u*(p.iv.Est-p.iv.Lo)/z
			if u > 0 {
				a = p.iv.Est + u*(p.iv.Hi-p.iv.Est)/z
			}
			a = min(max(a, 0), 1-minFail(p.n, target))
			fit[i] = fitPoint{load: p.load, z: math.Log(1 - a), w: p.n}
		}
		f := isotonic(fit)
		x, ok := crossing(f, zt)
		switch {
		case ok:
		case len(f) > 0 && f[0].z > zt:
			x = floor
		default:
			x = ceil
		}
		xs = append(xs, x)
	}
	slices.Sort(xs)
	tail := (1 - conf) / 2
	return xs[int(tail*reps)], xs[min(reps-1, int((1-tail)*reps))]
}
