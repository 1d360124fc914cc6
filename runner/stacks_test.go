package runner_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/runner"
	"github.com/loadgen/loadgen/stats"
)

// idleUsers is bench/scenarios/idle.yaml's shape: every user signs in,
// sends one message (rendered from a template), then thinks for ten
// minutes. Requests are paced so that few are in flight: the stacks that
// request workers and the server's connections free share the runtime's
// stack spans with the users' and blur the measure.
const idleUsers = `
version: 1
name: idle
target: {base_url: "http://unused"}
users: {email: "idle-{{.Seq}}@example.com"}
load: {users: %d, duration: 1h, request_rate: 200/s}
conversations:
  - name: idle
    subject: "Order {{randInt 1000 9999}}"
    turns:
      - message: "Where is my order #{{randInt 10000 99999}}?"
      - message: "Thanks, I'll wait."
        think: 10m
`

// maxStackPerIdleUser bounds the stack of a user's goroutine parked in
// think time (plus its share of the run's few other goroutines). A user's
// goroutine that stays shallow has 4 KB; one that ever grew to 8 KB keeps
// 8 KB, since Go shrinks a parked goroutine's stack only when three
// quarters of it are unused (see workers). The bound is midway: the
// measure moves by about 1 KB a user from run to run (3.2–4.3 KB fixed,
// 7.7–9.3 KB before).
const maxStackPerIdleUser = 6 << 10

// TestIdleUsersKeepSmallStacks runs idle users with the live aggregate as
// sink, as loadgen run does, and measures the goroutine stacks they hold
// once all of them think: a memory bound, not a timing. It failed (about
// 8 KB per user) while the sink's bookkeeping (package stats) or template
// rendering ran on the user's goroutine, each alone enough to grow it.
// Not parallel: it reads the whole process's stacks.
func TestIdleUsersKeepSmallStacks(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's instrumentation and doubled stack guard change stack sizes")
	}
	const users = 1000
	synctest.Test(t, func(t *testing.T) {
		_, tgt := startMock(t, nil)
		sc := parseScenario(t, fmt.Sprintf(idleUsers, users))
		client, tr := newClient(t, tgt)
		rn, err := runner.New(sc, client, runner.WithClock(runner.GoClock{}))
		if err != nil {
			t.Fatal(err)
		}
		before := stackInuse()
		rec := &recorder{}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() {
			defer close(done)
			if _, err := rn.Run(ctx, results.Tee(rec, stats.New())); err != nil {
				t.Error(err)
			}
		}()
		// Virtual time: every user has signed in, had its reply and thinks;
		// the request workers have ended (after a second idle).
		time.Sleep(time.Minute) // 3 000 requests at 200/s: 15 s
		synctest.Wait()
		n, errs, kinds := rec.count(results.StepMessage)
		tr.CloseIdleConnections() // the connections' goroutines are not the users'
		synctest.Wait()
		perUser := float64(stackInuse()-before) / users
		cancel()
		<-done
		if n != users || errs != 0 {
			t.Fatalf("%d first messages, %d errors %v; want %d, 0", n, errs, kinds, users)
		}
		t.Logf("goroutine stacks: %.2f KB per idle user", perUser/1024)
		if perUser > maxStackPerIdleUser {
			t.Errorf("goroutine stacks: %.2f KB per idle user, want at most %d KB: "+
				"something deep runs on the user's goroutine, not on a worker", perUser/1024, maxStackPerIdleUser>>10)
		}
	})
}

// stackInuse is runtime.MemStats.StackInuse after two GCs: the first
// shrinks the stacks that can be, the second frees the spans left empty.
func stackInuse() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.StackInuse)
}
