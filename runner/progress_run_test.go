package runner_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/loadgen/loadgen/mockserver"
	"github.com/loadgen/loadgen/runner"
)

// TestProgressPhases samples Runner.Progress through a run on virtual time:
// ramping up, steady, then draining with the grace period counting down
// after the duration, and done; and interrupted after a cancel.
func TestProgressPhases(t *testing.T) {
	const sc = `
version: 1
name: t
target: {base_url: "http://unused"}
load:
  stages: [{duration: 2s, target: 4/s}, {duration: 2s, target: 4/s}]
conversations:
  - name: c
    turns:
      - message: hi
      - message: again
        think: 3s
`
	type sample struct {
		at      time.Duration
		phase   runner.Phase
		grace   time.Duration
		elapsed time.Duration
	}
	for _, tt := range []struct {
		name   string
		cancel time.Duration // 0: none
		ttft   time.Duration // the mock's
		want   []sample
	}{
		{"duration ends", 0, 5 * time.Millisecond, []sample{
			{time.Second, runner.PhaseRampingUp, 0, time.Second},
			{3 * time.Second, runner.PhaseSteady, 0, 3 * time.Second},
			{5 * time.Second, runner.PhaseDraining, 9 * time.Second, 5 * time.Second},
		}},
		// Replies take 2 s: requests are in flight when the run is interrupted.
		{"interrupted", 2500 * time.Millisecond, 2 * time.Second, []sample{
			{3 * time.Second, runner.PhaseInterrupted, 9500 * time.Millisecond, 3 * time.Second},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, srv := startMock(t, func(c *mockserver.Config) { c.TTFT = mockserver.Fixed(tt.ttft) })
				client, tr := newClient(t, srv)
				defer tr.CloseIdleConnections()
				rn, err := runner.New(parseScenario(t, sc), client, runner.WithClock(runner.GoClock{}), runner.WithGrace(10*time.Second))
				if err != nil {
					t.Fatal(err)
				}
				if p := rn.Progress(); p.Phase != runner.PhaseStarting || p.Duration != 4*time.Second {
					t.Errorf("before Run: %+v, want starting, duration 4s", p)
				}
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				if tt.cancel > 0 {
					time.AfterFunc(tt.cancel, cancel)
				}
				got := make(chan []runner.Progress, 1)
				go func() {
					var ps []runner.Progress
					start := time.Now()
					for _, s := range tt.want {
						time.Sleep(s.at - time.Since(start))
						ps = append(ps, rn.Progress())
					}
					got <- ps
				}()
				if _, err := rn.Run(ctx, &recorder{}); err != nil {
					t.Fatal(err)
				}
				for i, p := range <-got {
					w := tt.want[i]
					if p.Phase != w.phase || p.GraceLeft != w.grace || p.Elapsed != w.elapsed {
						t.Errorf("at %v: %+v; want phase %q, grace left %v, elapsed %v", w.at, p, w.phase, w.grace, w.elapsed)
					}
				}
				if p := rn.Progress(); p.Phase != runner.PhaseDone || p.Active != 0 {
					t.Errorf("after Run: %+v, want done, no session active", p)
				}
			})
		})
	}
}
