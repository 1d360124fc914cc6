package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// runSchedule runs the open model (schedule.yaml: sign in, create a
// conversation) at each rate in turn and compares the achieved arrival rate
// with the target, and reports the schedule lag of the arrivals.
func runSchedule(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("schedule", flag.ContinueOnError)
	list := fs.String("rates", "500,2000", "comma-separated arrival rates, sessions/s")
	dur := fs.Duration("duration", 20*time.Second, "each run's duration")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, f := range strings.Split(*list, ",") {
		rate, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || rate <= 0 {
			return fmt.Errorf("-rates: bad rate %q", f)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := e.schedule(rate, *dur); err != nil {
			return err
		}
	}
	return nil
}

func (e *env) schedule(rate int, dur time.Duration) error {
	m, err := e.startMock(zeroLatency...)
	if err != nil {
		return err
	}
	defer m.stop(10 * time.Second)
	p, path, err := e.startRun(runSpec{scenario: "schedule.yaml", target: m.url, rate: fmt.Sprintf("%d/s", rate),
		duration: dur, grace: 5 * time.Second})
	if err != nil {
		return err
	}
	if err := p.wait(dur + time.Minute); err != nil {
		return err
	}
	cpu, _ := p.rusage()
	s, err := readSummary(path)
	if err != nil {
		return err
	}
	sc, sess := s.Schedule, s.Steps["session"]
	off := 100 * (sc.AchievedRate/sc.TargetRate - 1)
	report(figure{Bench: "5 schedule", Name: fmt.Sprintf("achieved ÷ target at %d sessions/s", rate),
		Value: fmt.Sprintf("%.2f / %.0f /s (%+.3f %%)", sc.AchievedRate, sc.TargetRate, off),
		Goal:  "within 0.5 %", Met: met(math.Abs(off) <= 0.5),
		Detail: fmt.Sprintf("%d sessions in %.2fs, %d session errors; harness CPU %.1fs",
			sess.Count, s.Duration, sess.Errors, cpu.Seconds())})
	report(figure{Bench: "5 schedule", Name: fmt.Sprintf("arrival lag p99 at %d sessions/s", rate),
		Value: fmt.Sprintf("%.3f ms", sess.Lag.P99*1e3), Goal: "< 1 ms", Met: met(sess.Lag.P99 < 1e-3),
		Detail: fmt.Sprintf("session steps: p50 %.3f ms, max %.1f ms; all steps (schedule.lag_p99) %.3f ms",
			sess.Lag.P50*1e3, sess.Lag.Max*1e3, sc.LagP99*1e3)})
	return nil
}
