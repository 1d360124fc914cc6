package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadgen/loadgen/internal/testutil"
	"github.com/loadgen/loadgen/report"
)

// collectOneShard runs loadgen collect for one shard of a scenario with
// threshold, with collectArgs, and the shard against target with the
// secret for duration; it returns the collector's exit code and output.
func collectOneShard(t *testing.T, threshold, duration, target, secret string, collectArgs ...string) (code int, stdout, stderr string) {
	t.Helper()
	sc := writeScenario(t, threshold)
	addr := testutil.FreeAddr(t)
	type result struct {
		code           int
		stdout, stderr string
	}
	done := make(chan result, 1)
	go func() {
		var o, e bytes.Buffer
		args := append([]string{"collect", "--shards", "1", "--addr", addr, "--start-margin", "100ms", "--timeout", "1m",
			"--dir", t.TempDir()}, collectArgs...)
		c := Main(context.Background(), append(args, sc), &o, &e)
		done <- result{c, o.String(), e.String()}
	}()
	t.Setenv("HELPER_HMAC_SECRET", secret)
	var so, se bytes.Buffer
	Main(context.Background(), []string{"run", "--quiet", "--shard", "0/1", "--collector", "http://" + addr, "--target", target,
		"--duration", duration, "--grace", "0", sc}, &so, &se)
	r := <-done
	return r.code, r.stdout, r.stderr
}

// TestCollectKeepsTheThresholdVerdictWhenAnOutputFails: a merged results
// file or a report that cannot be written is logged, the text summary and
// every other report are still written, and a failed threshold keeps exit
// 3. Before, the first such error returned at once: exit 1, and with --out
// no summary at all.
func TestCollectKeepsTheThresholdVerdictWhenAnOutputFails(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full here")
	}
	_, target := e2eMock(t)
	dir := t.TempDir()
	js, junit := filepath.Join(dir, "s.json"), filepath.Join(dir, "j.xml")
	code, stdout, stderr := collectOneShard(t, "message.ttft.p50 < 1ms", "500ms", target, secretMarker, // fails on any data
		"--out", "/dev/full", "--summary-json", js, "--html", "/dev/full", "--junit", junit)
	if code != exitThresholds {
		t.Errorf("exit code %d, want %d (thresholds failed)\nstderr:\n%s", code, exitThresholds, stderr)
	}
	if !strings.Contains(stdout, "loadgen summary") || !strings.Contains(stdout, "FAIL") {
		t.Errorf("no text summary with its thresholds on stdout:\n%s", stdout)
	}
	for _, p := range []string{js, junit} {
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Errorf("%s was not written (%v)", p, err)
		}
	}
	for _, want := range []string{"--out", "--html", "could not be written"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// TestCollectWrongSecret: a distributed run with a wrong secret exits 1, as
// one process does: its shard stopped early (every signed sign-in refused)
// and says so to the collector. Before, the collector exited 0: the shard
// sent its results as a completed run.
func TestCollectWrongSecret(t *testing.T) {
	_, target := e2eMock(t)
	code, stdout, stderr := collectOneShard(t, "errors.rate < 101%", "3s", target, "not the secret") // a threshold that passes
	if code != exitRunError {
		t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitRunError, stdout, stderr)
	}
	if want := "shard 0 of 1 interrupted"; !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
}

// TestCollectVerdictOrder: a run every request of which failed exits 1
// after the thresholds' 3 and an output's 1, as one process does. Before,
// the collector printed "FAILED every request failed" and exited 0.
func TestCollectVerdictOrder(t *testing.T) {
	full := &report.Summary{Distributed: &report.Distributed{Shards: 1, Received: 1, Complete: true}}
	failedThreshold := []report.Verdict{{Expr: "message.ttft.p95 < 2s", NoSamples: true}}
	for _, tt := range []struct {
		name      string
		allFailed bool
		pass      bool
		outErr    error
		want      int
	}{
		{"all passed", false, true, nil, exitOK},
		{"every request failed", true, true, nil, exitRunError},
		{"a threshold failed too", true, false, nil, exitThresholds},
		{"an output failed", false, true, errors.New("--html: disk full"), exitRunError},
		{"an output and a threshold failed", false, false, errors.New("--html: disk full"), exitThresholds},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sum := *full
			sum.AllFailed = tt.allFailed
			if !tt.pass {
				sum.Thresholds = failedThreshold
			}
			err := collectVerdict(nil, &sum, tt.pass, tt.outErr)
			if got := exitCode(err); got != tt.want {
				t.Errorf("collectVerdict = %v (exit %d), want exit %d", err, got, tt.want)
			}
		})
	}
}

// exitCode is the exit code Main gives err.
func exitCode(err error) int {
	var ee *exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	}
	return exitRunError
}

// TestCollectChecksOutputsFirst: an output the collector could not create
// (a directory, a read-only place) is a usage error before any shard runs,
// not a lost report after the whole distributed run.
func TestCollectChecksOutputsFirst(t *testing.T) {
	dir := t.TempDir()
	for _, flag := range []string{"--out", "--summary-json", "--html", "--junit"} {
		t.Run(flag, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(context.Background(), []string{"collect", "--shards", "1", "--addr", "127.0.0.1:0", "--dir", t.TempDir(), "--timeout", "1s",
				flag, dir, writeScenario(t, "message.ttft.p50 < 30s")}, &stdout, &stderr)
			if code != exitUsage {
				t.Errorf("%s DIRECTORY: exit code %d, want %d at once\nstderr:\n%s", flag, code, exitUsage, stderr.String())
			}
			if !strings.Contains(stderr.String(), flag) {
				t.Errorf("stderr does not name %s:\n%s", flag, stderr.String())
			}
		})
	}
}
