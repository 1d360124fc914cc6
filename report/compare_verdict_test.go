package report_test

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/results/resultstest"
	"github.com/loadgen/loadgen/stats"
)

// shortSummary is a CI-length run: sessions at 20/s for seconds.
func shortSummary(seed uint64, seconds int, ttft time.Duration) *report.Summary {
	snap := testSnapshot(resultstest.Config{Seed: seed, Sessions: 20 * seconds, Rate: 20, TTFT: ttft})
	return report.Build(results.Run{ID: fmt.Sprintf("run-%d", seed), Scenario: "demo"}, snap)
}

// Each row has one verdict, and it is the verdict of the p the row shows
// (p < 0.05), so a row can no longer read "p=0.003  within noise"; the row
// of a metric that a --fail-on rule names agrees with the rule.
func TestCompareRowVerdictAgreesWithItsPAndRules(t *testing.T) {
	for _, seconds := range []int{8, 15, 60} {
		base, worse := shortSummary(1, seconds, 100*time.Millisecond), shortSummary(2, seconds, 170*time.Millisecond)
		c := report.Compare(base, worse, mustRule(t, "message.ttft.p95 +10%"), mustRule(t, "message.ttft.p50 +10%"))
		for _, ch := range c.Changes {
			if math.IsNaN(ch.P) {
				continue
			}
			if beyond := ch.P < 0.05; beyond != (ch.Verdict == report.BeyondNoise) {
				t.Errorf("%d s: %s shows p %.4f and says %q", seconds, ch.Metric, ch.P, ch.Verdict)
			}
		}
		for _, r := range c.Rules {
			row := change(c, r.Change.Metric)
			if row.Metric == "" {
				t.Errorf("%d s: rule %q has no row in the table", seconds, r.Expr)
				continue
			}
			if row.Verdict != r.Change.Verdict || row.P != r.Change.P {
				t.Errorf("%d s: rule %q judged %s (p %.4f), its row %s (p %.4f)", seconds, r.Expr, r.Change.Verdict, r.Change.P, row.Verdict, row.P)
			}
		}
		// A +70 % TTFT is flagged by the rules chosen in advance, even in
		// a short run.
		if seconds >= 15 && !c.Failed() {
			t.Errorf("%d s: +70%% TTFT passed the rules: %+v", seconds, c.Rules)
		}
	}
}

// Every row says how large a change the run could have flagged, and a run
// too short to flag anything says so instead of calling everything noise.
func TestCompareStatesTheDetectableChange(t *testing.T) {
	long := report.Compare(shortSummary(1, 60, 100*time.Millisecond), shortSummary(2, 60, 100*time.Millisecond))
	ch := change(long, "message.ttft.p95")
	if !(ch.Detectable > 0 && ch.Detectable < 1) {
		t.Errorf("60 s runs: message.ttft.p95 detectable change %v, want a fraction between 0 and 1", ch.Detectable)
	}
	tiny := report.Compare(shortSummary(1, 6, 100*time.Millisecond), shortSummary(2, 6, 300*time.Millisecond))
	var out bytes.Buffer
	if err := report.WriteCompareText(&out, tiny); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"detectable", "too short"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("compare of 6 s runs lacks %q:\n%s", want, out.String())
		}
	}
}

// A rule that these runs could not have failed on noise grounds (detectable
// "none": too few intervals for its family's level) is judged on the change
// alone, as a rule without a noise estimate is: before, 8 s runs with five
// rules passed a +143 % TTFT p50 and a −34 % request rate "within noise",
// while 3 s runs (no estimate at all) failed them.
func TestCompareRuleTooShortToJudgeIsJudgedOnItsChange(t *testing.T) {
	base, worse := shortSummary(1, 6, 100*time.Millisecond), shortSummary(2, 6, 300*time.Millisecond)
	c := report.Compare(base, worse,
		mustRule(t, "message.ttft.p95 +10%"), mustRule(t, "message.ttft.p50 +10%"),
		mustRule(t, "message.latency.p95 +10%"), mustRule(t, "message.latency.p50 +10%"),
		mustRule(t, "errors.rate +1pp"))
	var judged int
	for _, r := range c.Rules {
		if !math.IsNaN(r.Change.Detectable) || math.IsNaN(r.Change.PRaw) {
			continue
		}
		judged++
		if r.Pass && r.Change.Rel > 0.1 {
			t.Errorf("rule %q passed a change of %+.1f%% that these runs could not flag: %s", r.Expr, r.Change.Rel*100, r.Reason)
		}
		if !r.Pass && !strings.Contains(r.Reason, "too short") {
			t.Errorf("rule %q failed without saying the runs were too short to judge noise: %s", r.Expr, r.Reason)
		}
	}
	if judged == 0 {
		t.Fatalf("no rule of 6 s runs had detectable none; the test needs one: %+v", c.Rules)
	}
	if !c.Failed() {
		t.Errorf("+200%% TTFT passed every rule: %+v", c.Rules)
	}
}

// A rule past its limit but within noise says how large a change these
// runs could have flagged, so a limit below it is not mistaken for a check.
func TestCompareRuleWithinNoiseSaysWhatItCouldFlag(t *testing.T) {
	c := report.Compare(shortSummary(1, 15, 100*time.Millisecond), shortSummary(2, 15, 115*time.Millisecond),
		mustRule(t, "message.ttft.p95 +1%"))
	r := c.Rules[0]
	if !r.Pass || r.Change.Verdict != report.WithinNoise || math.IsNaN(r.Change.Detectable) || r.Change.Rel < 0.01 {
		t.Fatalf("want a change past +1%% but within noise, with an estimate; got %+v", r)
	}
	if !strings.Contains(r.Reason, "flag only changes over") {
		t.Errorf("reason %q does not say what these runs could flag", r.Reason)
	}
}

// failedMessages is a CI-length run whose every message failed with a 503:
// sessions and conversations work, nothing measured a TTFT.
func failedMessages(seed uint64, seconds int) *report.Summary {
	evs := resultstest.Generate(resultstest.Config{Seed: seed, Sessions: 20 * seconds, Rate: 20})
	for _, e := range evs {
		if r := e.Result; r != nil && r.Step == results.StepMessage {
			*r = results.Result{Shard: r.Shard, User: r.User, Session: r.Session, Conversation: r.Conversation, Turn: r.Turn,
				Step: r.Step, Intended: r.Intended, Start: r.Start, Code: 503, Error: results.KindHTTP5xx, Latency: time.Millisecond}
		}
	}
	s := stats.New()
	resultstest.Replay(s, evs)
	return report.Build(results.Run{ID: fmt.Sprintf("failed-%d", seed), Scenario: "demo"}, s.Snapshot())
}

// A rule on a metric that one run has no samples of fails, as a threshold
// on no samples does: before, a new release whose every message failed
// passed 'message.ttft.p95 +10%' as "changed -100.0%, within the limit".
func TestCompareRuleOnNoSamplesFails(t *testing.T) {
	good, broken := shortSummary(1, 20, 100*time.Millisecond), failedMessages(2, 20)
	for _, tc := range []struct {
		name      string
		base, new *report.Summary
		side      string
	}{
		{"new run measured nothing", good, broken, "new run"},
		{"baseline measured nothing", broken, good, "baseline"},
		{"neither measured anything", broken, failedMessages(3, 20), "baseline"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := report.Compare(tc.base, tc.new, mustRule(t, "message.ttft.p95 +10%"), mustRule(t, "message.tpot.p50 +10%"))
			for _, r := range c.Rules {
				if r.Pass || !strings.Contains(r.Reason, "no samples") || !strings.Contains(r.Reason, tc.side) {
					t.Errorf("rule %q: pass %v, %q; want a failure for no samples in the %s", r.Expr, r.Pass, r.Reason, tc.side)
				}
			}
			if ch := change(c, "message.ttft.p95"); ch.Verdict != report.NoSamples {
				t.Errorf("message.ttft.p95 row verdict %q, want %q", ch.Verdict, report.NoSamples)
			}
			var out bytes.Buffer
			if err := report.WriteCompareText(&out, c); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), "no samples") {
				t.Errorf("the table does not say no samples:\n%s", out.String())
			}
		})
	}
}
