// Package steady tells whether a run's load was in a steady state: whether
// latency and the sessions in flight held level over the measured window or
// kept climbing, as they do when arrivals outpace the target and a backlog
// grows. A run that is not steady has no stationary percentiles to report —
// its p95 depends on how long it ran — so a verdict built on it is not an
// answer about the load it applied.
//
// The check fits a line to each series' batch means (the window cut into
// equal batches, so that the autocorrelation of queued requests does not
// make a noisy series look like a trend), and calls a series rising when
// the slope's confidence interval is above zero and the rise is material:
// over the window, at least MinRise of the series' mean level (for
// sessions in flight, at least one session), and at a pace that an
// overload of at least Overload would make — a FIFO backlog fed a share δ
// faster than it drains makes waits grow by δ seconds per second and the
// sessions in flight by δ times the arrival rate. A queue that is stable
// but busy wanders; these floors keep its wander from being called a
// backlog. Falling series (a warm-up backlog clearing) are not flagged.
//
// Sessions in flight also rise, with no backlog at all, while a load that
// has just begun fills up: at a constant arrival rate λ, sessions that
// last S hold λ·∫₀ᵗ P(S > u) du in flight t after the start, which climbs
// for as long as some sessions are still in their first run (λ·P(S > t)
// per second) and levels off at λ·E[S] (Little's law). A run no longer
// than its sessions sees only that climb. So the sessions in flight are
// judged only after FillSessions typical session times (SessionTime, from
// Little's law on the run's own counts), and on batches at least one
// session time long: sessions in flight stay correlated for about that
// long, and shorter batches would pass their wander off as a significant
// trend. Before that, and in runs too short for it, only latency tells a
// backlog — which a backlog always raises, since it makes requests wait.
//
// Every function is pure.
package steady

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/loadgen/loadgen/internal/statmath"
)

// Defaults of CheckOptions.
const (
	DefaultConfidence = 0.95
	DefaultMinRise    = 0.10
	DefaultOverload   = 0.01
	DefaultBatches    = 10
	// MinBatches is the fewest non-empty batches a trend is fitted on.
	MinBatches = 5
	// FillSessions is how many typical session times (SessionTime) the
	// sessions in flight take to fill up: for exponential session times,
	// after 3 means the climb left is e⁻³ ≈ 5 % of the level, under
	// DefaultMinRise.
	FillSessions = 3
)

// Samples is a quantity sampled on equal intervals: Values[i] covers
// [Start + i·Step, Start + (i+1)·Step). NaN marks an interval without a
// value. Weights, when set, weigh each value (the requests a mean latency
// came from); nil weighs them equally.
type Samples struct {
	Start   time.Duration
	Step    time.Duration
	Values  []float64
	Weights []float64
}

// Trend is the fitted linear trend of a series over a window.
type Trend struct {
	Slope  float64       // change per second
	Lo, Hi float64       // the slope's confidence interval
	Mean   float64       // the series' mean level over the window
	Rise   float64       // Slope × Window: the change the line makes over the window
	Window time.Duration // the window the trend was fitted on
}

// Rising reports whether t is a material, significant rise: the interval
// is above zero, the rise is at least minRise of the mean level and at
// least floor, and the slope at least minSlope.
func (t Trend) Rising(minRise, floor, minSlope float64) bool {
	return t.Lo > 0 && t.Rise >= max(minRise*math.Abs(t.Mean), floor) && t.Slope >= minSlope
}

// Fit fits the trend of s over the window [from, to) at confidence conf,
// on batches batch means. It reports false when the window holds fewer than
// MinBatches non-empty batches.
func Fit(s Samples, from, to time.Duration, batches int, conf float64) (Trend, bool) {
	if s.Step <= 0 || to <= from || batches < MinBatches {
		return Trend{}, false
	}
	first := max(0, int(math.Ceil(float64(from-s.Start)/float64(s.Step))))
	last := min(len(s.Values), int(math.Floor(float64(to-s.Start)/float64(s.Step)))) // exclusive
	n := last - first
	if n < MinBatches {
		return Trend{}, false
	}
	batches = min(batches, n)
	var xs, ys []float64
	var sumW, sumWV float64
	for b := range batches {
		lo, hi := first+b*n/batches, first+(b+1)*n/batches
		var w, wv, wt float64
		for i := lo; i < hi; i++ {
			v := s.Values[i]
			if math.IsNaN(v) {
				continue
			}
			wi := 1.0
			if s.Weights != nil {
				wi = s.Weights[i]
			}
			if wi <= 0 {
				continue
			}
			mid := (s.Start + time.Duration(i)*s.Step + s.Step/2).Seconds()
			w += wi
			wv += wi * v
			wt += wi * mid
		}
		if w == 0 {
			continue
		}
		xs = append(xs, wt/w)
		ys = append(ys, wv/w)
		sumW += w
		sumWV += wv
	}
	if len(xs) < MinBatches {
		return Trend{}, false
	}
	line := statmath.FitLine(xs, ys)
	lo, hi := line.SlopeInterval(conf)
	window := time.Duration(n) * s.Step
	return Trend{
		Slope: line.Slope, Lo: lo, Hi: hi,
		Mean:   sumWV / sumW,
		Rise:   line.Slope * window.Seconds(),
		Window: window,
	}, true
}

// CheckOptions tune Check. The zero value uses the Default* constants.
type CheckOptions struct {
	Confidence float64 // two-sided confidence of each slope's interval (0: DefaultConfidence)
	MinRise    float64 // smallest material rise, as a share of the mean level (0: DefaultMinRise)
	Batches    int     // batches per window (0: DefaultBatches)
	// Overload is the smallest overload taken for a backlog (0:
	// DefaultOverload): latency must climb at least this many seconds per
	// second, and sessions in flight at least this share of ArrivalRate.
	Overload float64
	// ArrivalRate is the sessions arriving per second, when known (0: the
	// in-flight floor is one session over the window only).
	ArrivalRate float64
	// SessionTime, when set, is how long a session typically lasts
	// (SessionTime): the sessions in flight are judged only after
	// FillSessions of it past InFlightFrom, on batches at least that long
	// (so on a window of at least MinBatches of it). Unset, they are judged
	// as latency is.
	SessionTime time.Duration
	// InFlightFrom is where the load whose sessions fill up began (the
	// start of its hold); with SessionTime.
	InFlightFrom time.Duration
}

// inFlightWindow returns where the sessions in flight are judged from, in
// the window [from, to), and on how many batches.
func (o CheckOptions) inFlightWindow(from, to time.Duration) (time.Duration, int) {
	if o.SessionTime <= 0 {
		return from, o.Batches
	}
	start := max(from, o.InFlightFrom+FillSessions*o.SessionTime)
	if start >= to {
		return to, 0
	}
	return start, min(o.Batches, int((to-start)/o.SessionTime))
}

func (o CheckOptions) withDefaults() CheckOptions {
	if o.Confidence == 0 {
		o.Confidence = DefaultConfidence
	}
	if o.MinRise == 0 {
		o.MinRise = DefaultMinRise
	}
	if o.Batches == 0 {
		o.Batches = DefaultBatches
	}
	if o.Overload == 0 {
		o.Overload = DefaultOverload
	}
	return o
}

// State is what Check found: whether the load held a steady state, and the
// trends behind the answer.
type State struct {
	// Known is false when the window was too short to fit a trend to any
	// series; Steady is then true (nothing was seen to climb) and means
	// nothing.
	Known  bool
	Steady bool
	// Latency and InFlight are the fitted trends (zero when not fitted).
	Latency, InFlight      Trend
	LatencyOK, InFlightOK  bool // whether each was fitted
	LatencyName            string
	LatencyRising, Backlog bool // which series rose
}

// Reason says why v is not steady, in the words of a summary line:
// "TTFT +38 ms/s, in flight +0.9/s". It is empty for a steady state.
func (v State) Reason() string {
	var parts []string
	if v.LatencyRising {
		parts = append(parts, fmt.Sprintf("%s %s/s", v.LatencyName, signedDuration(v.Latency.Slope)))
	}
	if v.Backlog {
		parts = append(parts, fmt.Sprintf("in flight %+.1f/s", v.InFlight.Slope))
	}
	return strings.Join(parts, ", ")
}

// signedDuration formats a slope in seconds per second as "+38 ms".
func signedDuration(sec float64) string {
	d := time.Duration(math.Abs(sec) * float64(time.Second))
	sign := "+"
	if sec < 0 {
		sign = "−"
	}
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%s%.2f s", sign, d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%s%.0f ms", sign, float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%s%.0f µs", sign, float64(d)/float64(time.Microsecond))
	}
}

// SessionTime returns the typical time a session lasts, by Little's law
// on the run's own counts over [from, to): the mean sessions in flight
// (inFlight) over the sessions that ended on their own per second
// (finished, counts per interval). While the load fills up that ratio is
// the mean session time for exponential session times, and more for any
// that are never shorter than some length (none end at first), so it errs
// towards judging later; under a growing backlog it is the sessions'
// current time. It reports false when no session ended in the window: the
// sessions outlast it, and their fill-up is all it could see.
func SessionTime(inFlight, finished Samples, from, to time.Duration) (time.Duration, bool) {
	level, ok := Fit(inFlight, from, to, MinBatches, DefaultConfidence)
	ends, ok2 := Fit(finished, from, to, MinBatches, DefaultConfidence)
	if !ok || !ok2 || ends.Mean <= 0 || finished.Step <= 0 {
		return 0, false
	}
	perSecond := ends.Mean / finished.Step.Seconds()
	return time.Duration(level.Mean / perSecond * float64(time.Second)), true
}

// Check fits the trends of a latency series (seconds; named latencyName in
// the reason, e.g. "TTFT") and of the sessions in flight over the window
// [from, to), and says whether the load was steady. Either series may be
// empty.
func Check(latencyName string, latency, inFlight Samples, from, to time.Duration, o CheckOptions) State {
	o = o.withDefaults()
	v := State{Steady: true, LatencyName: latencyName}
	v.Latency, v.LatencyOK = Fit(latency, from, to, o.Batches, o.Confidence)
	flightFrom, flightBatches := o.inFlightWindow(from, to)
	v.InFlight, v.InFlightOK = Fit(inFlight, flightFrom, to, flightBatches, o.Confidence)
	v.Known = v.LatencyOK || v.InFlightOK
	v.LatencyRising = v.LatencyOK && v.Latency.Rising(o.MinRise, 0, o.Overload)
	v.Backlog = v.InFlightOK && v.InFlight.Rising(o.MinRise, 1, o.Overload*o.ArrivalRate)
	v.Steady = !v.LatencyRising && !v.Backlog
	return v
}
