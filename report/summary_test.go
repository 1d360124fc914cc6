package report_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/results/resultstest"
	"github.com/loadgen/loadgen/stats"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update rewrites it); got:\n%s", path, got)
	}
}

// testRun is the run the golden files show.
var testRun = results.Run{
	ID:         "run-20260301-120000",
	Scenario:   "demo",
	Version:    "v0.1.0",
	Target:     "http://user:pa55word@127.0.0.1:8080/?token=abc#frag",
	Start:      resultstest.T0,
	Duration:   10 * time.Second,
	TargetRate: 20,
}

var (
	resultsConfigSmall = resultstest.Config{Seed: 1, Sessions: 5, Rate: 5}
	resultsConfigEmpty = resultstest.Config{Seed: 1, Sessions: 0, Rate: 1}
)

func testSnapshot(cfg resultstest.Config) *stats.Snapshot {
	s := stats.New()
	resultstest.Replay(s, resultstest.Generate(cfg))
	return s.Snapshot()
}

func testSummary(t *testing.T) *report.Summary {
	t.Helper()
	s := report.Build(testRun, testSnapshot(resultstest.Config{Seed: 11, Sessions: 200, Rate: 20}))
	var ths []*report.Threshold
	for _, e := range []string{"message.ttft.p95 < 1.5s", "errors.rate < 0.5%"} {
		th, err := report.ParseThreshold(e)
		if err != nil {
			t.Fatal(err)
		}
		ths = append(ths, th)
	}
	report.Evaluate(ths, s)
	return s
}

func TestWriteTextGolden(t *testing.T) {
	var b bytes.Buffer
	if err := report.WriteText(&b, testSummary(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.txt", b.Bytes())
}

func TestWriteJSONGolden(t *testing.T) {
	var b bytes.Buffer
	if err := report.WriteJSON(&b, testSummary(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.json", b.Bytes())
}

func TestJSONRoundTrip(t *testing.T) {
	want := testSummary(t)
	var b bytes.Buffer
	if err := report.WriteJSON(&b, want); err != nil {
		t.Fatal(err)
	}
	got, err := report.ReadJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	// The text rendering covers every field people see.
	var x, y bytes.Buffer
	if err := report.WriteText(&x, want); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteText(&y, got); err != nil {
		t.Fatal(err)
	}
	if x.String() != y.String() {
		t.Errorf("text of the JSON read back differs:\n%s\nwant:\n%s", y.String(), x.String())
	}
}

func TestJSONShape(t *testing.T) {
	var b bytes.Buffer
	if err := report.WriteJSON(&b, testSummary(t)); err != nil {
		t.Fatal(err)
	}
	doc := b.String()
	// The keys design.md promises; CI scripts read them.
	for _, key := range []string{
		`"run_id"`, `"scenario"`, `"started_at"`, `"duration_s": 10`, `"sessions"`, `"started"`, `"completed"`,
		`"failed"`, `"canceled"`, `"steps"`, `"session"`, `"conversation"`, `"message"`, `"poll"`, `"count"`,
		`"errors"`, `"codes"`, `"200"`, `"latency"`, `"latency_from_intended"`, `"p50"`, `"p90"`, `"p95"`,
		`"p99"`, `"max"`, `"mean"`, `"ttfb"`, `"ttft"`, `"inter_token"`, `"tpot"`, `"tokens"`, `"shapes"`,
		`"thresholds"`, `"expr"`, `"value"`, `"pass"`, `"schedule"`, `"target_rate": 20`, `"achieved_rate"`,
		`"lag_p99"`, `"goodput"`,
	} {
		if !strings.Contains(doc, key) {
			t.Errorf("summary JSON lacks %s", key)
		}
	}
}

func TestNoCredentialsInReports(t *testing.T) {
	s := testSummary(t)
	var b bytes.Buffer
	if err := report.WriteJSON(&b, s); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteText(&b, s); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"pa55word", "user:", "token=abc", "frag"} {
		if strings.Contains(b.String(), secret) {
			t.Errorf("report contains %q from the target URL", secret)
		}
	}
}

func TestReadJSONErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"not JSON", "hello", "invalid character"},
		{"no steps", `{"run_id":"x"}`, "not a loadgen summary"},
		{"two values", `{"steps":{}} {}`, "more than one value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := report.ParseJSON([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseJSON(%q) error = %v, want one containing %q", tt.in, err, tt.want)
			}
		})
	}
}

func FuzzParseJSON(f *testing.F) {
	var b bytes.Buffer
	s := report.Build(testRun, testSnapshot(resultstest.Config{Seed: 1, Sessions: 5, Rate: 5}))
	if err := report.WriteJSON(&b, s); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Add([]byte(`{"steps":{"session":{},"conversation":{},"message":{},"poll":{}}}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := report.ParseJSON(in)
		if err != nil {
			return
		}
		// Whatever parses must render.
		if err := report.WriteText(new(bytes.Buffer), s); err != nil {
			t.Fatal(err)
		}
	})
}

func ExampleBuild() {
	sum := stats.New()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sum.SessionStartedAt("faq", t0)
	sum.Record(&results.Result{Step: results.StepSession, Intended: t0, Start: t0, Code: 200, Latency: 12 * time.Millisecond})
	sum.SessionEndedAt("faq", results.EndCompleted, t0.Add(time.Second))

	s := report.Build(results.Run{ID: "r1", Scenario: "demo", Duration: time.Second}, sum.Snapshot())
	fmt.Println(s.Steps.Get(results.StepSession).Count, s.Steps.Get(results.StepSession).Latency.P50, s.Sessions.Completed)
	// Output: 1 0.012 1
}

// TestPollsReportedApart: polls are measurement overhead, counted apart
// from the users' requests in the text and HTML reports; steps that did not
// run are left out of the tables.
func TestPollsReportedApart(t *testing.T) {
	sum := stats.New()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range 2 {
		at := t0.Add(time.Duration(i) * time.Second)
		sum.SessionStartedAt("async", at)
		sum.Record(&results.Result{Step: results.StepSession, Conversation: "async", Start: at, Code: 200, Latency: time.Millisecond})
		sum.Record(&results.Result{Step: results.StepMessage, Conversation: "async", Turn: 1, Start: at, Code: 200, Latency: time.Millisecond})
		sum.Record(&results.Result{Step: results.StepPoll, Conversation: "async", Turn: 1, Start: at, Code: 200, Latency: time.Second, Polls: 5})
		sum.Record(&results.Result{Step: results.StepOpen, Conversation: "async", Turn: 2, Start: at, Code: 200, Latency: time.Millisecond})
		sum.SessionEndedAt("async", results.EndCompleted, at.Add(time.Second))
	}
	s := report.Build(results.Run{ID: "r", Scenario: "async", Duration: 2 * time.Second}, sum.Snapshot())
	var text strings.Builder
	if err := report.WriteText(&text, s); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"requests  6 (3.00/s), 0 errors (0%)",
		"polls     10 GETs waiting for 2 async replies, 0 failed: measurement overhead (3), not counted above",
		"  poll (3) ", "  open ",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	for _, absent := range []string{"  sdk ", "  react ", "  history "} {
		if strings.Contains(text.String(), absent) {
			t.Errorf("text report shows a step that never ran, %q:\n%s", absent, text.String())
		}
	}
	var html strings.Builder
	if err := report.WriteHTML(&html, s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), "(overhead: 10 GETs)") || !strings.Contains(html.String(), "polls (overhead)") {
		t.Errorf("HTML report does not show the polls apart")
	}
	if got := s.Steps.Get(results.StepPoll).Polls; got != 10 {
		t.Errorf("summary poll.polls = %d, want 10", got)
	}
}
