package runner_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/runner"
)

// A message whose template fails for a user's feeder row is never sent: it
// is the scenario's failure, not the target's, it took no time, and a user
// whose session it ends backs off instead of signing in again at once.
// Before, 4 users made 11 862 sessions in 3 s (a sign-in and a conversation
// each, sent to the target), and the 11 855 unsent messages counted as
// messages answered in 0 s: message.latency.p95 < 100ms passed at 0.
func TestTemplateFailureIsNotTheTargets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, nil)
		// The second row has no topic: randInt 5 0 fails.
		sc := loadWithFeeder(t, `
version: 1
name: tmpl
target: {base_url: "http://unused"}
feeders: [{file: data/customers.csv, order: sequential}]
users: {email: "u-{{.Seq}}@example.com"}
load: {users: 2, duration: 30s}
conversations:
  - name: c
    turns: [{message: "about {{randInt 5 (len .Vars.topic)}}"}]
`, "topic\nbilling\n\"\"\n")
		rec, out := run(t, context.Background(), sc, srv, runner.WithSeed(3))
		n, errs, kinds := rec.count(results.StepMessage)
		if kinds[results.KindTemplate] == 0 || errs != kinds[results.KindTemplate] {
			t.Fatalf("message steps %d, errors %v; want template failures only", n, kinds)
		}
		if !results.KindTemplate.Ours() || results.KindTemplate.Timed() {
			t.Errorf("template: Ours %v, Timed %v; want not the target's, and untimed", results.KindTemplate.Ours(), results.KindTemplate.Timed())
		}
		// The failing user backs off: a few dozen sessions in 30 s at most,
		// not thousands.
		if failing := kinds[results.KindTemplate]; failing > 40 {
			t.Errorf("%d sessions of the user whose template fails in %v; want it to back off", failing, out.Stop.Sub(out.Start).Round(time.Second))
		}
	})
}
