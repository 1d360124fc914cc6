package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/mockserver"
	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/runner"
	"github.com/loadgen/loadgen/stats"
)

// TestJSONLogs: with --log-format json, every line on stderr is a JSON
// object, progress lines included (every --progress-interval when stderr is
// not a terminal), with rounded figures and the drain phase.
func TestJSONLogs(t *testing.T) {
	_, url := e2eMock(t)
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"run", "--target", url, "--grace", "5s", "--log-format", "json",
		"--progress-interval", "300ms", writeDrainScenario(t)}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit code %d\n%s", code, stderr.String())
	}
	phases := map[string]bool{}
	var progress int
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("stderr line is not JSON: %v: %q", err, line)
			continue
		}
		if rec["msg"] != "progress" {
			continue
		}
		progress++
		phases[rec["phase"].(string)] = true
		for _, k := range []string{"time", "level", "elapsed", "of", "users", "sessions", "req_per_s", "error_rate", "ttft_p95_last_5s"} {
			if _, ok := rec[k]; !ok {
				t.Errorf("progress line lacks %q: %s", k, line)
			}
		}
		if rec["phase"] == string(runner.PhaseDraining) && rec["grace_left"] == nil {
			t.Errorf("draining progress line without grace_left: %s", line)
		}
		if e, _ := rec["elapsed"].(string); strings.Contains(e, ".") {
			t.Errorf("elapsed %q is not rounded: %s", e, line)
		}
	}
	if progress < 3 || !phases[string(runner.PhaseRunning)] || !phases[string(runner.PhaseDraining)] {
		t.Errorf("%d progress lines in phases %v; want some while running and while draining:\n%s", progress, phases, stderr.String())
	}
	assertNoSecrets(t, stderr.String())
}

func TestLogFormatUsage(t *testing.T) {
	var stderr bytes.Buffer
	code := Main(context.Background(), []string{"run", "--log-format", "xml", writeDrainScenario(t)}, &bytes.Buffer{}, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "--log-format: want text or json") {
		t.Errorf("--log-format xml: exit %d, stderr %q; want %d and a clear error", code, stderr.String(), exitUsage)
	}
}

func TestProgressText(t *testing.T) {
	p := progress{Progress: runner.Progress{Phase: runner.PhaseInterrupted, Elapsed: 12500 * time.Millisecond,
		Drain: 2 * time.Second, GraceLeft: 8 * time.Second, Duration: 20 * time.Second, Active: 3},
		requests: 200, errors: 3, reqRate: 12.345, msgRate: 4, ttftP95: 822 * time.Millisecond}
	want := "[###########.........] 10s/20s interrupted, draining 2s: requests finishing, grace 8s left · users 3 · " +
		"sessions 0: 0 ok, 0 failed, 0 canceled · 12.3 req/s, 4.0 msg/s · errors 1.5% · TTFT p95 (last 5s) 822ms"
	if got := p.line(); got != want {
		t.Errorf("line()\n got %q\nwant %q", got, want)
	}
	if got := fit(want, 40); len([]rune(got)) != 39 {
		t.Errorf("fit(…, 40) = %q: %d columns, want 39", got, len([]rune(got)))
	}
}

// slowMock starts a mock whose replies take ttft to their first token, so
// that a run interrupted early still has requests in flight to drain.
func slowMock(t *testing.T, ttft time.Duration) string {
	t.Helper()
	m, err := mockserver.New(mockserver.Config{Secret: secretMarker, TTFT: mockserver.Fixed(ttft),
		TokenInterval: mockserver.Fixed(2 * time.Millisecond), Tokens: mockserver.Range{Min: 3, Max: 3}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m)
	t.Cleanup(func() { srv.Close(); m.Close() })
	return srv.URL
}

// interruptScenario: 2 users whose first replies take long; interrupted
// while they wait, the run drains the requests in flight.
const interruptScenario = `version: 1
name: interrupt
target: {base_url: "http://127.0.0.1:1"}
users: {email: "i-{{.Seq}}@example.com"}
load: {users: 2, duration: 20s}
conversations:
  - name: c
    turns:
      - message: hi
`

func writeScenarioText(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestProgressAfterCtrlC: after Ctrl-C the progress goes on while the
// requests in flight drain, in the interrupted phase with its grace
// countdown, until the run ends.
func TestProgressAfterCtrlC(t *testing.T) {
	url := slowMock(t, 1500*time.Millisecond)
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel) // Ctrl-C while both replies are awaited
	var stdout, stderr bytes.Buffer
	code := Main(ctx, []string{"run", "--target", url, "--grace", "5s", "--log-format", "json",
		"--progress-interval", "200ms", writeScenarioText(t, "interrupt.yaml", interruptScenario)}, &stdout, &stderr)
	if code != exitRunError {
		t.Errorf("exit code %d, want %d (interrupted)\n%s", code, exitRunError, stderr.String())
	}
	var interrupted int
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil {
			continue // the exit's reason, "loadgen run: run interrupted …"
		}
		if rec["msg"] == "progress" && rec["phase"] == string(runner.PhaseInterrupted) {
			interrupted++
			if rec["grace_left"] == nil {
				t.Errorf("interrupted progress line without grace_left: %s", line)
			}
		}
	}
	if interrupted == 0 {
		t.Errorf("no progress line in the interrupted phase while requests drained for about a second:\n%s", stderr.String())
	}
}

// TestProgressCountsAsTheSummary: the progress line's requests and error
// rate are the summary's "requests" line: the users' traffic (polls are
// measurement overhead, counted apart), and an error rate that leaves out
// the steps loadgen failed itself (canceled by the run's stop).
func TestProgressCountsAsTheSummary(t *testing.T) {
	agg := stats.New()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	rec := func(step results.Step, kind results.Kind, n int) {
		for range n {
			agg.Record(&results.Result{Conversation: "c", Step: step, Error: kind, Start: t0, Latency: time.Millisecond})
		}
	}
	rec(results.StepMessage, "", 8)
	rec(results.StepMessage, results.KindHTTP5xx, 1)
	rec(results.StepMessage, results.KindCanceled, 1)
	rec(results.StepPoll, results.KindNoReply, 3)
	rec(results.StepPoll, "", 2)

	var p progress
	agg.Peek(p.count)
	sum := report.Build(results.Run{Scenario: "s", Start: t0, Duration: time.Second}, agg.Snapshot())
	reqs, errs := sum.Steps.Traffic()
	if p.requests != reqs || p.errors != errs {
		t.Errorf("progress counts %d requests, %d errors; the summary %d, %d", p.requests, p.errors, reqs, errs)
	}
	var text bytes.Buffer
	if err := report.WriteText(&text, sum); err != nil {
		t.Fatal(err)
	}
	rate := p.errorRate()
	var line string
	for _, l := range strings.Split(text.String(), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "requests") {
			line = l
		}
	}
	if !strings.Contains(line, "("+rate+")") {
		t.Errorf("progress error rate %s; the summary's requests line: %q", rate, line)
	}
	if rate != "11.1%" { // 1 of the 9 requests the target answered
		t.Errorf("progress error rate = %s, want 11.1%%", rate)
	}
}

// TestJSONLogDurations: durations in JSON log lines read as in text ones,
// "20s", not as nanoseconds (20000000000).
func TestJSONLogDurations(t *testing.T) {
	var b bytes.Buffer
	log, err := newLogger("info", "json", &b)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("run starting", "duration", 20*time.Second, "grace", 1500*time.Millisecond)
	var rec map[string]any
	if err := json.Unmarshal(b.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["duration"] != "20s" || rec["grace"] != "1.5s" {
		t.Errorf("duration, grace = %v, %v; want \"20s\", \"1.5s\": %s", rec["duration"], rec["grace"], b.String())
	}
}
