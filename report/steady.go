package report

import (
	"math"
	"time"

	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/stats"
	"github.com/loadgen/loadgen/steady"
)

// SteadyState is the steady-state check of a run (package steady): over
// the window after the warm-up of its final constant load, did the TTFT
// (the message latency when no TTFT was measured) and the sessions in
// flight hold level, or climb as a growing backlog makes them?
type SteadyState struct {
	Steady bool   `json:"steady"`
	Reason string `json:"reason,omitempty"` // "TTFT +38 ms/s, in flight +0.9/s" when not steady
	// FromS and ToS are the window checked, seconds from the start.
	FromS float64 `json:"from_s"`
	ToS   float64 `json:"to_s"`
	// SessionS is how long a session typically lasted (Little's law,
	// steady.SessionTime; 0 when none ended). InFlightFromS is where the
	// sessions in flight began to be judged: after their fill-up,
	// FillSessions session times into the hold; ToS when the run was too
	// short for it, and only latency was judged.
	SessionS      float64 `json:"session_s"`
	InFlightFromS float64 `json:"in_flight_from_s"`
	// Latency names the latency series: "TTFT", "latency" (of messages) or
	// "sign-in latency" (of session steps, for a run without messages).
	Latency string `json:"latency,omitempty"`
	// LatencyTrend is its slope in seconds per second, InFlightTrend the
	// sessions in flight's per second, each with its interval.
	LatencyTrend  *Trend `json:"latency_trend,omitempty"`
	InFlightTrend *Trend `json:"in_flight_trend,omitempty"`
}

// Trend is a steady.Trend as the summary writes it: a fitted slope per
// second with its 95 % interval, and the level it was fitted at.
type Trend struct {
	Slope float64 `json:"slope"`
	Lo    float64 `json:"lo"`
	Hi    float64 `json:"hi"`
	Mean  float64 `json:"mean"` // the level over the window
}

// steadyWarmup is the share of the hold left out at its start.
const steadyWarmup = 0.10

// buildSteady checks the run's steadiness over its hold (results.Run.Hold
// to its end), leaving out the first tenth (at least two intervals) as
// warm-up, and for the sessions in flight their fill-up too
// (steady.FillTime). It returns nil when the window is too short to tell.
func buildSteady(run results.Run, start time.Time, dur time.Duration, d *stats.Snapshot) *SteadyState {
	se := &d.Series
	if len(se.Intervals) == 0 || dur <= 0 || run.Hold >= dur {
		return nil
	}
	from := run.Hold + max(time.Duration(steadyWarmup*float64(dur-run.Hold)), 2*se.Width)
	lat := steady.Samples{Start: se.Start().Sub(start), Step: se.Width}
	flight, finished := lat, lat
	name, step := latencySeries(se)
	for i := range se.Intervals {
		iv := &se.Intervals[i]
		h := &iv.TTFT
		if step >= 0 {
			h = &iv.Steps[step].Latency
		}
		v := math.NaN()
		if h.Count() > 0 {
			v = h.Quantile(0.5).Seconds()
		}
		lat.Values = append(lat.Values, v)
		lat.Weights = append(lat.Weights, float64(h.Count()))
		flight.Values = append(flight.Values, se.UsersActive(i))
		finished.Values = append(finished.Values, float64(iv.Finished))
	}
	o := steady.CheckOptions{ArrivalRate: run.TargetRate, InFlightFrom: run.Hold, SessionTime: dur}
	if w, ok := steady.SessionTime(flight, finished, run.Hold, dur); ok {
		o.SessionTime = max(w, se.Width)
	}
	v := steady.Check(name, lat, flight, from, dur, o)
	inFlightFrom := min(dur, max(from, run.Hold+steady.FillSessions*o.SessionTime))
	if !v.Known {
		return nil
	}
	s := &SteadyState{Steady: v.Steady, Reason: v.Reason(), FromS: from.Seconds(), ToS: dur.Seconds(), InFlightFromS: inFlightFrom.Seconds()}
	if o.SessionTime < dur {
		s.SessionS = o.SessionTime.Seconds()
	}
	if v.LatencyOK {
		s.Latency = name
		s.LatencyTrend = trendOf(v.Latency)
	}
	if v.InFlightOK {
		s.InFlightTrend = trendOf(v.InFlight)
	}
	return s
}

// trendOf copies a fitted trend, with 0 for what could not be computed
// (JSON has no NaN).
func trendOf(t steady.Trend) *Trend {
	f := func(x float64) float64 {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0
		}
		return x
	}
	return &Trend{Slope: f(t.Slope), Lo: f(t.Lo), Hi: f(t.Hi), Mean: f(t.Mean)}
}

// latencySeries names the latency the check follows, and the step whose
// latency it is (-1: TTFT): the TTFT of messages, else their latency,
// else, for a scenario without messages (page views only), the sign-ins'
// — every page view waits for one, and a backlog makes them wait longer.
// The sessions in flight cannot stand in for it in a run shorter than its
// sessions' fill-up.
func latencySeries(se *stats.Series) (string, int) {
	if ttftCount(se) > 0 {
		return "TTFT", -1
	}
	msg := results.StepMessage.Index()
	for i := range se.Intervals {
		if se.Intervals[i].Steps[msg].Latency.Count() > 0 {
			return "latency", msg
		}
	}
	return "sign-in latency", results.StepSession.Index()
}

func ttftCount(se *stats.Series) int64 {
	var n int64
	for i := range se.Intervals {
		n += se.Intervals[i].TTFT.Count()
	}
	return n
}
