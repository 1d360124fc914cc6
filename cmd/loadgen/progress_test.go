package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/runner"
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
