package runner_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/runner"
)

// TestPoissonArrivalsInARun: with arrivals: poisson each session is due at
// the Poisson pacer's time for its hit (on the bubble's clock, exactly),
// and two shards with one seed split that one process between them.
func TestPoissonArrivalsInARun(t *testing.T) {
	const seed = 11
	base, err := runner.NewStagesPacer(runner.Ramp{Duration: 2 * time.Second, From: 30, To: 30})
	if err != nil {
		t.Fatal(err)
	}
	var want []float64
	p := runner.NewPoissonPacer(base, seed)
	for n := uint64(0); ; n++ {
		at, ok := p.At(n)
		if !ok {
			break
		}
		want = append(want, at.Seconds())
	}
	yaml := fmt.Sprintf(twoTurns, "{arrival_rate: 30/s, duration: 2s, arrivals: poisson}")
	due := func(rec *recorder, out runner.Outcome) map[uint64]float64 {
		got := map[uint64]float64{}
		for _, r := range rec.results {
			if r.Step == results.StepSession {
				got[r.User] = r.Intended.Sub(out.Start).Seconds()
			}
		}
		return got
	}
	check := func(t *testing.T, got map[uint64]float64, shard, shards int) {
		t.Helper()
		n := 0
		for hit := shard; hit < len(want); hit += shards {
			n++
			if at, ok := got[uint64(hit+1)]; !ok || math.Abs(at-want[hit]) > 1e-6 {
				t.Errorf("shard %d/%d: session of hit %d due at %.6fs (found %v), want %.6fs", shard, shards, hit, at, ok, want[hit])
			}
		}
		if len(got) != n {
			t.Errorf("shard %d/%d: %d sessions, want %d", shard, shards, len(got), n)
		}
	}
	t.Run("one process", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			_, srv := startMock(t, nil)
			rec, out := run(t, context.Background(), parseScenario(t, yaml), srv, runner.WithSeed(seed))
			check(t, due(rec, out), 0, 1)
		})
	})
	for shard := range 2 {
		t.Run(fmt.Sprintf("shard %d of 2", shard), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, srv := startMock(t, nil)
				rec, out := run(t, context.Background(), parseScenario(t, yaml), srv, runner.WithSeed(seed), runner.WithShard(shard, 2))
				check(t, due(rec, out), shard, 2)
			})
		})
	}
}
