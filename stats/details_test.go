package stats_test

import (
	"fmt"
	"testing"

	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/stats"
)

// A snapshot keeps the first MaxDetails distinct texts of each error kind,
// and merging shards keeps them (the summary shows them beside the counts).
func TestErrorDetails(t *testing.T) {
	a, b := stats.New(), stats.New()
	for i := range 5 {
		a.Record(&results.Result{Step: results.StepSession, Error: results.KindAuth, Detail: "401 Invalid HMAC signature"})
		a.Record(&results.Result{Step: results.StepSession, Error: results.KindConnect, Detail: fmt.Sprintf("refused %d", i)})
	}
	b.Record(&results.Result{Step: results.StepSession, Error: results.KindAuth, Detail: "401 Timestamp is too far in the past"})
	b.Record(&results.Result{Step: results.StepSession, Error: results.KindTimeout})
	a.Merge(b)
	d := a.Snapshot()
	for kind, want := range map[results.Kind]string{
		results.KindAuth:    "[401 Invalid HMAC signature 401 Timestamp is too far in the past]",
		results.KindConnect: "[refused 0 refused 1 refused 2]",
		results.KindTimeout: "[]",
	} {
		if got := fmt.Sprint(d.Details[kind]); got != want {
			t.Errorf("Details[%s] = %s, want %s", kind, got, want)
		}
	}
}
