package sweep_test

import (
	"bytes"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/capacity"
	"github.com/loadgen/loadgen/sweep"
)

// sample is a finished sweep's report.
func sample() *sweep.Report {
	r := &sweep.Report{Kind: sweep.ReportKind, RunID: "r1", Scenario: "chat", Control: "rate", Objectives: []string{"ttft ≤ 25ms"},
		Attainment: 0.95, StartedAt: time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)}
	r.Fill(&capacity.Findings{
		Capacity:           capacity.Answer{Found: true, Load: 320, Lo: 312, Hi: 328, Sessions: 320, Messages: 320, Binding: "capacity"},
		SLOMax:             capacity.Answer{Found: true, Load: 240, Lo: 228, Hi: 251, Sessions: 240, Messages: 240, Binding: "ttft ≤ 25ms"},
		Steady:             true,
		Stop:               "precision reached",
		MessagesPerSession: 1,
		Elapsed:            3 * time.Minute,
		Probes: []capacity.Probe{
			{Spec: capacity.Spec{Seq: 1, Kind: capacity.KindFeasibility, Control: capacity.Users, Load: 1}, Verdict: capacity.Pass,
				Achieved: 38, Messages: 300, Attainment: capacity.Estimate{Est: 1, Lo: 0.98, Hi: 1}, Steady: true, Elapsed: 10 * time.Second},
			{Spec: capacity.Spec{Seq: 2, Kind: capacity.KindSaturation, Control: capacity.Users, Load: 16}, Verdict: capacity.Measured,
				Throughput: capacity.Estimate{Est: 320, Lo: 312, Hi: 328}, Little: 318, Steady: true, Elapsed: 45 * time.Second},
			{Spec: capacity.Spec{Seq: 3, Kind: capacity.KindBracket, Control: capacity.Rate, Load: 200}, Verdict: capacity.Pass,
				Offered: 200, Achieved: 199, GoodRate: 197, Messages: 5000, Attainment: capacity.Estimate{Est: 0.99, Lo: 0.97, Hi: 1},
				TTFTp50: time.Millisecond, TTFTp95: 20 * time.Millisecond, TTFTp99: 40 * time.Millisecond, Steady: true, Elapsed: 30 * time.Second},
			{Spec: capacity.Spec{Seq: 4, Kind: capacity.KindRefine, Control: capacity.Rate, Load: 260}, Verdict: capacity.Unstable,
				Reason: "backlog grows: in flight +3.0/s", Offered: 260, Achieved: 250, Messages: 6000, Backlog: 3,
				Attainment: capacity.Estimate{Est: 0.8, Lo: 0.7, Hi: 0.9}, Elapsed: 12 * time.Second},
		},
	})
	return r
}

func TestReportRoundTrip(t *testing.T) {
	r := sample()
	path := filepath.Join(t.TempDir(), "sweep.json")
	var b bytes.Buffer
	if err := sweep.WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"kind": "loadgen-sweep"`, `"capacity": {`, `"sessions_per_s": 320`, `"messages_per_s": 240`,
		`"slo_max": {`, `"unit": "sessions/s"`, `"interval": [`, `"binding": "ttft ≤ 25ms"`, `"steady": true`, `"probes": [`} {
		if !strings.Contains(b.String(), key) {
			t.Errorf("JSON lacks %s:\n%s", key, b.String())
		}
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if !sweep.IsReport(path) {
		t.Errorf("IsReport(sweep JSON) = false")
	}
	got, err := sweep.ReadReport(path)
	if err != nil || got.SLOMax != r.SLOMax || len(got.Probes) != len(r.Probes) {
		t.Fatalf("ReadReport = %+v, %v; want what was written", got, err)
	}
	summary := filepath.Join(t.TempDir(), "summary.json")
	os.WriteFile(summary, []byte(`{"run_id":"x","steps":{}}`), 0o644)
	if sweep.IsReport(summary) {
		t.Errorf("IsReport(a run's summary) = true")
	}
	if _, err := sweep.ReadReport(summary); err == nil || !strings.Contains(err.Error(), "not a sweep's JSON") {
		t.Errorf("ReadReport(a run's summary) = %v, want an error", err)
	}
}

func TestTable(t *testing.T) {
	r := sample()
	var b bytes.Buffer
	if err := sweep.WriteHeader(&b); err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Probes {
		sweep.WriteRow(&b, p)
	}
	if err := sweep.WriteAnswers(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"attainment", "verdict",
		"1 user", "16 users", "throughput 320/s (Little 318/s)",
		"200/s", "99.0% [97.0%, 100.0%]", "20ms",
		"unstable    backlog grows: in flight +3.0/s", "+3.0/s",
		"capacity  320 sessions/s [312, 328], 320 messages/s",
		"SLO-max   240 sessions/s [228, 251], 240 messages/s: 95.0% of messages meet ttft ≤ 25ms; what binds above it: ttft ≤ 25ms",
		"sweep     4 probes in 3m0s; stopped: precision reached",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestHTML(t *testing.T) {
	var b bytes.Buffer
	if err := sweep.WriteHTML(&b, sample(), 0.025); err != nil {
		t.Fatal(err)
	}
	out := html.UnescapeString(b.String())
	if n := strings.Count(out, `class="lg-chart-data"`); n != 3 {
		t.Errorf("%d charts, want 3", n)
	}
	for _, want := range []string{"<title>loadgen sweep: chat</title>", "320 sessions/s", "240 sessions/s", "TTFT objective",
		"SLO-max (its interval shaded)", "y = x", "backlog grows: in flight +3.0/s", "uPlot"} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, ref := range []string{`src="http`, `href="http`, `url(http`} {
		if strings.Contains(out, ref) {
			t.Errorf("HTML loads something from the network (%s)", ref)
		}
	}
}

// TestAnswersAtLeast: a sweep that found only a lower bound says so.
func TestAnswersAtLeast(t *testing.T) {
	r := sample()
	r.SLOMax.AtLeast = true
	var b bytes.Buffer
	if err := sweep.WriteAnswers(&b, r); err != nil {
		t.Fatal(err)
	}
	if want := "SLO-max   at least 240 sessions/s (at most the capacity): no probe failed below it"; !strings.Contains(b.String(), want) {
		t.Errorf("answers lack %q:\n%s", want, b.String())
	}
}
