package steady

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// series returns n one-second values f(i) + noise.
func series(n int, f func(i int) float64, noise func() float64) Samples {
	s := Samples{Step: time.Second, Values: make([]float64, n)}
	for i := range s.Values {
		s.Values[i] = f(i) + noise()
	}
	return s
}

func TestCheck(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	gauss := func(sd float64) func() float64 { return func() float64 { return sd * r.NormFloat64() } }
	flat := func(level float64) func(int) float64 { return func(int) float64 { return level } }
	ramp := func(level, slope float64) func(int) float64 {
		return func(i int) float64 { return level + slope*float64(i) }
	}
	tests := []struct {
		name            string
		latency, flight Samples
		from, to        time.Duration
		known, steady   bool
		rising, backlog bool
		reason          string
	}{
		{
			name:    "level",
			latency: series(60, flat(0.5), gauss(0.05)), flight: series(60, flat(4), gauss(1)),
			from: 5 * time.Second, to: 60 * time.Second, known: true, steady: true,
		},
		{
			name:    "backlog growing",
			latency: series(20, ramp(0.5, 0.038), gauss(0.02)), flight: series(20, ramp(4, 0.9), gauss(0.5)),
			from: 2 * time.Second, to: 20 * time.Second, known: true, rising: true, backlog: true,
			reason: "TTFT +3",
		},
		{
			name:    "latency only",
			latency: series(30, ramp(1, 0.2), gauss(0.05)), flight: series(30, flat(3), gauss(0.3)),
			from: 0, to: 30 * time.Second, known: true, rising: true,
			reason: "TTFT +2",
		},
		{
			name:    "warm-up backlog clearing is steady",
			latency: series(30, ramp(3, -0.08), gauss(0.05)), flight: series(30, ramp(30, -0.8), gauss(0.5)),
			to: 30 * time.Second, known: true, steady: true,
		},
		{
			name: "significant but immaterial rise",
			// +0.01 ms/s on 100 ms over 60 s: 0.6 %.
			latency: series(60, ramp(0.1, 0.00001), gauss(0.000001)), flight: series(60, ramp(2, 0.001), gauss(0.001)),
			to: 60 * time.Second, known: true, steady: true,
		},
		{
			name:    "too short to tell",
			latency: series(4, ramp(0.5, 1), gauss(0)), flight: series(4, ramp(1, 1), gauss(0)),
			to: 4 * time.Second, known: false, steady: true,
		},
		{
			name:    "window beyond the series",
			latency: series(10, flat(1), gauss(0.1)),
			from:    20 * time.Second, to: 40 * time.Second, known: false, steady: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Check("TTFT", tt.latency, tt.flight, tt.from, tt.to, CheckOptions{})
			if v.Known != tt.known || v.Steady != tt.steady || v.LatencyRising != tt.rising || v.Backlog != tt.backlog {
				t.Errorf("Check = known %v, steady %v, latency rising %v, backlog %v; want %v, %v, %v, %v (latency %+v, in flight %+v)",
					v.Known, v.Steady, v.LatencyRising, v.Backlog, tt.known, tt.steady, tt.rising, tt.backlog, v.Latency, v.InFlight)
			}
			if got := v.Reason(); (got == "") != (tt.reason == "") || !strings.HasPrefix(got, tt.reason) {
				t.Errorf("Reason() = %q, want it to start with %q", got, tt.reason)
			}
		})
	}
}

// TestFalseAlarms: a level series whose values are strongly autocorrelated
// (AR(1) with coefficient 0.8, as per-second latencies of a queue are) is
// called rising rarely: batch means keep the slope's interval honest.
func TestFalseAlarms(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	const runs = 1000
	alarms := 0
	for range runs {
		x := 0.0
		s := Samples{Step: time.Second, Values: make([]float64, 120)}
		for i := range s.Values {
			x = 0.8*x + r.NormFloat64()
			s.Values[i] = 10 + x
		}
		// MinRise tiny: count the statistical alarms alone.
		if v := Check("latency", s, Samples{}, 0, 120*time.Second, CheckOptions{MinRise: 1e-9}); !v.Steady {
			alarms++
		}
	}
	// One-sided 2.5 % nominal; batch means of an AR(1) with 12-step batches
	// leave a little correlation, so allow up to 6 %.
	if rate := float64(alarms) / runs; rate > 0.06 {
		t.Errorf("a level AR(1) series was called rising in %.1f%% of %d runs, want ≤ 6%%", 100*rate, runs)
	}
}

func TestFitWeights(t *testing.T) {
	// Two interleaved populations: heavy intervals at 1, light ones at 3.
	s := Samples{Step: time.Second}
	for i := range 40 {
		if i%2 == 0 {
			s.Values, s.Weights = append(s.Values, 1), append(s.Weights, 9)
		} else {
			s.Values, s.Weights = append(s.Values, 3), append(s.Weights, 1)
		}
	}
	tr, ok := Fit(s, 0, 40*time.Second, 10, 0.95)
	if !ok || math.Abs(tr.Mean-1.2) > 1e-9 || math.Abs(tr.Slope) > 1e-9 {
		t.Errorf("Fit(weighted) = %+v, %v; want mean 1.2, slope 0", tr, ok)
	}
	if tr.Window != 40*time.Second {
		t.Errorf("Fit window = %v, want 40s", tr.Window)
	}
}

func TestReason(t *testing.T) {
	tests := []struct {
		v    State
		want string
	}{
		{State{Steady: true}, ""},
		{State{LatencyName: "TTFT", LatencyRising: true, Latency: Trend{Slope: 0.038}, Backlog: true, InFlight: Trend{Slope: 0.9}}, "TTFT +38 ms/s, in flight +0.9/s"},
		{State{LatencyName: "latency", LatencyRising: true, Latency: Trend{Slope: 1.5}}, "latency +1.50 s/s"},
		{State{LatencyName: "TTFT", LatencyRising: true, Latency: Trend{Slope: 0.0004}}, "TTFT +400 µs/s"},
		{State{Backlog: true, InFlight: Trend{Slope: 12.34}}, "in flight +12.3/s"},
	}
	for _, tt := range tests {
		if got := tt.v.Reason(); got != tt.want {
			t.Errorf("Reason() = %q, want %q", got, tt.want)
		}
	}
}

// TestSessionTime: Little's law on a load filling up. Sessions of
// exponential time W arriving at λ hold λW(1 − e^(−t/W)) in flight t after
// the start and end at λ(1 − e^(−t/W)) a second: the ratio is W at every
// moment, long before the fill-up is over. Sessions that all last D end
// none before D: no answer, however many are in flight.
func TestSessionTime(t *testing.T) {
	const rate = 5.0
	for _, w := range []float64{2, 30, 90} {
		var flight, ended Samples
		flight.Step, ended.Step = time.Second, time.Second
		for i := range 60 {
			mid := float64(i) + 0.5
			flight.Values = append(flight.Values, rate*w*(1-math.Exp(-mid/w)))
			ended.Values = append(ended.Values, rate*(1-math.Exp(-mid/w)))
		}
		got, ok := SessionTime(flight, ended, 0, time.Minute)
		if !ok || math.Abs(got.Seconds()-w) > 0.01*w {
			t.Errorf("W = %vs: SessionTime = %v, %v; want %vs", w, got, ok, w)
		}
	}
	fixed := Samples{Step: time.Second, Values: make([]float64, 60)}
	for i := range fixed.Values {
		fixed.Values[i] = rate * float64(i)
	}
	none := Samples{Step: time.Second, Values: make([]float64, 60)}
	if got, ok := SessionTime(fixed, none, 0, time.Minute); ok {
		t.Errorf("no session ended: SessionTime = %v, true; want false", got)
	}
}

// TestInFlightAfterFillUp: with a session time set, sessions in flight
// climbing as a load fills up are not judged before FillSessions of it,
// and not at all in a window shorter than MinBatches more; latency still
// is.
func TestInFlightAfterFillUp(t *testing.T) {
	flight := Samples{Step: time.Second}
	lat := Samples{Step: time.Second}
	for i := range 60 {
		flight.Values = append(flight.Values, 5*float64(i)) // a climb all the way
		lat.Values = append(lat.Values, 0.3)
	}
	tests := []struct {
		session     time.Duration
		wantFitted  bool
		wantBacklog bool
	}{
		{0, true, true},                  // no session time: judged as before
		{2 * time.Second, true, true},    // short sessions: past their fill-up, a climb is a backlog
		{5 * time.Second, true, true},    // judged from 15 s on batches of 5 s
		{10 * time.Second, false, false}, // from 30 s, 3 batches of 10 s: fewer than MinBatches
		{40 * time.Second, false, false}, // the run is all fill-up
	}
	for _, tt := range tests {
		v := Check("TTFT", lat, flight, 6*time.Second, time.Minute, CheckOptions{ArrivalRate: 5, SessionTime: tt.session})
		if v.InFlightOK != tt.wantFitted || v.Backlog != tt.wantBacklog {
			t.Errorf("session time %v: in flight fitted %v, backlog %v; want %v, %v", tt.session, v.InFlightOK, v.Backlog, tt.wantFitted, tt.wantBacklog)
		}
		if !v.LatencyOK || v.LatencyRising {
			t.Errorf("session time %v: latency fitted %v, rising %v; want a flat fit", tt.session, v.LatencyOK, v.LatencyRising)
		}
	}
}
