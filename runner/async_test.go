package runner_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/loadgen/loadgen/mockserver"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/runner"
)

// TestAsyncTurnIsAckThenPoll: an async turn is an ack step (the post,
// acknowledged at once) and a poll step (the wait for the reply), never a
// message step, so that its acknowledgement's latency does not pool with
// streamed replies; the ack carries the goodput verdict, once.
func TestAsyncTurnIsAckThenPoll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, nil)
		sc := parseScenario(t, `
version: 1
name: t
target: {base_url: "http://unused"}
load: {arrival_rate: 4/s, duration: 1s}
conversations:
  - name: billing
    mode: async
    poll: {interval: 50ms, timeout: 5s}
    turns: [{message: "charged twice?"}]
slo: {latency: 30s}
`)
		rec, out := run(t, context.Background(), sc, srv, runner.WithSeed(3))
		acks, ackErrs, _ := rec.count(results.StepAck)
		polls, _, _ := rec.count(results.StepPoll)
		msgs, _, _ := rec.count(results.StepMessage)
		if acks != int(out.Sessions) || polls != acks || msgs != 0 || ackErrs != 0 {
			t.Errorf("%d sessions: %d ack, %d poll, %d message steps; want one ack and one poll each, no message", out.Sessions, acks, polls, msgs)
		}
		rec.mu.Lock()
		defer rec.mu.Unlock()
		for _, r := range rec.results {
			switch r.Step {
			case results.StepAck:
				if !r.Good {
					t.Errorf("ack step not good though its reply came well within the SLO: %+v", r)
				}
			case results.StepPoll:
				if r.Good {
					t.Errorf("poll step marked good; the ack carries the verdict: %+v", r)
				}
			}
		}
	})
}

// The wait for a connection before the poll (the file limit's, see
// limits.go) is loadgen's, not the target's: the ack's verdict counts the
// exchange without it. With one connection, a poll whose reply never comes
// holds it until its timeout (2s), and the polls queued behind it find
// their replies, ready 100ms after their posts, only then.
func TestAsyncVerdictLeavesOutTheConnectionWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, func(c *mockserver.Config) {
			c.AsyncDelay, c.AsyncNoReply, c.Seed = mockserver.Fixed(100*time.Millisecond), 0.3, 3
		})
		sc := parseScenario(t, `
version: 1
name: t
target: {base_url: "http://unused"}
load: {arrival_rate: 10/s, arrivals: constant, duration: 1s}
conversations:
  - name: billing
    mode: async
    poll: {interval: 10ms, timeout: 2s}
    turns: [{message: "charged twice?"}]
slo: {latency: 1s}
`)
		rec, out := run(t, context.Background(), sc, srv, runner.WithFDLimit(64+2), runner.WithGrace(time.Minute)) // 1 connection
		if out.Saturation.MaxConns != 1 || out.Saturation.ConnWaits == 0 {
			t.Fatalf("saturation %+v; want 1 connection, waited for", out.Saturation)
		}
		rec.mu.Lock()
		defer rec.mu.Unlock()
		replied := map[uint64]bool{} // sessions whose poll got the reply
		lagged := 0
		for _, r := range rec.results {
			if r.Step == results.StepPoll && r.OK() {
				replied[r.Session] = true
				if r.Lag() > time.Second {
					lagged++
				}
			}
		}
		for _, r := range rec.results {
			if r.Step == results.StepAck && replied[r.Session] && !r.Good {
				t.Errorf("ack not good, though its reply was ready 100ms after the post (SLO 1s): %+v", r)
			}
		}
		if len(replied) < 3 || lagged == 0 {
			t.Errorf("%d replies, %d of them polled after waiting over 1s for the connection; want at least 3, and some", len(replied), lagged)
		}
	})
}
