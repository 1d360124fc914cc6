package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/scenarios"
)

// ConfigOf describes, as the run's results.Config, the scenario sc (with the command line's overrides
// already applied) and the run's own settings, such as grace or seed,
// given as extra.
func ConfigOf(sc *scenarios.Scenario, extra ...results.Setting) *results.Config {
	c := &results.Config{Description: sc.Description}
	add := func(name, format string, args ...any) {
		c.Settings = append(c.Settings, results.Setting{Name: name, Value: fmt.Sprintf(format, args...)})
	}
	add("scenario", "%s", sc.Summary())
	if sc.File != "" {
		add("file", "%s", sc.File)
	}
	add("target", "%s", results.RedactURL(sc.Target.BaseURL))
	add("load", "%s", describeLoad(&sc.Load))
	if sc.Load.MaxSessions > 0 {
		add("max sessions", "%d in flight", sc.Load.MaxSessions)
	}
	if !sc.Load.RequestRate.IsZero() {
		add("request rate cap", "%s (burst %d)", sc.Load.RequestRate, max(sc.Load.Burst, 1))
	}
	users := fmt.Sprintf("%s anonymous", fmtPct(sc.Users.AnonymousShare))
	if sc.Users.ReuseSession {
		users += ", one session per user"
	}
	if sc.Users.Returning > 0 {
		users += fmt.Sprintf(", %s returning", fmtPct(sc.Users.Returning))
	}
	add("users", "%s", users)
	if n := len(sc.Feeders); n > 0 {
		add("feeders", "%d", n)
	}
	var timeouts []string
	if sc.Target.Timeout > 0 {
		timeouts = append(timeouts, "request "+sc.Target.Timeout.String())
	}
	if sc.Target.ConnectTimeout > 0 {
		timeouts = append(timeouts, "connect "+sc.Target.ConnectTimeout.String())
	}
	if len(timeouts) > 0 {
		add("timeouts", "%s", strings.Join(timeouts, ", "))
	}
	if len(sc.Target.Headers) > 0 {
		names := make([]string, 0, len(sc.Target.Headers))
		for k := range sc.Target.Headers {
			names = append(names, k)
		}
		slices.Sort(names)
		add("extra headers", "%s (values not shown)", strings.Join(names, ", "))
	}
	if slo := describeSLO(sc.SLO); slo != "" {
		add("SLO", "%s", slo)
	}
	if len(sc.Thresholds) > 0 {
		exprs := make([]string, len(sc.Thresholds))
		for i, t := range sc.Thresholds {
			exprs[i] = t.Expr
		}
		add("thresholds", "%s", strings.Join(exprs, "; "))
	}
	c.Settings = append(c.Settings, extra...)
	total := 0
	for _, cv := range sc.Conversations {
		total += cv.Weight
	}
	for _, cv := range sc.Conversations {
		turns := fmt.Sprint(len(cv.Turns))
		if t := cv.Transcript; t != nil {
			turns = fmt.Sprintf("replayed from %s (timing %s, speed %g)", t.File, t.Timing, max(t.Speed, 1))
		}
		mode := string(cmp.Or(cv.Mode, scenarios.Stream))
		c.Conversations = append(c.Conversations, results.ConfigConversation{Name: cv.Name, Weight: cv.Weight,
			Share: fmtPct(float64(cv.Weight) / float64(max(total, 1))), Mode: mode, Turns: turns})
	}
	return c
}

func describeLoad(l *scenarios.Load) string {
	switch {
	case l.Model == scenarios.Closed:
		return fmt.Sprintf("closed model, %d users for %s", l.Users, l.Duration)
	case l.Model == scenarios.Replay:
		return fmt.Sprintf("replay at the recorded start times, up to %s", l.Duration)
	case len(l.Stages) > 0:
		var st []string
		for _, s := range l.Stages {
			st = append(st, fmt.Sprintf("%s → %s", s.Duration, s.Target))
		}
		return fmt.Sprintf("open model, stages %s (%s in all)%s", strings.Join(st, ", "), l.Duration, arrivalsNote(l))
	}
	return fmt.Sprintf("open model, %s sessions for %s%s", l.Rate, l.Duration, arrivalsNote(l))
}

func arrivalsNote(l *scenarios.Load) string {
	if l.Arrivals == scenarios.Poisson {
		return ", Poisson arrivals"
	}
	return ""
}

func describeSLO(s scenarios.SLO) string {
	var parts []string
	for _, b := range []struct {
		name string
		d    time.Duration
	}{{"TTFT", s.MaxTTFT}, {"latency", s.MaxLatency}, {"inter-token gap", s.MaxGap}} {
		if b.d > 0 {
			parts = append(parts, fmt.Sprintf("%s ≤ %s", b.name, b.d))
		}
	}
	return strings.Join(parts, ", ")
}
