package report_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/resultfile"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/results/resultstest"
)

// runSummary is the summary of a synthetic run of 1200 sessions at 20/s
// (60 one-second intervals) with the given typical TTFT.
func runSummary(seed uint64, ttft time.Duration) *report.Summary {
	snap := testSnapshot(resultstest.Config{Seed: seed, Sessions: 1200, Rate: 20, TTFT: ttft})
	return report.Build(results.Run{ID: fmt.Sprintf("run-%d", seed), Scenario: "demo"}, snap)
}

func mustRule(t *testing.T, expr string) *report.Rule {
	t.Helper()
	r, err := report.ParseRule(expr)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func change(c *report.Comparison, metric string) report.Change {
	for _, ch := range c.Changes {
		if ch.Metric == metric {
			return ch
		}
	}
	return report.Change{}
}

func TestCompareFlagsAPlantedRegression(t *testing.T) {
	base := runSummary(1, 100*time.Millisecond)
	worse := runSummary(2, 150*time.Millisecond) // +50 % TTFT
	c := report.Compare(base, worse, mustRule(t, "message.ttft.p95 +10%"), mustRule(t, "errors.rate +1pp"))
	for _, m := range []string{"message.ttft.p50", "message.ttft.p95"} {
		ch := change(c, m)
		if ch.Verdict != report.BeyondNoise || !ch.Worse || ch.Rel < 0.3 {
			t.Errorf("%s: change %+.1f%% %s (worse %v), want about +50%% beyond noise and worse", m, ch.Rel*100, ch.Verdict, ch.Worse)
		}
	}
	if !c.Failed() || c.Rules[0].Pass || !c.Rules[1].Pass {
		t.Errorf("rules = %+v, want the TTFT rule to fail and the error-rate rule to pass", c.Rules)
	}
}

func TestCompareDoesNotFlagTheSameConfiguration(t *testing.T) {
	for seed := uint64(10); seed < 15; seed++ {
		a, b := runSummary(seed, 100*time.Millisecond), runSummary(seed+100, 100*time.Millisecond)
		c := report.Compare(a, b, mustRule(t, "message.ttft.p95 +10%"), mustRule(t, "message.latency.p99 +10%"),
			mustRule(t, "errors.rate +1pp"))
		if c.Failed() {
			t.Errorf("seeds %d/%d: rules failed on two runs of the same configuration: %+v", seed, seed+100, c.Rules)
		}
		for _, m := range []string{"message.ttft.p50", "message.ttft.p95", "message.latency.p50"} {
			if ch := change(c, m); ch.Verdict != report.WithinNoise {
				t.Errorf("seeds %d/%d: %s changed %+.1f%% (p %.3f): %s, want within noise",
					seed, seed+100, m, ch.Rel*100, ch.P, ch.Verdict)
			}
		}
	}
}

func TestCompareSummaryJSONsLikeBuiltSummaries(t *testing.T) {
	base, new := runSummary(1, 100*time.Millisecond), runSummary(2, 150*time.Millisecond)
	want := report.Compare(base, new)
	reread := func(s *report.Summary) *report.Summary {
		var b bytes.Buffer
		if err := report.WriteJSON(&b, s); err != nil {
			t.Fatal(err)
		}
		r, err := report.ReadJSON(&b)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	got := report.Compare(reread(base), reread(new))
	var x, y bytes.Buffer
	if err := report.WriteCompareText(&x, want); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteCompareText(&y, got); err != nil {
		t.Fatal(err)
	}
	if x.String() != y.String() {
		t.Errorf("comparing summary JSONs differs from comparing the summaries:\n%s\nwant:\n%s", y.String(), x.String())
	}
}

func TestCompareTextGolden(t *testing.T) {
	c := report.Compare(runSummary(1, 100*time.Millisecond), runSummary(2, 150*time.Millisecond),
		mustRule(t, "message.ttft.p95 +10%"), mustRule(t, "message.goodput -2%"), mustRule(t, "session.latency.p99 +50ms"))
	var b bytes.Buffer
	if err := report.WriteCompareText(&b, c); err != nil {
		t.Fatal(err)
	}
	golden(t, "compare.txt", b.Bytes())
	var j bytes.Buffer
	if err := report.WriteCompareJSON(&j, c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(j.String(), `"verdict": "beyond noise"`) {
		t.Errorf("comparison JSON lacks a verdict:\n%s", j.String())
	}
}

func TestCompareWithoutIntervals(t *testing.T) {
	a, b := runSummary(1, 100*time.Millisecond), runSummary(2, 100*time.Millisecond)
	a.Series, b.Series = nil, nil
	c := report.Compare(a, b, mustRule(t, "message.ttft.p95 +1%"))
	if ch := change(c, "message.ttft.p95"); ch.Verdict != report.NoEstimate || !math.IsNaN(ch.P) {
		t.Errorf("verdict %q, p %v, want no estimate", ch.Verdict, ch.P)
	}
	var j bytes.Buffer
	if err := report.WriteCompareJSON(&j, c); err != nil {
		t.Fatalf("JSON of a comparison without estimates: %v", err)
	}
	if !strings.Contains(j.String(), `"p": null`) {
		t.Error("a missing p-value is not null in JSON")
	}
}

func TestParseRule(t *testing.T) {
	tests := []struct {
		expr     string
		sign     int
		limit    float64
		relative bool
	}{
		{"message.ttft.p95 +10%", 1, 0.10, true},
		{"message.goodput -2%", -1, 0.02, true},
		{"message.latency.p99 +200ms", 1, 0.2, false},
		{"errors.rate +0.5pp", 1, 0.005, false},
		{"requests.per_second -5/s", -1, 5, false},
		{"errors.timeout +3", 1, 3, false},
		{"  schedule.lag.p99   +1ms ", 1, 0.001, false},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			r, err := report.ParseRule(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			if r.Sign != tt.sign || math.Abs(r.Limit-tt.limit) > 1e-12 || r.Relative != tt.relative {
				t.Errorf("ParseRule(%q) = sign %d limit %v relative %v, want %d %v %v", tt.expr, r.Sign, r.Limit, r.Relative,
					tt.sign, tt.limit, tt.relative)
			}
		})
	}
}

func TestParseRuleErrors(t *testing.T) {
	tests := []struct {
		name, expr string
		col        int
		msg        string
	}{
		{"empty", "", 1, "want METRIC +LIMIT"},
		{"unknown metric", "message.ttf.p95 +10%", 9, "unknown measure"},
		{"no sign", "message.ttft.p95 10%", 18, "want + (a rise fails) or -"},
		{"no number", "message.ttft.p95 +", 19, "want a number after the sign"},
		{"pp on a duration", "message.ttft.p95 +5pp", 19, "want a limit in % or a duration"},
		{"duration on a ratio", "errors.rate +5ms", 14, "percentage points"},
		{"trailing", "errors.rate +1% now", 17, `unexpected "now"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := report.ParseRule(tt.expr)
			var re *report.RuleError
			if !errors.As(err, &re) {
				t.Fatalf("ParseRule(%q) error = %v, want a *RuleError", tt.expr, err)
			}
			if re.Col != tt.col || !strings.Contains(re.Msg, tt.msg) {
				t.Errorf("ParseRule(%q) = column %d %q, want column %d and a message containing %q", tt.expr, re.Col, re.Msg, tt.col, tt.msg)
			}
		})
	}
}

func FuzzParseRule(f *testing.F) {
	for _, s := range []string{"message.ttft.p95 +10%", "message.goodput -2%", "errors.rate +0.5pp",
		"message.latency.p99 +200ms", "requests.per_second -5/s", "x +", "errors.timeout +3"} {
		f.Add(s)
	}
	a, b := runSummary(1, 100*time.Millisecond), runSummary(2, 150*time.Millisecond)
	f.Fuzz(func(t *testing.T, expr string) {
		r, err := report.ParseRule(expr)
		if err != nil {
			var re *report.RuleError
			if !errors.As(err, &re) || re.Col < 1 || re.Col > len(expr)+1 {
				t.Fatalf("ParseRule(%q) error %v: want a *RuleError with a column in 1..%d", expr, err, len(expr)+1)
			}
			return
		}
		c := report.Compare(a, b, r)
		if len(c.Rules) != 1 || c.Rules[0].Expr != strings.TrimSpace(expr) {
			t.Fatalf("Compare with %q: rules %+v", expr, c.Rules)
		}
	})
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	evs := resultstest.Generate(resultstest.Config{Seed: 3, Sessions: 40, Rate: 20})
	var paths []string
	for i, sh := range resultstest.Split(evs, 2) {
		p := filepath.Join(dir, fmt.Sprintf("shard-%d.jsonl", i))
		w, err := resultfile.Create(p, results.Run{ID: "r1", Scenario: "demo", Shard: i, Shards: 2,
			Start: resultstest.T0, TargetRate: 10, Target: "http://127.0.0.1:1"})
		if err != nil {
			t.Fatal(err)
		}
		resultstest.Replay(w, sh)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	s, warnings, err := report.Load(paths...)
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 || s.RunID != "r1" || s.Files != 2 || s.Schedule.TargetRate != 20 || s.Sessions.Started != 40 {
		t.Errorf("Load(shards) = run %q, %d files, target %v, %d sessions, warnings %q; want r1, 2, 20, 40, none",
			s.RunID, s.Files, s.Schedule.TargetRate, s.Sessions.Started, warnings)
	}
	jsonPath := filepath.Join(dir, "summary.json")
	var b bytes.Buffer
	if err := report.WriteJSON(&b, s); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(jsonPath, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	again, _, err := report.Load(jsonPath)
	if err != nil || again.Sessions != s.Sessions {
		t.Errorf("Load(summary JSON) = %+v, %v; want the same sessions", again.Sessions, err)
	}
	if _, _, err := report.Load(jsonPath, paths[0]); err == nil || !strings.Contains(err.Error(), "cannot be merged") {
		t.Errorf("Load(JSON, results file) error = %v, want 'cannot be merged'", err)
	}
	if _, _, err := report.Load(filepath.Join(dir, "missing")); err == nil {
		t.Error("Load(missing file) = nil error")
	}
}

func ExampleCompare() {
	base := runSummary(1, 100*time.Millisecond)
	slower := runSummary(2, 150*time.Millisecond)
	rule, err := report.ParseRule("message.ttft.p95 +10%")
	if err != nil {
		fmt.Println(err)
	}
	c := report.Compare(base, slower, rule)
	for _, ch := range c.Changes {
		if ch.Metric == "message.ttft.p95" {
			fmt.Printf("%s %+.0f%% %s\n", ch.Metric, ch.Rel*100, ch.Verdict)
		}
	}
	fmt.Println("gate failed:", c.Failed())
	// Output:
	// message.ttft.p95 +36% beyond noise
	// gate failed: true
}
