package capacity

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/loadgen/loadgen/internal/statmath"
)

// Defaults of Config.
const (
	DefaultAttainment    = 0.95
	DefaultConfidence    = 0.95
	DefaultPrecision     = 0.10
	DefaultBudget        = 15 * time.Minute
	DefaultProbeDuration = 30 * time.Second
	DefaultMaxUsers      = 4096
	// lookConfidence is the confidence of the stop checks while a probe
	// runs: stricter than the final verdict's, so that looking several
	// times does not make a wrong early verdict likely.
	lookConfidence = 0.99
	// plateau is the throughput gain below which doubling the users is
	// taken to have saturated the target.
	plateau = 1.10
	// maxProbes bounds the SLO probes of one search.
	maxProbes = 40
)

// Config configures a search. The zero value of a field takes its default.
type Config struct {
	Control Control
	// Attainment is the share of messages that must be good (0.95).
	Attainment float64
	// Objectives names the objectives; bit i of Record.Missed is objective i.
	Objectives []string
	// Confidence is the two-sided confidence of every interval (0.95).
	Confidence float64
	// Precision is the largest relative width of the SLO-max interval the
	// search refines to (0.10); the capacity's interval is refined to a
	// quarter of it.
	Precision float64
	// Budget caps the whole search's time, drains included (15m).
	Budget time.Duration
	// Min and Max bound the load searched (0: from the feasibility probe
	// and the capacity). Min is the feasibility probe's load; with Control
	// Rate and no Min, the feasibility probe is one user (the lowest load
	// there is) and the minimum rate is what that user achieved.
	Min, Max float64
	// ProbeDuration is the full length of a probe (30s); ShortDuration the
	// length after which a probe whose verdict is already clear stops
	// (ProbeDuration/3). Warmup is discarded at the start of each probe
	// (ShortDuration/5). All three are stretched when a session is long
	// against them (40 sessions per short probe at one user).
	ProbeDuration, ShortDuration, Warmup time.Duration
	// MaxUsers bounds the closed-model ramp towards saturation (4096).
	MaxUsers int
	// Seed seeds the bootstrap of the SLO-max interval.
	Seed uint64
	// OnStart is called before each probe, OnProbe after it (a table row).
	OnStart func(Spec)
	OnProbe func(Probe)
}

func (c Config) withDefaults() Config {
	if c.Attainment == 0 {
		c.Attainment = DefaultAttainment
	}
	if c.Confidence == 0 {
		c.Confidence = DefaultConfidence
	}
	if c.Precision == 0 {
		c.Precision = DefaultPrecision
	}
	if c.Budget == 0 {
		c.Budget = DefaultBudget
	}
	if c.ProbeDuration == 0 {
		c.ProbeDuration = DefaultProbeDuration
	}
	if c.ShortDuration == 0 {
		c.ShortDuration = c.ProbeDuration / 3
	}
	if c.Warmup == 0 {
		c.Warmup = c.ShortDuration / 5
	}
	if c.MaxUsers == 0 {
		c.MaxUsers = DefaultMaxUsers
	}
	return c
}

// Validate reports the first bad field of c.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case !(c.Attainment > 0 && c.Attainment < 1):
		return fmt.Errorf("capacity: attainment %g: want a share in (0, 1)", c.Attainment)
	case !(c.Confidence > 0.5 && c.Confidence < 1):
		return fmt.Errorf("capacity: confidence %g: want a share in (0.5, 1)", c.Confidence)
	case !(c.Precision > 0 && c.Precision < 1):
		return fmt.Errorf("capacity: precision %g: want a share in (0, 1)", c.Precision)
	case c.Min < 0 || c.Max < 0 || (c.Max > 0 && c.Max <= c.Min):
		return fmt.Errorf("capacity: range %g..%g: want 0 ≤ min < max", c.Min, c.Max)
	case c.ShortDuration > c.ProbeDuration || c.Warmup >= c.ShortDuration:
		return fmt.Errorf("capacity: probe lengths: want warm-up %v < short %v ≤ full %v", c.Warmup, c.ShortDuration, c.ProbeDuration)
	case len(c.Objectives) > 32:
		return fmt.Errorf("capacity: %d objectives: at most 32", len(c.Objectives))
	}
	return nil
}

// search is the state of one Search.
type search struct {
	cfg     Config
	prober  Prober
	res     Findings
	elapsed time.Duration
	points  []*point // SLO probes pooled by load
	seq     int
	// sloProbes counts the probes of the SLO-max search; aborted the
	// probes aborted in a row (generator saturated).
	sloProbes, aborted int
	rng                *rand.Rand // the bootstrap's
}

// Search finds the target's capacity and the highest load that meets the
// objectives (SLO-max), with their intervals, by probing it through p.
//
// The method, in order: a feasibility probe at the minimum load (objectives
// unmet there: InfeasibleError); a closed-model ramp doubling the users
// until throughput stops growing, then a saturation probe there, whose
// completions over the window from first to last completion give the
// capacity (cross-checked by Little's law); then probes at loads between,
// bisecting the bracket [highest pass, lowest fail] — each probe stops
// early once its verdict is clear at the stricter look confidence, so
// probes far from the answer are short and those near it run full length —
// until the bracket is narrower than Precision or the budget is spent;
// an isotonic (non-increasing) fit of attainment over every probe places
// the estimate, and one confirmation probe runs there.
//
// It returns the findings so far with ctx's error when ctx ends, so that an
// interrupted sweep still reports its probes.
func Search(ctx context.Context, p Prober, cfg Config) (*Findings, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &search{cfg: cfg.withDefaults(), prober: p, rng: rand.New(rand.NewPCG(cfg.Seed, 14))}
	s.res.Control = s.cfg.Control
	err := s.run(ctx)
	s.res.Elapsed = s.elapsed
	switch {
	case err == nil:
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		s.res.Stop = "interrupted"
	default:
		s.res.Stop = err.Error()
	}
	return &s.res, err
}

func (s *search) run(ctx context.Context) error {
	feas, err := s.feasibility(ctx)
	if err != nil {
		return err
	}
	if err := s.saturate(ctx, feas); err != nil {
		return err
	}
	return s.sloMax(ctx, feas)
}

// remaining returns the budget left.
func (s *search) remaining() time.Duration { return s.cfg.Budget - s.elapsed }

// fits reports whether a probe of length d (plus a drain allowance) fits
// the budget left.
func (s *search) fits(d time.Duration) bool { return d+d/10 <= s.remaining() }

// feasibility probes the minimum load; it returns the probe.
func (s *search) feasibility(ctx context.Context) (Probe, error) {
	spec := Spec{Kind: KindFeasibility, Control: s.cfg.Control, Load: s.cfg.Min}
	if s.cfg.Min == 0 {
		spec.Control, spec.Load = Users, 1
	}
	s.timing(&spec, s.cfg.ShortDuration)
	spec.MinDuration = s.cfg.ShortDuration / 2
	if !s.fits(spec.Duration) {
		return Probe{}, ErrBudget
	}
	out, err := s.probe(ctx, spec, s.sloStop(spec))
	if err != nil {
		return Probe{}, err
	}
	pr, sh := s.judge(spec, out, true)
	s.scale(out, &pr)
	s.report(pr)
	switch pr.Verdict {
	case Aborted:
		s.res.GeneratorSaturated = pr.Reason
		return pr, &GeneratorError{Probe: pr}
	case Fail, Unstable:
		return pr, &InfeasibleError{Probe: pr}
	}
	s.addPoint(s.rateOf(pr), sh, pr)
	return pr, nil
}

// scale stretches the probe lengths when one session at the minimum load is
// long against them: a short probe holds at least 40 sessions of one user.
func (s *search) scale(out *Measurement, pr *Probe) {
	w := meanDuration(out.Sessions, 0, out.Stopped)
	if math.IsNaN(w) {
		return
	}
	need := time.Duration(40 * w * float64(time.Second))
	if need <= s.cfg.ShortDuration {
		return
	}
	k := float64(need) / float64(s.cfg.ShortDuration)
	s.cfg.ShortDuration = need
	s.cfg.ProbeDuration = time.Duration(float64(s.cfg.ProbeDuration) * k)
	s.cfg.Warmup = time.Duration(float64(s.cfg.Warmup) * k)
}

// timing sets spec's lengths for a probe of at most full.
func (s *search) timing(spec *Spec, full time.Duration) {
	spec.Duration = full
	spec.Warmup = s.cfg.Warmup
	spec.MinDuration = min(full, s.cfg.ShortDuration)
	spec.Look = max(spec.MinDuration/2, time.Second/10)
}

// saturate ramps closed-model users until throughput stops growing, then
// measures the capacity at that many users.
func (s *search) saturate(ctx context.Context, feas Probe) error {
	prev := feas.Throughput.Est
	if feas.Control != Users || math.IsNaN(prev) || prev == 0 {
		prev = 0
	}
	n := 2.0
	if s.cfg.Control == Users && s.cfg.Min > 1 {
		n = 2 * s.cfg.Min
	}
	rampLen := max(s.cfg.ShortDuration/3, time.Second)
	w0 := feas.MeanSession
	for {
		spec := Spec{Kind: KindRamp, Control: Users, Load: n}
		s.timing(&spec, rampLen)
		spec.MinDuration, spec.Warmup = rampLen, rampLen/4
		if !s.fits(spec.Duration + s.cfg.ProbeDuration) {
			return ErrBudget
		}
		pr, err := s.throughputProbe(ctx, spec, nil)
		if err != nil {
			return err
		}
		// Saturated: doubling the users gained little throughput, and they
		// queue (sessions take clearly longer than one user's alone).
		x := pr.Throughput.Est
		if prev > 0 && x < plateau*prev && float64(pr.MeanSession) >= 1.5*float64(w0) {
			break
		}
		if 2*n > float64(s.cfg.MaxUsers) {
			s.res.Capacity.Note = fmt.Sprintf("throughput still grew at %.0f users (MaxUsers): capacity is at least this", n)
			break
		}
		prev = x
		n *= 2
	}
	spec := Spec{Kind: KindSaturation, Control: Users, Load: n}
	s.timing(&spec, s.cfg.ProbeDuration*3/2)
	if !s.fits(spec.Duration) {
		return ErrBudget
	}
	target := s.cfg.Precision / 4
	pr, err := s.throughputProbe(ctx, spec, func(sofar *Measurement) bool {
		iv, first, last, ok := throughput(sofar.Sessions, spec.Warmup, sofar.Stopped, lookConfidence)
		if !ok {
			return false
		}
		// Stop on the batch-means interval, but never before the count
		// alone (as if completions were Poisson) would allow it: ten
		// batches can agree by chance, and stopping on that luck leaves a
		// less precise estimate than it claims.
		n := iv.Est * (last - first).Seconds()
		poisson := statmath.NormalQuantile(1-(1-lookConfidence)/2) / math.Sqrt(n)
		return max((iv.Hi-iv.Lo)/2/iv.Est, poisson) <= target
	})
	if err != nil {
		return err
	}
	c := &s.res.Capacity
	c.Found = pr.Throughput.Est > 0
	c.Load, c.Lo, c.Hi = pr.Throughput.Est, pr.Throughput.Lo, pr.Throughput.Hi
	c.Sessions = c.Load
	c.Binding = "capacity"
	if c.Note != "" {
		c.Hi = math.Inf(1)
	}
	if pr.Achieved > 0 {
		s.res.MessagesPerSession = pr.MessageRate / pr.Achieved
	}
	c.Messages = c.Load * s.res.MessagesPerSession
	if pr.Little > 0 {
		s.res.LittleRatio = c.Load / pr.Little
	}
	if s.cfg.Control == Users {
		c.Load, c.Lo, c.Hi = n, n, n // the users at which it saturated; sessions/s in Sessions
		c.Note = fmt.Sprintf("saturated at %.0f users", n)
	}
	return nil
}

// throughputProbe runs and reports a ramp or saturation probe. A generator
// that fell behind in it gets a second try (a passing hiccup of the
// machine); twice in a row ends the search (GeneratorError).
func (s *search) throughputProbe(ctx context.Context, spec Spec, stop func(*Measurement) bool) (Probe, error) {
	for try := 1; ; try++ {
		out, err := s.probe(ctx, spec, stop)
		if err != nil {
			return Probe{}, err
		}
		pr := s.measure(spec, out)
		s.report(pr)
		if pr.Verdict != Aborted {
			return pr, nil
		}
		if try == 2 {
			s.res.GeneratorSaturated = pr.Reason
			return pr, &GeneratorError{Probe: pr}
		}
	}
}

// sloMax searches the SLO-max load between the feasibility load and the
// capacity: first by bisecting the verdicts' bracket, then by probing at the
// fitted estimate until its interval is narrow enough, then once more at
// the answer to confirm it.
func (s *search) sloMax(ctx context.Context, feas Probe) error {
	for s.sloProbes < maxProbes {
		lo, hi := s.bracket()
		if s.narrow(lo, hi, s.cfg.Precision) {
			s.res.Stop = "precision reached"
			break
		}
		next, near := s.secant(lo, hi)
		if near {
			break // the fit places the answer between close probes: refine there
		}
		if done, err := s.sloProbe(ctx, KindBracket, next); err != nil || done {
			s.answer()
			return err
		}
	}
	for s.res.Stop == "" && s.sloProbes < maxProbes {
		est, lo, hi := s.interval()
		// Narrow enough, on at least two full-length probes inside: an
		// interval that is narrow on one probe's luck stops the search
		// exactly when it is too narrow.
		if s.narrow(lo, hi, s.cfg.Precision) && s.fullInside(lo, hi) >= 2 || est <= 0 {
			s.res.Stop = "precision reached"
			break
		}
		if !s.fits(2 * s.cfg.ProbeDuration) {
			s.res.Stop = "budget spent"
			break // what is left is the confirmation's
		}
		if done, err := s.sloProbe(ctx, KindRefine, s.refineAt(est, lo, hi)); err != nil || done {
			s.answer()
			return err
		}
	}
	if s.res.Stop == "" {
		s.res.Stop = "probe limit"
	}
	for range 2 {
		est, _, _ := s.interval()
		if est <= 0 || !s.fits(s.cfg.ShortDuration) {
			break
		}
		if done, err := s.sloProbe(ctx, KindConfirm, est); err != nil || done {
			s.answer()
			return err
		}
		if pt := s.pointAt(est); pt != nil && pt.verdict != Fail && pt.verdict != Unstable {
			break
		}
	}
	s.answer()
	return nil
}

// refineAt returns where to probe next when the estimate is est in
// [lo, hi]: towards the wider side of the interval, half-way to its end
// but no further than half the precision from est, so that probes gather
// on both sides of the answer; at est when the interval is even.
func (s *search) refineAt(est, lo, hi float64) float64 {
	up, down := hi-est, est-lo
	side := max(up, down)
	if side <= est*s.cfg.Precision/2 {
		return est
	}
	step := min(side/2, est*s.cfg.Precision/2)
	if up < down {
		step = -step
	}
	x := est + step
	if s.cfg.Control == Users {
		x = math.Round(x)
	}
	return x
}

// secant returns the next bracketing load: where the line through the
// fitted log failure shares of the two probes nearest the target reaches
// it (regula falsi, which converges fast where failures grow about
// exponentially with load), kept inside the bracket and at most half-way
// from a probe to the bracket's end. near reports that the fit already
// crosses the target between two probes closer than twice the precision,
// the point to switch to full-length probes.
func (s *search) secant(lo, hi float64) (next float64, near bool) {
	zt := math.Log(1 - s.cfg.Attainment)
	fit := isotonic(s.fitPoints())
	var below, above *fitPoint // the nearest fitted points on each side of zt
	for i := range fit {
		p := &fit[i]
		if p.load < lo || p.load > hi {
			continue
		}
		if p.z <= zt {
			below = p
		} else if above == nil {
			above = p
		}
	}
	switch {
	case below != nil && above != nil:
		if (above.load-below.load)/((above.load+below.load)/2) <= 2*s.cfg.Precision {
			return 0, true
		}
		f := (zt - below.z) / (above.z - below.z)
		next = below.load + f*(above.load-below.load)
		// Keep a quarter of the gap from either probe: a probe there says
		// more than one on top of a neighbour.
		gap := above.load - below.load
		next = min(max(next, below.load+gap/4), above.load-gap/4)
	case below != nil:
		next = (below.load + hi) / 2 // every probe passes so far: look higher
	case above != nil:
		next = (lo + above.load) / 2 // every probe fails so far: look lower
	default:
		next = (lo + hi) / 2
	}
	if s.cfg.Control == Users {
		next = math.Round(next)
	}
	return next, false
}
