package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/internal/testutil"
	"github.com/loadgen/loadgen/mockserver"
	"github.com/loadgen/loadgen/sweep"
)

const sweepScenario = `version: 1
name: sweep_e2e
target: {base_url: "http://127.0.0.1:1"}
users: {anonymous: 100%}
load: {arrival_rate: 1/s, duration: 1s}
conversations:
  - name: ask
    turns:
      - message: "hello"
%s
`

func writeSweepScenario(t *testing.T, slo string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sweep.yaml")
	if err := os.WriteFile(p, []byte(strings.Replace(sweepScenario, "%s", slo, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// sweepMock serves a mock whose replies take ttft before the first token,
// with capacity slots (0: unlimited).
func sweepMock(t *testing.T, ttft time.Duration, slots int) string {
	t.Helper()
	m, err := mockserver.New(mockserver.Config{Secret: secretMarker, TTFT: mockserver.Fixed(ttft), Capacity: slots,
		Tokens: mockserver.Range{Min: 2, Max: 2}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m)
	t.Cleanup(func() { srv.Close(); m.Close() })
	return srv.URL
}

func TestSweepUsageErrors(t *testing.T) {
	noSLO := writeSweepScenario(t, "")
	withSLO := writeSweepScenario(t, "slo: {ttft: 1s}")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no slo and no --require", []string{noSLO}, "nothing to search for: the scenario has no slo:"},
		{"bad attainment", []string{"--attainment", "120%", withSLO}, "--attainment: want a percentage"},
		{"bad control", []string{"--control", "closed", withSLO}, "--control: want rate or users"},
		{"bad range", []string{"--range", "50/s..5/s", withSLO}, "--range: want MIN..MAX with MIN < MAX"},
		{"bad require", []string{"--require", "errors.rate << 1%", withSLO}, "--require: threshold"},
		{"bad expect", []string{"--expect", "capacity >= 3", withSLO}, "--expect: expectation"},
		{"budget too small", []string{"--budget", "3s", "--dir", t.TempDir(), withSLO}, "--budget 3s: capacity: budget too small"},
		{"no scenario", []string{}, "want exactly one scenario file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"sweep", "--target", "http://127.0.0.1:1"}, tt.args...)
			if code := Main(context.Background(), args, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr.String(), exitUsage, tt.want)
			}
		})
	}
}

// TestSweepInfeasible: objectives that fail at one user end the sweep with
// exit 3 and the reason, after the one probe's row.
func TestSweepInfeasible(t *testing.T) {
	url := sweepMock(t, 200*time.Millisecond, 0)
	sc := writeSweepScenario(t, "slo: {ttft: 50ms}")
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"sweep", "--target", url, "--probe", "3s", "--quiet", "--dir", dir, sc}, &stdout, &stderr)
	if code != exitThresholds {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitThresholds, stdout.String(), stderr.String())
	}
	if want := "objectives unmet at minimum load (1 user): attainment 0.0%"; !strings.Contains(stderr.String(), want) ||
		!strings.Contains(stderr.String(), "ttft ≤ 50ms") {
		t.Errorf("stderr %q: want %q and the objective", stderr.String(), want)
	}
	if !strings.Contains(stdout.String(), "feasibility") || !strings.Contains(stdout.String(), "fail") {
		t.Errorf("stdout lacks the feasibility probe's row:\n%s", stdout.String())
	}
	assertNoSecrets(t, stdout.String()+stderr.String())
}

// TestSweepInterrupted: Ctrl-C mid-sweep ends the probe running, and the
// probes so far are in the table, in probes.jsonl and in --json.
func TestSweepInterrupted(t *testing.T) {
	url := sweepMock(t, 5*time.Millisecond, 4)
	sc := writeSweepScenario(t, "slo: {ttft: 500ms}")
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "sweep.json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout testutil.SyncBuffer
	var stderr bytes.Buffer
	go func() { // as SIGINT does, through main's context: after two probes ended
		for ctx.Err() == nil && strings.Count(stdout.String(), "\n") < 3 {
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
	}()
	code := Main(ctx, []string{"sweep", "--target", url, "--probe", "3s", "--budget", "5m", "--quiet", "--dir", dir, "--json", jsonPath, sc}, &stdout, &stderr)
	if code != exitRunError || !strings.Contains(stderr.String(), "sweep interrupted") {
		t.Fatalf("exit %d, stderr %q; want %d and the interruption named", code, stderr.String(), exitRunError)
	}
	out := stdout.String()
	for _, want := range []string{"feasibility", "ramp", "sweep ", "stopped: interrupted", "results of every probe in " + dir} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	f, err := os.Open(filepath.Join(dir, "probes.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []sweep.Probe
	for sc := bufio.NewScanner(f); sc.Scan(); {
		var p sweep.Probe
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatalf("probes.jsonl: %v", err)
		}
		lines = append(lines, p)
	}
	rep, err := sweep.ReadReport(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) < 2 || len(rep.Probes) != len(lines) || rep.Stop != "interrupted" {
		t.Errorf("%d probes in probes.jsonl, %d in the JSON (stop %q); want the same ≥ 2 and stop interrupted", len(lines), len(rep.Probes), rep.Stop)
	}
	for _, p := range lines {
		if _, err := os.Stat(p.ResultsFile); err != nil {
			t.Errorf("probe %d: results file: %v", p.Seq, err)
		}
	}
}

// TestCompareSweeps: compare takes two sweeps' JSON and gates on the SLO-max.
func TestCompareSweeps(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, rate, lo, hi float64) string {
		r := &sweep.Report{Kind: sweep.ReportKind, RunID: name, Scenario: "chat", Control: "rate",
			Capacity: sweep.Answer{Found: true, Rate: 320, Unit: "sessions/s", Interval: [2]float64{312, 328}, Sessions: 320},
			SLOMax:   sweep.Answer{Found: true, Rate: rate, Unit: "sessions/s", Interval: [2]float64{lo, hi}, Sessions: rate}}
		p := filepath.Join(dir, name+".json")
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := sweep.WriteJSON(f, r); err != nil {
			t.Fatal(err)
		}
		return p
	}
	base, same, worse := write("base", 240, 228, 251), write("same", 236, 225, 248), write("worse", 200, 190, 210)
	for _, tt := range []struct {
		name     string
		new      string
		code     int
		contains string
	}{
		{"within noise", same, exitOK, "PASS  slo_max.rate -10%"},
		{"regressed", worse, exitThresholds, "FAIL  slo_max.rate -10%: changed -16.7%, past the limit and beyond noise"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(context.Background(), []string{"compare", "--fail-on", "slo_max.rate -10%", base, tt.new}, &stdout, &stderr)
			if code != tt.code || !strings.Contains(stdout.String(), tt.contains) {
				t.Errorf("exit %d, stdout:\n%s\nstderr: %s\nwant %d and %q", code, stdout.String(), stderr.String(), tt.code, tt.contains)
			}
		})
	}
	var stdout, stderr bytes.Buffer
	summary := filepath.Join(dir, "summary.json")
	os.WriteFile(summary, []byte(`{"run_id":"x","steps":{}}`), 0o644)
	if code := Main(context.Background(), []string{"compare", base, summary}, &stdout, &stderr); code != exitUsage ||
		!strings.Contains(stderr.String(), "one file is a sweep's JSON") {
		t.Errorf("a sweep against a run's summary: exit %d, %q", code, stderr.String())
	}
}
