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
	"2000 times, and p is the share of deals whose statistic (a message-weighted mean of interval " +
	"percentiles, or total errors over total requests) differs between the groups at least as much as " +
	"between the runs. In the table a change is beyond noise when p stays below 0.05 after the " +
	"Holm-Bonferroni correction for the number of metrics tested, so two runs of one configuration are " +
	"flagged at most 5% of the time; a --fail-on rule, chosen in advance, uses p < 0.05 alone. " +
	"Metrics without per-interval data (only some are kept per interval), or runs with fewer than 5 " +
	"intervals, have no noise estimate."

// Verdicts of a change.
const (
	BeyondNoise = "beyond noise"
	WithinNoise = "within noise"
	NoEstimate  = "no estimate"
	NoChange    = "no change" // both runs have the same value and nothing to test
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
	Metric  string
	Unit    string
	Base    float64
	New     float64
	Rel     float64 // new/base − 1; NaN when the baseline is 0 and the new value is not
	P       float64 // permutation-test p-value of the per-interval statistic; NaN without an estimate
	Verdict string  // BeyondNoise, WithinNoise, NoEstimate or NoChange
	Worse   bool    // the change goes the bad way for this metric
	Samples [2]int  // intervals with data in each run
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
// verdict for each (NoiseMethod), then applies the rules.
func Compare(base, new *Summary, rules ...*Rule) *Comparison {
	c := &Comparison{Baseline: label(base), New: label(new), Method: NoiseMethod, Rules: []RuleOutcome{}}
	for _, path := range compareMetrics {
		m, err := parseMetric(path)
		if err != nil {
			panic("report: bad built-in metric " + path) // a programming error, caught by tests
		}
		_, nb := m.get(base)
		_, nn := m.get(new)
		if nb == 0 && nn == 0 {
			continue
		}
		c.Changes = append(c.Changes, compareMetric(m, base, new))
	}
	holm(c.Changes, noiseAlpha)
	for _, r := range rules {
		c.Rules = append(c.Rules, r.apply(compareMetric(r.metric, base, new)))
	}
	return c
}

// Failed reports whether any rule failed.
func (c *Comparison) Failed() bool {
	return slices.ContainsFunc(c.Rules, func(r RuleOutcome) bool { return !r.Pass })
}

func label(s *Summary) string {
	if s.RunID != "" {
		return s.RunID
	}
	return s.Scenario
}

func compareMetric(m *metric, base, new *Summary) Change {
	vb, _ := m.get(base)
	vn, _ := m.get(new)
	ch := Change{Metric: m.path, Unit: m.unit, Base: vb, New: vn, Rel: relChange(vb, vn), P: math.NaN(), Verdict: NoEstimate}
	ch.Worse = vn != vb && (vn > vb) != higherIsBetter(m.path)
	sb, sn := intervalSamples(m.path, base), intervalSamples(m.path, new)
	ch.Samples = [2]int{len(sb), len(sn)}
	if len(sb) < 5 || len(sn) < 5 {
		return ch
	}
	ch.P = permutationP(sb, sn, rand.New(rand.NewPCG(1, uint64(len(m.path)))))
	if math.IsNaN(ch.P) {
		if vb == vn {
			ch.Verdict = NoChange
		}
		return ch
	}
	ch.Verdict = WithinNoise
	if ch.P < noiseAlpha {
		ch.Verdict = BeyondNoise
	}
	return ch
}

// noiseAlpha is the false-alarm rate of a noise verdict.
const noiseAlpha = 0.05

// holm re-judges the verdicts of changes tested together so that, when
// nothing changed, the chance of any "beyond noise" stays below alpha.
func holm(changes []Change, alpha float64) {
	var tested []*Change
	for i := range changes {
		if !math.IsNaN(changes[i].P) {
			tested = append(tested, &changes[i])
		}
	}
	slices.SortStableFunc(tested, func(a, b *Change) int { return cmpFloat(a.P, b.P) })
	rejecting := true
	for i, ch := range tested {
		rejecting = rejecting && ch.P <= alpha/float64(len(tested)-i)
		ch.Verdict = WithinNoise
		if rejecting {
			ch.Verdict = BeyondNoise
		}
	}
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

// permutationP tests whether T = Σnum/Σden differs between a and b: blocks
// of consecutive intervals of both are pooled and dealt at random into two
// groups of the original sizes; p is the share of deals (counting the
// observed one) whose |log T1/T2| is at least the observed one.
func permutationP(a, b []sample, rng *rand.Rand) float64 {
	size := max(1, int(math.Round(math.Cbrt(float64(min(len(a), len(b)))))))
	ba, bb := blocks(a, size), blocks(b, size)
	pool := append(append([]sample{}, ba...), bb...)
	stat := func(x, y []sample) float64 { return math.Abs(math.Log(ratioOf(x) / ratioOf(y))) }
	observed := stat(ba, bb)
	if math.IsNaN(observed) || math.IsInf(observed, 0) {
		return math.NaN()
	}
	hits := 1
	for range permutations {
		rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
		if s := stat(pool[:len(ba)], pool[len(ba):]); s >= observed-1e-12 || math.IsNaN(s) {
			hits++
		}
	}
	return float64(hits) / float64(permutations+1)
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
