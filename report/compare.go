package report

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// NoiseMethod says how Compare judges noise; reports print it.
const NoiseMethod = "Noise: a permutation test on the per-interval values of the two runs. " +
	"Consecutive intervals are grouped into blocks (about n^(1/3) intervals each, to respect " +
	"autocorrelation), the blocks of both runs are pooled and dealt at random into two groups " +
	"2000 times, and the test's p is the share of deals whose statistic (a message-weighted mean of " +
	"interval percentiles, or total errors over total requests) differs between the groups at least as " +
	"much as between the runs. The p shown is Holm-Bonferroni adjusted within its family: the metrics " +
	"that --fail-on rules name (chosen in advance) are one family, the other metrics another, so two runs " +
	"of one configuration are flagged at most 5% of the time in each. A change is beyond noise when the " +
	"p shown is below 0.05, in the table and for a rule alike. \"detectable\" is the smallest change of " +
	"the statistic that these runs' length and noise could flag (at the strictest Holm step); " +
	"\"none\" means the runs are too short for any change to be beyond noise. Metrics without " +
	"per-interval data (only some are kept per interval), or runs with fewer than 5 intervals, have no " +
	"noise estimate."

// Verdicts of a change.
const (
	BeyondNoise = "beyond noise"
	WithinNoise = "within noise"
	NoEstimate  = "no estimate"
	NoChange    = "no change"  // both runs have the same value and nothing to test
	NoSamples   = "no samples" // a run has no samples of the metric: nothing measured it
)

// Comparison is the result of Compare.
type Comparison struct {
	Baseline string        `json:"baseline"` // run id (or scenario) of each side
	New      string        `json:"new"`
	Changes  []Change      `json:"changes"`
	Rules    []RuleOutcome `json:"rules"`
	Method   string        `json:"noise_method"`
}

// Change is one metric compared. Its JSON form writes NaN as null.
type Change struct {
	Metric string
	Unit   string
	Base   float64
	New    float64
	Rel    float64 // new/base − 1; NaN when the baseline is 0 and the new value is not
	// P is the p-value the verdict rests on: the permutation test's (PRaw)
	// Holm-adjusted within the metric's family (Ruled or not); NaN
	// without an estimate.
	P     float64
	PRaw  float64
	Ruled bool // a --fail-on rule names the metric: it is judged in the rules' family
	// Detectable is the smallest relative change of the metric's
	// per-interval statistic that the test could flag with these runs (at
	// the strictest Holm step of its family); NaN when none could be (too
	// few intervals) or without an estimate.
	Detectable float64
	Verdict    string    // BeyondNoise (P < 0.05), WithinNoise, NoEstimate, NoChange or NoSamples
	Worse      bool      // the change goes the bad way for this metric
	Samples    [2]int    // intervals with data in each run
	Observed   [2]int64  // the metric's samples in each run (0: nothing measured it; Verdict NoSamples)
	null       []float64 // the permutation distribution of the statistic, largest first
}

// compareMetrics are the metrics Compare reports, when either run has data.
var compareMetrics = []string{
	"message.ttft.p50", "message.ttft.p95", "message.ttft.p99",
	"message.latency.p50", "message.latency.p95", "message.latency.p99",
	"message.ttfb.p95", "message.inter_token.p95", "message.tpot.p50",
	"message.errors.rate", "message.goodput",
	"session.latency.p50", "session.latency.p95", "session.latency.p99", "session.errors.rate",
	"conversation.latency.p50", "conversation.latency.p95", "conversation.latency.p99", "conversation.errors.rate",
	"poll.latency.p50", "poll.latency.p95", "poll.latency.p99", "poll.errors.rate",
	"errors.rate", "requests.per_second", "schedule.lag.p99",
}

// Compare compares new against base, metric by metric, with a noise
// verdict for each (NoiseMethod), then applies the rules. Every metric a
// rule names has a row, judged as the rule is.
func Compare(base, new *Summary, rules ...*Rule) *Comparison {
	c := &Comparison{Baseline: label(base), New: label(new), Method: NoiseMethod, Rules: []RuleOutcome{}}
	ruled := map[string]*metric{}
	for _, r := range rules {
		ruled[r.Metric] = r.metric
	}
	paths := slices.Clone(compareMetrics)
	for _, r := range rules {
		if !slices.Contains(paths, r.Metric) {
			paths = append(paths, r.Metric)
		}
	}
	for _, path := range paths {
		m := ruled[path]
		if m == nil {
			var merr *metricError
			if m, merr = parseMetric(path); merr != nil {
				panic("report: bad built-in metric " + path) // a programming error, caught by tests
			}
		}
		_, nb := m.get(base)
		_, nn := m.get(new)
		if nb == 0 && nn == 0 && m != ruled[path] {
			continue
		}
		ch := compareMetric(m, base, new)
		ch.Ruled = m == ruled[path]
		c.Changes = append(c.Changes, ch)
	}
	for _, ruledFamily := range []bool{true, false} {
		var family []*Change
		for i := range c.Changes {
			if c.Changes[i].Ruled == ruledFamily {
				family = append(family, &c.Changes[i])
			}
		}
		holm(family, noiseAlpha)
	}
	for _, r := range rules {
		i := slices.IndexFunc(c.Changes, func(ch Change) bool { return ch.Metric == r.Metric })
		c.Rules = append(c.Rules, r.apply(c.Changes[i]))
	}
	return c
}

// Failed reports whether any rule failed.
func (c *Comparison) Failed() bool {
	return slices.ContainsFunc(c.Rules, func(r RuleOutcome) bool { return !r.Pass })
}

// TooShort reports whether some metric had a noise estimate but no change
// of it could have been beyond noise: the runs have too few intervals.
func (c *Comparison) TooShort() bool {
	return slices.ContainsFunc(c.Changes, func(ch Change) bool { return !math.IsNaN(ch.PRaw) && math.IsNaN(ch.Detectable) })
}

func label(s *Summary) string {
	if s.RunID != "" {
		return s.RunID
	}
	return s.Scenario
}

// compareMetric measures the change of one metric and runs its noise test;
// holm then judges it within its family.
func compareMetric(m *metric, base, new *Summary) Change {
	vb, nb := m.get(base)
	vn, nn := m.get(new)
	ch := Change{Metric: m.path, Unit: m.unit, Base: vb, New: vn, Rel: relChange(vb, vn),
		P: math.NaN(), PRaw: math.NaN(), Detectable: math.NaN(), Verdict: NoEstimate, Observed: [2]int64{nb, nn}}
	if nb == 0 || nn == 0 {
		ch.Verdict, ch.Rel = NoSamples, math.NaN()
		return ch
	}
	ch.Worse = vn != vb && (vn > vb) != higherIsBetter(m.path)
	sb, sn := intervalSamples(m.path, base), intervalSamples(m.path, new)
	ch.Samples = [2]int{len(sb), len(sn)}
	if len(sb) < 5 || len(sn) < 5 {
		return ch
	}
	ch.PRaw, ch.null = permutationTest(sb, sn, rand.New(rand.NewPCG(1, uint64(len(m.path)))))
	if math.IsNaN(ch.PRaw) && vb == vn {
		ch.Verdict = NoChange
	}
	return ch
}

// noiseAlpha is the false-alarm rate of a noise verdict.
const noiseAlpha = 0.05

// holm judges a family of changes tested together: each P becomes its
// Holm-adjusted p-value, beyond noise when below alpha, so that when
// nothing changed the chance of any "beyond noise" in the family stays
// below alpha. Detectable is set at the strictest step, alpha / tests.
func holm(family []*Change, alpha float64) {
	var tested []*Change
	for _, ch := range family {
		if !math.IsNaN(ch.PRaw) {
			tested = append(tested, ch)
		}
	}
	slices.SortStableFunc(tested, func(a, b *Change) int { return cmpFloat(a.PRaw, b.PRaw) })
	adjusted := 0.0
	for i, ch := range tested {
		adjusted = min(1, max(adjusted, float64(len(tested)-i)*ch.PRaw))
		ch.P = adjusted
		ch.Verdict = WithinNoise
		if ch.P < alpha {
			ch.Verdict = BeyondNoise
		}
		ch.Detectable = detectable(ch.null, alpha/float64(len(tested)))
		ch.null = nil
	}
}

// detectable returns the smallest relative change of a ratio statistic
// whose permutation p-value can fall below level, given the permutation
// distribution null of |log T1/T2| (largest first); NaN when none can,
// because no deal of these intervals is extreme enough.
func detectable(null []float64, level float64) float64 {
	k := int(math.Floor(level*float64(len(null)+1))) - 1 // deals allowed at or beyond the observed value
	if k < 0 || k >= len(null) || null[k] >= null[0]-1e-12 {
		return math.NaN()
	}
	return math.Expm1(null[k])
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func relChange(base, new float64) float64 {
	if base == 0 {
		if new == 0 {
			return 0
		}
		return math.NaN()
	}
	return new/base - 1
}

func higherIsBetter(path string) bool {
	for _, suffix := range []string{"goodput", "per_second", "achieved_rate", "achieved_ratio", "completed", "completed.rate"} {
		if strings.HasSuffix(path, suffix) {
			return true
		}
	}
	return false
}

// sample is one interval's contribution to a ratio statistic Σnum / Σden.
type sample struct{ num, den float64 }

// intervalSamples returns the per-interval samples of a metric, nil when
// the summary has none for it.
func intervalSamples(path string, s *Summary) []sample {
	if s.Series == nil {
		return nil
	}
	f := pointSampler(path, s.Series.IntervalS)
	if f == nil {
		return nil
	}
	var out []sample
	for i := range s.Series.Points {
		if x, ok := f(&s.Series.Points[i]); ok {
			out = append(out, x)
		}
	}
	return out
}

// pointSampler returns what one Point contributes to a metric's
// per-interval statistic, nil for a metric the series does not keep.
func pointSampler(path string, per float64) func(p *Point) (sample, bool) {
	// A percentile: the mean of interval percentiles weighted by count.
	quantile := func(get func(p *Point) (v float64, n int64)) func(p *Point) (sample, bool) {
		return func(p *Point) (sample, bool) {
			v, n := get(p)
			return sample{v * float64(n), float64(n)}, n > 0 && v > 0
		}
	}
	// A share: the sum of numerators over the sum of denominators.
	share := func(get func(p *Point) (num, den int64)) func(p *Point) (sample, bool) {
		return func(p *Point) (sample, bool) {
			num, den := get(p)
			return sample{float64(num), float64(den)}, den > 0
		}
	}
	stepOf := func(p *Point, name string) PointStep {
		if st := p.Steps[name]; st != nil {
			return *st
		}
		return PointStep{}
	}
	segs := strings.Split(path, ".")
	switch {
	case path == "message.goodput":
		return share(func(p *Point) (int64, int64) { return p.Good, p.Messages })
	case path == "message.errors.rate":
		return share(func(p *Point) (int64, int64) { return p.MessageErrors, p.Messages })
	case path == "errors.rate":
		return share(func(p *Point) (int64, int64) { return p.Errors, p.Requests })
	case path == "requests.per_second":
		return func(p *Point) (sample, bool) { return sample{float64(p.Requests) / per, 1}, true }
	case len(segs) == 3 && segs[0] == "message" && (segs[1] == "ttft" || segs[1] == "latency"):
		ttft := segs[1] == "ttft"
		var pick func(p *Point) float64
		switch segs[2] {
		case "p50":
			pick = func(p *Point) float64 { return choose(ttft, p.TTFTP50, p.LatencyP50) }
		case "p95":
			pick = func(p *Point) float64 { return choose(ttft, p.TTFTP95, p.LatencyP95) }
		case "p99":
			pick = func(p *Point) float64 { return choose(ttft, p.TTFTP99, p.LatencyP99) }
		default:
			return nil
		}
		return quantile(func(p *Point) (float64, int64) { return pick(p), p.Messages })
	case len(segs) == 3 && segs[1] == "errors" && segs[2] == "rate" && segs[0] != "message":
		return share(func(p *Point) (int64, int64) { st := stepOf(p, segs[0]); return st.Errors, st.Count })
	case len(segs) == 3 && segs[1] == "latency" && segs[0] != "message":
		var pick func(st PointStep) float64
		switch segs[2] {
		case "p50":
			pick = func(st PointStep) float64 { return st.LatencyP50 }
		case "p95":
			pick = func(st PointStep) float64 { return st.LatencyP95 }
		case "p99":
			pick = func(st PointStep) float64 { return st.LatencyP99 }
		default:
			return nil
		}
		return quantile(func(p *Point) (float64, int64) { st := stepOf(p, segs[0]); return pick(st), st.Count })
	}
	return nil
}

func choose(first bool, a, b float64) float64 {
	if first {
		return a
	}
	return b
}

const permutations = 2000

// permutationTest tests whether T = Σnum/Σden differs between a and b:
// blocks of consecutive intervals of both are pooled and dealt at random
// into two groups of the original sizes; p is the share of deals (counting
// the observed one) whose |log T1/T2| is at least the observed one. It also
// returns the deals' |log T1/T2|, largest first (nil with p NaN, when the
// observed statistic is not a number).
func permutationTest(a, b []sample, rng *rand.Rand) (float64, []float64) {
	size := max(1, int(math.Round(math.Cbrt(float64(min(len(a), len(b)))))))
	ba, bb := blocks(a, size), blocks(b, size)
	pool := append(append([]sample{}, ba...), bb...)
	stat := func(x, y []sample) float64 { return math.Abs(math.Log(ratioOf(x) / ratioOf(y))) }
	observed := stat(ba, bb)
	if math.IsNaN(observed) || math.IsInf(observed, 0) {
		return math.NaN(), nil
	}
	hits := 1
	null := make([]float64, 0, permutations)
	for range permutations {
		rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
		s := stat(pool[:len(ba)], pool[len(ba):])
		if s >= observed-1e-12 || math.IsNaN(s) {
			hits++
		}
		if math.IsNaN(s) {
			s = math.Inf(1)
		}
		null = append(null, s)
	}
	slices.SortFunc(null, func(x, y float64) int { return cmpFloat(y, x) })
	return float64(hits) / float64(permutations+1), null
}

// blocks sums consecutive samples into blocks of size (the last may be
// smaller).
func blocks(xs []sample, size int) []sample {
	var out []sample
	for i := 0; i < len(xs); i += size {
		var blk sample
		for _, x := range xs[i:min(i+size, len(xs))] {
			blk.num += x.num
			blk.den += x.den
		}
		out = append(out, blk)
	}
	return out
}

func ratioOf(xs []sample) float64 {
	var num, den float64
	for _, x := range xs {
		num += x.num
		den += x.den
	}
	return num / den
}
