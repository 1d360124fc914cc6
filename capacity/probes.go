package capacity

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/loadgen/loadgen/steady"
)

// sloProbe runs one SLO probe at load and pools it. done reports that the
// search cannot go on (budget spent, generator saturated).
func (s *search) sloProbe(ctx context.Context, kind ProbeKind, load float64) (done bool, err error) {
	spec := Spec{Kind: kind, Control: s.cfg.Control, Load: load}
	s.timing(&spec, s.cfg.ProbeDuration)
	if !s.fits(spec.Duration) {
		if !s.fits(s.cfg.ShortDuration) {
			s.res.Stop = "budget spent"
			return true, nil
		}
		spec.Duration = s.remaining() * 9 / 10
	}
	s.sloProbes++
	out, err := s.probe(ctx, spec, s.sloStop(spec))
	if err != nil {
		return true, err
	}
	pr, sh := s.judge(spec, out, false)
	s.report(pr)
	if pr.Verdict == Aborted {
		// The generator's limit, not the target's. Once may be a passing
		// hiccup of the machine, and the search (unchanged) comes back to
		// this load; twice in a row, nothing above is measurable.
		if s.aborted++; s.aborted < 2 {
			return false, nil
		}
		s.res.GeneratorSaturated = pr.Reason
		s.res.Stop = "generator saturated"
		return true, nil
	}
	s.aborted = 0
	s.addPoint(load, sh, pr)
	return false, nil
}

// sloStop is the stop check of an SLO probe: stop once the verdict is clear
// at the look confidence, or the backlog is seen to grow.
func (s *search) sloStop(spec Spec) func(*Measurement) bool {
	return func(sofar *Measurement) bool {
		cut := sofar.Stopped - settle(sofar.Messages, sofar.Stopped)
		if cut <= spec.Warmup {
			return false
		}
		sh := attainment(sofar.Messages, spec.Warmup, cut, len(s.cfg.Objectives))
		iv := sh.floored(s.iactBelow(spec.Load)).interval(lookConfidence)
		if iv.Lo >= s.cfg.Attainment || iv.Hi < s.cfg.Attainment {
			return true
		}
		v := s.steadiness(spec, sofar, spec.Warmup, cut, lookConfidence)
		return v.Known && !v.Steady
	}
}

// settle returns how long after its intended start a message has almost
// surely ended: twice the longest latency seen, within [100ms, now/4].
func settle(msgs []Record, now time.Duration) time.Duration {
	var longest time.Duration
	for _, m := range msgs {
		if m.End != Pending {
			longest = max(longest, m.End-m.Intended)
		}
	}
	if longest == 0 {
		return now / 4
	}
	return min(max(2*longest, 100*time.Millisecond), now/4)
}

// steadiness checks the trends of TTFT and sessions in flight over
// [from, to).
func (s *search) steadiness(spec Spec, out *Measurement, from, to time.Duration, conf float64) steady.State {
	step := out.InFlight.Step
	if step <= 0 {
		step = max(time.Second/10, (to-from)/40)
	}
	lat := latencySeries(out.Messages, to, step)
	o := steady.CheckOptions{Confidence: conf, SessionTime: to}
	if spec.Control == Rate {
		o.ArrivalRate = spec.Load
	}
	if w, ok := steady.SessionTime(out.InFlight, finished(out.Sessions, out.InFlight), 0, to); ok {
		o.SessionTime = max(w, out.InFlight.Step)
	}
	return steady.Check("TTFT", lat, out.InFlight, from, to, o)
}

// finished counts the sessions that ended in each interval of like: with
// the sessions in flight, by Little's law, how long a session lasts — and
// so how long they take to fill up after the probe's start (package
// steady). Sessions of a scenario with think times can outlast a probe.
func finished(sessions []Record, like steady.Samples) steady.Samples {
	out := steady.Samples{Start: like.Start, Step: like.Step, Values: make([]float64, len(like.Values))}
	if like.Step <= 0 {
		return out
	}
	for _, r := range sessions {
		if r.End == Pending || r.End < like.Start {
			continue
		}
		if i := int((r.End - like.Start) / like.Step); i < len(out.Values) {
			out.Values[i]++
		}
	}
	return out
}

// probe runs one probe, counting its time against the budget.
func (s *search) probe(ctx context.Context, spec Spec, stop func(*Measurement) bool) (*Measurement, error) {
	s.seq++
	spec.Seq = s.seq
	if s.cfg.OnStart != nil {
		s.cfg.OnStart(spec)
	}
	if stop == nil {
		stop = func(*Measurement) bool { return false }
	}
	out, err := s.prober.Probe(ctx, spec, stop)
	if out != nil {
		s.elapsed += out.Elapsed
	}
	if err != nil {
		if out != nil && ctx.Err() != nil {
			s.report(s.measure(spec, out)) // what the interrupted probe saw
		}
		return nil, err
	}
	return out, nil
}

// report records a finished probe.
func (s *search) report(pr Probe) {
	s.res.Probes = append(s.res.Probes, pr)
	if s.cfg.OnProbe != nil {
		s.cfg.OnProbe(pr)
	}
}

// measure fills the figures every probe has.
func (s *search) measure(spec Spec, out *Measurement) Probe {
	pr, _ := s.measureShare(spec, out)
	return pr
}

// measureShare is measure, also returning the attainment data of the
// measured window (before any autocorrelation floor).
func (s *search) measureShare(spec Spec, out *Measurement) (Probe, share) {
	pr := Probe{Spec: spec, Verdict: Measured, Elapsed: out.Elapsed, Figures: out.Figures, Steady: true}
	pr.Spec.Seq = s.seq
	from, to := spec.Warmup, out.Stopped
	var raw share
	if to > from {
		secs := (to - from).Seconds()
		pr.Achieved = float64(countEnded(out.Sessions, from, to)) / secs
		pr.MessageRate = float64(countEnded(out.Messages, from, to)) / secs
		raw = attainment(out.Messages, from, to, len(s.cfg.Objectives))
		sh := raw
		if spec.Control == s.cfg.Control {
			sh = sh.floored(s.iactBelow(spec.Load))
		}
		pr.Messages, pr.GoodMessages = sh.count()
		pr.GoodRate = float64(pr.GoodMessages) / secs
		pr.Attainment = sh.interval(s.cfg.Confidence)
		pr.TTFTp50, pr.TTFTp95, pr.TTFTp99 = quantiles(out.Messages, from, to)
		if w := meanDuration(out.Sessions, from, to); !math.IsNaN(w) {
			pr.MeanSession = time.Duration(w * float64(time.Second))
		}
		v := s.steadiness(spec, out, from, to, s.cfg.Confidence)
		pr.Backlog, pr.LatencyTrend = v.InFlight.Slope, v.Latency.Slope
		pr.Steady, pr.SteadyReason = v.Steady, v.Reason()
	}
	pr.Offered = spec.Load
	if spec.Control == Users {
		pr.Offered = pr.Achieved
	}
	if iv, first, last, ok := throughput(out.Sessions, from, to, s.cfg.Confidence); ok {
		pr.Throughput = iv
		l := meanInFlight(out.InFlight, first, last)
		w := meanDuration(out.Sessions, first, last)
		if l > 0 && w > 0 {
			pr.Little = l / w
		}
	} else {
		// Too few completions for batches: the plain rate, without an interval.
		pr.Throughput = Estimate{Est: pr.Achieved, Lo: math.NaN(), Hi: math.NaN()}
	}
	if out.GeneratorSaturated != "" {
		pr.Verdict, pr.Reason = Aborted, "generator saturated: "+out.GeneratorSaturated
	}
	return pr, raw
}

// judge measures an SLO probe and gives its verdict; it returns the pooled
// share too.
func (s *search) judge(spec Spec, out *Measurement, feasibility bool) (Probe, share) {
	pr, sh := s.measureShare(spec, out)
	if pr.Verdict == Aborted {
		return pr, sh
	}
	pr.Verdict = s.verdict(pr.Attainment, pr.Messages)
	pr.Binding = s.binding(sh)
	for _, c := range out.Constraints {
		if !c.Pass {
			pr.Verdict, pr.Binding, pr.constraint = Fail, c.Expr, true
			pr.Reason = fmt.Sprintf("%s (was %g)", c.Expr, c.Value)
			break
		}
	}
	if !pr.Steady && !feasibility {
		pr.Verdict, pr.Reason = Unstable, "backlog grows: "+pr.SteadyReason
	}
	if pr.Verdict == Fail && pr.Reason == "" {
		pr.Reason = fmt.Sprintf("attainment %s < %.4g%%", pct(pr.Attainment), 100*s.cfg.Attainment)
		if pr.Binding != "" {
			pr.Reason += ", mostly " + pr.Binding
		}
	}
	if pr.Messages == 0 && pr.Verdict != Fail {
		pr.Verdict, pr.Reason = Fail, "no message was measured"
	}
	return pr, sh
}

// verdict compares an attainment interval with the target.
func (s *search) verdict(iv Estimate, n int) ProbeVerdict {
	switch {
	case n == 0:
		return Fail
	case iv.Lo >= s.cfg.Attainment:
		return Pass
	case iv.Hi < s.cfg.Attainment:
		return Fail
	}
	return Unresolved
}

// binding names the objective missed most in sh ("" when none was missed).
func (s *search) binding(sh share) string {
	best, at := 0, -1
	for i, n := range sh.missed {
		if n > best {
			best, at = n, i
		}
	}
	if at < 0 || at >= len(s.cfg.Objectives) {
		return ""
	}
	return s.cfg.Objectives[at]
}

// countEnded returns the records that ended in (from, to].
func countEnded(recs []Record, from, to time.Duration) int {
	n := 0
	for _, r := range recs {
		if r.End != Pending && r.End > from && r.End <= to {
			n++
		}
	}
	return n
}
