package capacity

import (
	"math"
)

// point is every SLO probe at one load, pooled.
type point struct {
	load          float64
	share         share
	verdict       ProbeVerdict
	binding       string
	iv            Estimate
	forced        ProbeVerdict // when set, a verdict the attainment cannot change
	forcedBinding string
}

// rateOf returns the load of a probe in the search's control unit.
func (s *search) rateOf(pr Probe) float64 {
	if pr.Control == s.cfg.Control {
		return pr.Load
	}
	return pr.Achieved // a one-user feasibility probe of a rate search
}

// addPoint pools a probe's share at its load and re-judges every point
// (a new point changes the autocorrelation floor of those above it).
func (s *search) addPoint(load float64, sh share, pr Probe) {
	pt := s.pointAt(load)
	if pt == nil {
		pt = &point{load: load}
		s.points = append(s.points, pt)
	}
	pt.share.add(sh)
	// A backlog, a generator that fell behind or a failed constraint stick
	// to the point whatever the pooled attainment says.
	switch {
	case pr.Verdict == Unstable || pr.Verdict == Aborted:
		pt.forced, pt.forcedBinding = pr.Verdict, "backlog grows"
	case pr.Verdict == Fail && pr.constraint:
		pt.forced, pt.forcedBinding = Fail, pr.Binding
	}
	for _, p := range s.points {
		s.rejudge(p)
	}
}

// rejudge sets a point's interval and verdict from its pooled share.
func (s *search) rejudge(pt *point) {
	pt.iv = pt.share.floored(s.iactBelow(pt.load)).interval(s.cfg.Confidence)
	n, _ := pt.share.count()
	pt.verdict = s.verdict(pt.iv, n)
	pt.binding = s.binding(pt.share)
	if pt.forced != "" {
		pt.verdict, pt.binding = pt.forced, pt.forcedBinding
	}
}

// iactBelow returns the largest autocorrelation time of the points at
// loads below load (1 when there are none).
func (s *search) iactBelow(load float64) float64 {
	f := 1.0
	for _, pt := range s.points {
		if pt.load < load {
			f = max(f, pt.share.iact())
		}
	}
	return f
}

// pointAt returns the pooled point at load (within a relative 1e-9).
func (s *search) pointAt(load float64) *point {
	for _, pt := range s.points {
		if math.Abs(pt.load-load) <= 1e-9*math.Max(1, load) {
			return pt
		}
	}
	return nil
}

// ceiling returns the load above which no steady state is possible: the
// capacity (Rate) or the saturating users (Users), capped by Config.Max.
func (s *search) ceiling() float64 {
	hi := s.res.Capacity.Load
	if s.cfg.Control == Users {
		hi = s.res.Capacity.Hi
	}
	if s.cfg.Max > 0 && (hi <= 0 || s.cfg.Max < hi) {
		hi = s.cfg.Max
	}
	return hi
}

// bracket returns [highest pass below the lowest failure, lowest failure
// above the highest pass]: where the SLO-max load lies. Conflicting
// verdicts (a pass above a fail, from noise) widen it to hold them all.
func (s *search) bracket() (lo, hi float64) {
	hi = s.ceiling()
	minFail := hi
	maxPass := 0.0
	for _, pt := range s.points {
		switch pt.verdict {
		case Fail, Unstable:
			minFail = min(minFail, pt.load)
		case Pass:
			maxPass = max(maxPass, pt.load)
		}
	}
	for _, pt := range s.points {
		if pt.verdict == Pass && pt.load < minFail {
			lo = max(lo, pt.load)
		}
		if (pt.verdict == Fail || pt.verdict == Unstable) && pt.load > maxPass {
			hi = min(hi, pt.load)
		}
	}
	if lo == 0 {
		lo = s.floor()
	}
	return lo, hi
}

// floor returns the lowest load of the search: the feasibility probe's.
func (s *search) floor() float64 {
	lo := math.Inf(1)
	for _, pt := range s.points {
		lo = min(lo, pt.load)
	}
	if math.IsInf(lo, 1) {
		return 0
	}
	return lo
}

// fitPoints returns the pooled points with an attainment, for the fit.
func (s *search) fitPoints() []fitPoint {
	var pts []fitPoint
	for _, pt := range s.points {
		n, _ := pt.share.count()
		if n == 0 || pt.forced != "" || math.IsNaN(pt.iv.Est) {
			continue
		}
		w := min(pt.share.floored(s.iactBelow(pt.load)).neff, float64(n))
		pts = append(pts, fitPoint{load: pt.load, z: failShare(pt.iv.Est*w, w, s.cfg.Attainment), w: w})
	}
	return pts
}

// interval returns the SLO-max estimate and its interval. The estimate is
// where the isotonic fit of attainment over every probe crosses the
// target; the interval is the bootstrap interval of that crossing, kept
// inside the verdicts' bracket (the bracket alone when they disagree). An
// estimate outside the bracket is taken at the bracket's middle.
func (s *search) interval() (est, lo, hi float64) {
	blo, bhi := s.bracket()
	fit := s.fitPoints()
	est, ok := crossing(isotonic(fit), math.Log(1-s.cfg.Attainment))
	if !ok || est < blo || est > bhi {
		est = (blo + bhi) / 2
	}
	var bs []bootstrapPoint
	for _, p := range fit {
		bs = append(bs, bootstrapPoint{load: p.load, iv: s.pointAt(p.load).iv, n: p.w})
	}
	lo, hi = blo, bhi
	if len(bs) > 0 {
		clo, chi := crossingInterval(bs, s.cfg.Attainment, s.cfg.Confidence, s.floor(), s.ceiling(), s.rng)
		// The bootstrap sees the noise of each probe, not the error of
		// interpolating between two: the interval spans at least the
		// probes on either side of the crossing.
		if below, above, ok := straddle(isotonic(fit), math.Log(1-s.cfg.Attainment)); ok {
			clo, chi = min(clo, below), max(chi, above)
		}
		if clo < bhi && chi > blo {
			lo, hi = max(lo, clo), min(hi, chi)
		}
	}
	if s.cfg.Control == Users {
		est, lo, hi = math.Floor(est), math.Floor(lo), math.Ceil(hi)
	}
	return est, min(lo, est), max(hi, est)
}

// answer fills Findings.SLOMax from the points.
func (s *search) answer() {
	m := &s.res.SLOMax
	if len(s.points) == 0 {
		return
	}
	m.Load, m.Lo, m.Hi = s.interval()
	m.Found = m.Load > 0
	// Nothing failed below the ceiling and the fit never crosses the
	// target: the probes show only how high the load goes at least. The
	// answer is then that lower end, not a guess between it and the
	// capacity.
	if _, bhi := s.bracket(); bhi >= s.ceiling() {
		if _, ok := crossing(isotonic(s.fitPoints()), math.Log(1-s.cfg.Attainment)); !ok {
			m.AtLeast, m.Load = true, m.Lo
		}
	}
	m.Sessions = m.Load
	if s.cfg.Control == Users {
		// Sessions/s at the answer: the throughput of a probe there.
		m.Sessions = math.NaN()
		for _, pr := range s.res.Probes {
			if pr.Control == Users && pr.Load == m.Load {
				m.Sessions = pr.Achieved
			}
		}
	}
	m.Messages = m.Sessions * s.res.MessagesPerSession
	// What binds: the failures nearest above the answer.
	m.Binding = "capacity"
	best := math.Inf(1)
	for _, pt := range s.points {
		if pt.load >= m.Load && pt.load < best && pt.binding != "" &&
			(pt.verdict == Fail || pt.verdict == Unstable || pt.verdict == Unresolved) {
			best, m.Binding = pt.load, pt.binding
		}
	}
	// Steady at the answer: the probe nearest it (the confirmation, when
	// one ran), the latest of equals.
	best = math.Inf(1)
	for _, pr := range s.res.Probes {
		if d := math.Abs(pr.Load - m.Load); pr.Control == s.cfg.Control && pr.Kind != KindFeasibility && pr.Messages > 0 && d <= best {
			best, s.res.Steady = d, pr.Steady
		}
	}
	if m.AtLeast {
		m.Note = "no probe failed and none fell below the target: the SLO-max is at least this, and at most the capacity"
	}
	if s.res.GeneratorSaturated != "" {
		m.Note = "the load generator fell behind above the probes shown (" + s.res.GeneratorSaturated + "): higher loads were not measured"
	}
}

// fullInside counts the SLO probes in [lo, hi] that ran at least two
// thirds of the full length.
func (s *search) fullInside(lo, hi float64) int {
	n := 0
	for _, pr := range s.res.Probes {
		if pr.Control == s.cfg.Control && pr.Kind != KindFeasibility && pr.Load >= lo && pr.Load <= hi &&
			pr.Elapsed >= s.cfg.ProbeDuration*2/3 {
			n++
		}
	}
	return n
}

// narrow reports whether [lo, hi] is narrower than the relative width w
// (for users, when no whole number lies strictly inside).
func (s *search) narrow(lo, hi, w float64) bool {
	if s.cfg.Control == Users && hi-lo <= 1 {
		return true
	}
	return (hi-lo)/((lo+hi)/2) <= w
}
