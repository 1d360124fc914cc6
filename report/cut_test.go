package report_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/stats"
)

// cutRun is a run of 100 messages answered in 100 ms (TTFT 50 ms) and cut
// more whose replies the run's stop canceled after they had run for cutAt,
// without a first token.
func cutRun(cut int, cutAt time.Duration) *report.Summary {
	agg := stats.New()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range 100 + cut {
		r := &results.Result{User: uint64(i + 1), Session: uint64(i + 1), Conversation: "c", Turn: 1, Step: results.StepMessage,
			Intended: t0.Add(time.Duration(i) * 100 * time.Millisecond), Code: 200}
		r.Start = r.Intended
		if i < 100 {
			r.Latency, r.TTFB, r.TTFT, r.Tokens, r.Parts, r.Shape, r.Good = 100*time.Millisecond, 40*time.Millisecond, 50*time.Millisecond, 5, 5, results.ShapeModel, true
		} else {
			r.Latency, r.Error, r.Detail = cutAt, results.KindCanceled, "run stopped"
		}
		agg.Record(r)
	}
	return report.Build(results.Run{ID: "cut", Scenario: "demo", Start: t0, Duration: 20 * time.Second}, agg.Snapshot())
}

func evalOne(t *testing.T, s *report.Summary, expr string) report.Verdict {
	t.Helper()
	th, err := report.ParseThreshold(expr)
	if err != nil {
		t.Fatal(err)
	}
	return th.Eval(s)
}

// A step the run's stop canceled after it had already run longer than a
// threshold's bound is known to exceed it: the threshold counts it at how
// long it had run (a lower bound), and fails. Before, a target that hung on
// 10 % of its replies passed message.latency.p99 < 10s with 100 ms, every
// hung reply being "canceled (loadgen's)" and left out.
func TestThresholdsCountStepsCutShortAtLeastAsLongAsTheyRan(t *testing.T) {
	hung := cutRun(10, 20*time.Second)
	for _, expr := range []string{"message.latency.p99 < 10s", "message.ttft.p95 < 2s", "message.ttfb.p99 < 2s", "message.latency.max < 10s"} {
		v := evalOne(t, hung, expr)
		if v.Pass || !v.AtLeast || v.Value < 19 {
			t.Errorf("%s with 10 of 110 replies cut after 20 s: pass %v, at least %v, value %v; want a failure at least 20s", expr, v.Pass, v.AtLeast, v.Value)
		}
		if got := v.Show(); !strings.HasPrefix(got, "at least ") {
			t.Errorf("%s shows %q, want it to say 'at least'", expr, got)
		}
	}
	// The completed replies' own figures are unchanged in the summary.
	if got := hung.Steps.Get(results.StepMessage).Latency.P99; got > 0.2 {
		t.Errorf("message latency p99 %v, want the completed replies' 0.1 s", got)
	}

	// Cut short early (--grace 0 on a healthy target): they say nothing
	// beyond the completed replies, and the verdicts are theirs.
	early := cutRun(10, 30*time.Millisecond)
	for _, expr := range []string{"message.latency.p99 < 10s", "message.ttft.p95 < 2s"} {
		if v := evalOne(t, early, expr); !v.Pass || v.AtLeast {
			t.Errorf("%s with 10 replies cut after 30 ms: pass %v, at least %v, value %v; want a pass on the completed replies", expr, v.Pass, v.AtLeast, v.Value)
		}
	}
}

func TestTextSaysAtLeast(t *testing.T) {
	s := cutRun(10, 20*time.Second)
	th, err := report.ParseThreshold("message.latency.p99 < 10s")
	if err != nil {
		t.Fatal(err)
	}
	report.Evaluate([]*report.Threshold{th}, s)
	var b strings.Builder
	if err := report.WriteText(&b, s); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"FAIL  message.latency.p99 < 10s  at least 20.0s", "at least: counting the requests the run's stop cut short"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the summary lacks %q:\n%s", want, b.String())
		}
	}
}
