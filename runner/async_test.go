package runner_test

import (
	"context"
	"testing"
	"testing/synctest"

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
