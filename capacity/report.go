package capacity

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// ProbeVerdict is what a probe says of its load: sustainable or not, or
// why it cannot tell.
type ProbeVerdict string

// The verdicts.
const (
	// Pass: the attainment's interval is at or above the target and the
	// load was steady: the load is sustainable.
	Pass ProbeVerdict = "pass"
	// Fail: the attainment's interval is below the target, or a
	// constraint failed.
	Fail ProbeVerdict = "fail"
	// Unresolved: the interval holds the target even at full length: the
	// load is about as high as the objectives allow.
	Unresolved ProbeVerdict = "unresolved"
	// Unstable: the backlog grew (sessions in flight and latency climbed):
	// no steady state, so not sustainable whatever the attainment so far.
	Unstable ProbeVerdict = "unstable"
	// Aborted: the load generator fell behind; the probe says nothing
	// about the target.
	Aborted ProbeVerdict = "aborted"
	// Measured: a ramp or saturation probe, which measures throughput and
	// has no verdict on the objectives.
	Measured ProbeVerdict = "measured"
)

// Probe is the report of one probe: a row of the sweep's table.
type Probe struct {
	Spec
	Verdict ProbeVerdict
	// Reason explains a fail, unstable or aborted verdict in a few words.
	Reason string
	// Binding is the objective or constraint that failed most (fail and
	// unresolved verdicts).
	Binding string

	// Offered is the load offered in sessions/s (for Users, the session
	// rate the users achieved).
	Offered float64
	// Achieved is the sessions completed per second in the measured window;
	// MessageRate and GoodRate the messages and good messages per second.
	Achieved, MessageRate, GoodRate float64
	// Attainment is the share of good messages with its interval.
	Attainment Estimate
	// MeanSession is the mean time of the sessions that ended in the window,
	// from their intended start.
	MeanSession  time.Duration
	Messages     int // messages measured (intended after the warm-up)
	GoodMessages int
	// TTFT percentiles of the measured messages, from the intended start.
	TTFTp50, TTFTp95, TTFTp99 time.Duration
	// Backlog is the trend of sessions in flight (per second) and
	// LatencyTrend that of TTFT (seconds per second); Steady whether they
	// held level (SteadyReason says how they rose).
	Backlog, LatencyTrend float64
	Steady                bool
	SteadyReason          string
	// Throughput is the completion rate from the first to the last
	// completion of a ramp or saturation probe (sessions/s), and Little the
	// same by Little's law (mean in flight ÷ mean session time).
	Throughput Estimate
	Little     float64
	// Elapsed is the probe's whole time, drain included.
	Elapsed time.Duration
	Figures

	constraint bool // the verdict is a failed constraint's
}

// Answer is one of a sweep's two answers: capacity or SLO-max, with its interval.
type Answer struct {
	// Found is false when the search could not place the answer (then the
	// interval says what is known, and Note why).
	Found bool
	// Load is the estimate in the control's unit (sessions/s or users);
	// Lo and Hi its interval.
	Load, Lo, Hi float64
	// Sessions and Messages are the estimate as sessions/s and messages/s.
	Sessions, Messages float64
	// AtLeast reports that only a lower bound was found: no probe failed
	// below the capacity, so Load is the interval's low end (Lo).
	AtLeast bool
	// Binding names what limits it (SLO-max: the objective or constraint
	// that fails above it; capacity: "capacity").
	Binding string
	Note    string
}

// Findings are what a search found: the two answers, every probe's report
// and why the search stopped.
type Findings struct {
	Control Control
	// Capacity is the target's maximum throughput, sessions/s, measured as
	// completions over the window from first to last completion of a
	// saturating probe, with Little's law as a cross-check (LittleRatio is
	// the completions estimate over Little's; far from 1 means the window
	// or the in-flight count is off).
	Capacity    Answer
	LittleRatio float64
	// SLOMax is the highest load at which the objectives' attainment holds
	// at steady state.
	SLOMax Answer
	// Steady reports whether the probe at the answer held a steady state.
	Steady bool
	// GeneratorSaturated, when set, says the generator fell behind in some
	// probe, which was aborted.
	GeneratorSaturated string
	// Stop says why the search ended: "precision reached", "budget spent",
	// "interrupted", "no room to refine" or an error's text.
	Stop    string
	Probes  []Probe
	Elapsed time.Duration
	// MessagesPerSession converts session rates to message rates.
	MessagesPerSession float64
}

// InfeasibleError is returned when the objectives fail at the minimum load:
// no load meets them.
type InfeasibleError struct {
	Probe Probe
}

func (e *InfeasibleError) Error() string {
	p := e.Probe
	what := p.Reason
	if what == "" {
		what = fmt.Sprintf("attainment %s", pct(p.Attainment))
	}
	return fmt.Sprintf("capacity: objectives unmet at minimum load (%s): %s", loadText(p.Control, p.Load), what)
}

// GeneratorError is returned when the generator fell behind before the
// search could measure anything.
type GeneratorError struct {
	Probe Probe
}

func (e *GeneratorError) Error() string {
	return fmt.Sprintf("capacity: the load generator fell behind at %s (%s): the target was not measured",
		loadText(e.Probe.Control, e.Probe.Load), e.Probe.Reason)
}

// ErrBudget is returned when the budget cannot hold the probes the search
// needs before it can answer anything.
var ErrBudget = errors.New("capacity: budget too small for the feasibility and saturation probes")

func pct(i Estimate) string {
	if math.IsNaN(i.Est) {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%% [%.1f, %.1f]", 100*i.Est, 100*i.Lo, 100*i.Hi)
}

func loadText(c Control, load float64) string {
	if c == Users && load == 1 {
		return "1 user"
	}
	if c == Users {
		return fmt.Sprintf("%.0f users", load)
	}
	return fmt.Sprintf("%.3g sessions/s", load)
}
