package capacity

import (
	"context"
	"time"

	"github.com/loadgen/loadgen/steady"
)

// Control is the load a probe sets.
type Control int

// The controls.
const (
	// Rate is the open model: sessions arrive at a rate (sessions/s),
	// whatever the target does.
	Rate Control = iota
	// Users is the closed model: a number of users loop, each starting a
	// session when its last one ends.
	Users
)

func (c Control) String() string {
	if c == Users {
		return "users"
	}
	return "rate"
}

// Unit returns the load's unit: "sessions/s" or "users".
func (c Control) Unit() string {
	if c == Users {
		return "users"
	}
	return "sessions/s"
}

// ProbeKind says what a probe is for.
type ProbeKind string

// The kinds of probes, in the order a search runs them.
const (
	KindFeasibility ProbeKind = "feasibility" // the minimum load: do the objectives hold at all?
	KindRamp        ProbeKind = "ramp"        // closed-model doubling towards saturation
	KindSaturation  ProbeKind = "saturation"  // the capacity measurement
	KindBracket     ProbeKind = "bracket"     // short probes that bracket the SLO-max load
	KindRefine      ProbeKind = "refine"      // full-length probes near the answer
	KindConfirm     ProbeKind = "confirm"     // one probe at the answer
)

// Spec is one probe: a load applied for up to Duration, measured after
// Warmup.
type Spec struct {
	Seq     int       // the probe's number in the search, from 1
	Kind    ProbeKind // what the probe is for
	Control Control   // what Load is
	Load    float64   // sessions/s (Rate) or users (Users, a whole number)
	// Duration is the longest the load is applied. The prober ends it sooner
	// when the search's stop check says so.
	Duration time.Duration
	// Warmup is discarded: requests intended before it are not measured.
	Warmup time.Duration
	// MinDuration is how long the load runs before the first stop check;
	// Look is how often the check runs after that.
	MinDuration, Look time.Duration
}

// Pending is Record.End of a record still in flight.
const Pending time.Duration = -1

// Record is one measured unit of a probe: a message (the unit the
// objectives judge) or a session. Times are measured from the probe's start.
type Record struct {
	// Intended is when the schedule wanted it to start: latencies are
	// measured from it, so a target that delays the schedule cannot hide.
	Intended time.Duration
	// End is when it ended (Pending while in flight).
	End time.Duration
	// TTFT is the time to first token from Intended (messages; 0 when no
	// token came).
	TTFT time.Duration
	// Good reports that a message met every objective.
	Good bool
	// Failed reports that it ended in an error.
	Failed bool
	// Missed has bit i set when a message missed objective i (Config.Objectives).
	Missed uint32
}

// Constraint is a run-level requirement evaluated on one probe, such as
// "errors.rate < 1%".
type Constraint struct {
	Expr  string
	Value float64
	Pass  bool
}

// Figures are a probe's display-only numbers that only the prober knows;
// the search reports them as given. NaN (or zero) means not measured.
type Figures struct {
	ITLp95     time.Duration // inter-token gaps, p95
	LagP99     time.Duration // schedule lag, p99
	Errors     int           // failed requests of any step
	Requests   int           // requests of any step
	ResultFile string        // where the probe's own results were written
}

// Measurement is what a prober measured in one probe.
type Measurement struct {
	// Stopped is when the load stopped (Spec.Duration, or sooner when the
	// stop check or ctx ended it); Elapsed is the whole probe's time,
	// including the drain of requests in flight.
	Stopped, Elapsed time.Duration
	// Messages and Sessions hold every message and session that ended,
	// in any order. After a drain every started one has ended.
	Messages, Sessions []Record
	// InFlight is the number of sessions in flight over the probe.
	InFlight steady.Samples
	// GeneratorSaturated, when set, says why the load generator itself fell
	// behind (schedule lag, CPU): the probe measured loadgen, not the target,
	// and its verdict is aborted.
	GeneratorSaturated string
	// Constraints are the run-level requirements evaluated on the probe.
	Constraints []Constraint
	Figures     Figures
}

// Prober runs probes against a target.
type Prober interface {
	// Probe applies spec's load until spec.Duration, ctx ends or stop
	// returns true, then lets the requests in flight finish and returns what
	// it measured. While the load runs it calls stop with what has ended so
	// far (Messages, Sessions, InFlight and Stopped set to the time of the
	// call), first at spec.MinDuration and then every spec.Look. When ctx
	// ends it returns what it has with ctx's error.
	Probe(ctx context.Context, spec Spec, stop func(sofar *Measurement) bool) (*Measurement, error)
}

// ProberFunc adapts a function to the Prober interface.
type ProberFunc func(ctx context.Context, spec Spec, stop func(*Measurement) bool) (*Measurement, error)

// Probe calls f.
func (f ProberFunc) Probe(ctx context.Context, spec Spec, stop func(*Measurement) bool) (*Measurement, error) {
	return f(ctx, spec, stop)
}
