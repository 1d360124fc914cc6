package main

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/mockserver"
)

// mockWith starts an in-process mock with cfg (the test secret unless cfg
// says otherwise) and returns its URL.
func mockWith(t *testing.T, cfg mockserver.Config) (*mockserver.Server, string) {
	t.Helper()
	if cfg.Secret == "" {
		cfg.Secret = secretMarker
	}
	m, err := mockserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m)
	t.Cleanup(func() { srv.Close(); m.Close() })
	return m, srv.URL
}

// fastMock is a mock whose replies take a few milliseconds.
func fastMock() mockserver.Config {
	return mockserver.Config{TTFT: mockserver.Fixed(5 * time.Millisecond), TokenInterval: mockserver.Fixed(time.Millisecond),
		Tokens: mockserver.Range{Min: 3, Max: 3}}
}

// A threshold on a metric nothing measured fails, in the text, the JSON and
// the JUnit report (a run with no message sent once passed
// message.ttft.p95 < 2s with the value 0, and exit 0).
func TestThresholdOnNoDataFails(t *testing.T) {
	_, url := mockWith(t, fastMock())
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	dir := t.TempDir()
	sumPath, junitPath := filepath.Join(dir, "s.json"), filepath.Join(dir, "j.xml")
	// The scenario streams: no poll step ever runs.
	code, stdout, stderr := runMain("run", "--quiet", "--target", url, "--duration", "1s",
		"--threshold", "poll.latency.p95 < 1s", "--summary-json", sumPath, "--junit", junitPath,
		writeScenario(t, "message.ttft.p50 < 30s"))
	if code != exitThresholds {
		t.Fatalf("exit %d, want %d\nstderr:\n%s", code, exitThresholds, stderr)
	}
	if !strings.Contains(stdout, "FAIL  poll.latency.p95 < 1s") || !strings.Contains(stdout, "no samples") {
		t.Errorf("text summary lacks the failed threshold with no samples:\n%s", stdout)
	}
	sum := readSummary(t, sumPath)
	var found bool
	for _, v := range sum.Thresholds {
		if v.Expr == "poll.latency.p95 < 1s" {
			found = true
			if v.Pass || !v.NoSamples {
				t.Errorf("JSON threshold %+v, want failed with no_samples", v)
			}
		}
	}
	if !found {
		t.Errorf("JSON summary lacks the threshold: %+v", sum.Thresholds)
	}
	b, err := os.ReadFile(junitPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "poll.latency.p95 &lt; 1s failed: no samples") {
		t.Errorf("JUnit lacks the no-samples failure:\n%s", b)
	}
}

// A run in which every request failed says so in one line, and does not
// exit 0 even without thresholds.
func TestEveryRequestFailedSaysSo(t *testing.T) {
	cfg := fastMock()
	cfg.Faults.Error5xx = 1
	_, url := mockWith(t, cfg)
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	// The scenario's threshold passes on the fast 503s: only the line and
	// the exit code say the run measured nothing.
	code, stdout, stderr := runMain("run", "--quiet", "--target", url, "--duration", "1s", writeScenario(t, "session.latency.p95 < 30s"))
	if code != exitRunError || !strings.Contains(stderr, "every request failed") {
		t.Errorf("exit %d, stderr %q; want %d and 'every request failed'", code, stderr, exitRunError)
	}
	if !strings.Contains(stdout, "every request failed") || !strings.Contains(stdout, "http_5xx 100.0%") {
		t.Errorf("text summary lacks the one line saying every request failed:\n%s", stdout)
	}
}

// Every output path is opened or checked before the run starts: a typo is
// a usage error at once, not the loss of an hour-long soak's reports.
func TestOutputPathsCheckedBeforeTheRun(t *testing.T) {
	mock, url := mockWith(t, fastMock())
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	dir := t.TempDir()
	for _, flag := range []string{"--out", "--out-vegeta", "--summary-json", "--html", "--junit", "--cpuprofile", "--memprofile"} {
		t.Run(flag, func(t *testing.T) {
			code, _, stderr := runMain("run", "--quiet", "--target", url, "--duration", "5s",
				"--junit", filepath.Join(dir, "j.xml"), flag, "/nonexistent/dir/file",
				writeScenario(t, "message.ttft.p50 < 30s"))
			if code != exitUsage || !strings.Contains(stderr, flag) {
				t.Errorf("run %s /nonexistent/dir/file: exit %d, stderr %q; want %d naming %s", flag, code, stderr, exitUsage, flag)
			}
		})
	}
	// Not timed (a busy machine is slow to refuse too): a run that had
	// started would have signed in at the mock.
	if st := mock.Stats(); st.Sessions.Email+st.Sessions.Anonymous != 0 {
		t.Errorf("the mock saw %d sessions: a run started with a bad output path", st.Sessions.Email+st.Sessions.Anonymous)
	}
}

// A write error mid-run is reported once, the run goes on, every other
// output is still written, and a failed threshold still exits 3.
func TestWriteErrorMidRunKeepsTheOtherOutputs(t *testing.T) {
	_, url := mockWith(t, fastMock())
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	dir := t.TempDir()
	sumPath, junitPath, htmlPath := filepath.Join(dir, "s.json"), filepath.Join(dir, "j.xml"), filepath.Join(dir, "r.html")
	code, stdout, stderr := runMain("run", "--quiet", "--target", url, "--duration", "1s",
		"--out-vegeta", "/dev/full", "--summary-json", sumPath, "--junit", junitPath, "--html", htmlPath,
		"--threshold", "message.ttft.p50 < 1us", writeScenario(t, "message.ttft.p50 < 30s"))
	if code != exitThresholds {
		t.Errorf("exit %d, want %d (the threshold verdict)\nstderr:\n%s", code, exitThresholds, stderr)
	}
	if !strings.Contains(stdout, "loadgen summary") {
		t.Errorf("no text summary on stdout:\n%s", stdout)
	}
	for _, p := range []string{sumPath, junitPath, htmlPath} {
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Errorf("%s not written: %v", p, err)
		}
	}
	if n := strings.Count(stderr, "cannot write an output"); n != 1 || !strings.Contains(stderr, "file=/dev/full") {
		t.Errorf("stderr logs %d output failures, want the one of /dev/full once:\n%s", n, stderr)
	}
}

// Requests loadgen cancels itself (the run's end with --grace 0) are
// canceled, not errors: they stay out of the error rate and goodput (10
// canceled of 150 once gave errors.rate 6.7 %, goodput 80 % and exit 3).
func TestCanceledIsNotAnError(t *testing.T) {
	cfg := fastMock()
	cfg.TTFT = mockserver.Fixed(700 * time.Millisecond)
	_, url := mockWith(t, cfg)
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	sumPath := filepath.Join(t.TempDir(), "s.json")
	code, stdout, stderr := runMain("run", "--quiet", "--target", url, "--duration", "2s", "--grace", "0s",
		"--threshold", "errors.rate < 1%", "--threshold", "message.goodput > 99%", "--summary-json", sumPath,
		writeScenario(t, "message.ttft.p50 < 30s"))
	if code != exitOK {
		t.Errorf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	sum := readSummary(t, sumPath)
	msg := sum.Steps.Get("message")
	if msg.Kinds["canceled"] == 0 || msg.Ours != msg.Kinds["canceled"] || msg.Errors != 0 {
		t.Errorf("message step: %d canceled, %d loadgen_failed, %d errors; want some canceled, all counted as loadgen's, no errors",
			msg.Kinds["canceled"], msg.Ours, msg.Errors)
	}
	if !strings.Contains(stdout, "canceled by the run's stop") {
		t.Errorf("the text summary does not show the canceled steps apart:\n%s", stdout)
	}
}

// An interrupted run's summary and the report of its results file cover the
// same span, so their rates agree (compare of one run with itself once
// showed requests.per_second −32.7 %: the file's report counted the drain).
func TestInterruptedRunRatesAgreeWithItsFile(t *testing.T) {
	cfg := fastMock()
	cfg.TTFT = mockserver.Fixed(300 * time.Millisecond)
	_, url := mockWith(t, cfg)
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	dir := t.TempDir()
	sumPath, outPath, fromFile := filepath.Join(dir, "s.json"), filepath.Join(dir, "r.jsonl"), filepath.Join(dir, "f.json")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(1200*time.Millisecond, cancel) // as SIGINT does, through main's context
	var stdout, stderr strings.Builder
	code := Main(ctx, []string{"run", "--quiet", "--target", url, "--duration", "30s", "--summary-json", sumPath, "--out", outPath,
		writeScenario(t, "message.ttft.p50 < 30s")}, &stdout, &stderr)
	if code != exitRunError {
		t.Fatalf("interrupted run: exit %d, want %d\n%s", code, exitRunError, stderr.String())
	}
	if code, _, stderr := runMain("report", "-type", "json", "-o", fromFile, outPath); code != exitOK {
		t.Fatal(stderr)
	}
	live, file := readSummary(t, sumPath), readSummary(t, fromFile)
	if live.DurationS != file.DurationS || !live.StartedAt.Equal(file.StartedAt) {
		t.Errorf("the summary covers %v s from %v, the file's report %v s from %v; want the same span",
			live.DurationS, live.StartedAt, file.DurationS, file.StartedAt)
	}
	if live.DurationS > 5 {
		t.Errorf("the interrupted run's summary covers %v s, want the 1.2 s it ran", live.DurationS)
	}
}

// Flag values that make no sense are usage errors, not runs with a
// silently different meaning (--grace -1s was accepted; --users 0 and
// --duration 0s fell back to the scenario's values).
func TestRunRejectsSenselessFlags(t *testing.T) {
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	for _, args := range [][]string{
		{"--grace", "-1s"}, {"--users", "0"}, {"--duration", "0s"}, {"--users", "2000000"}, {"--rate", "0/s"},
	} {
		code, _, stderr := runMain(append(append([]string{"run", "--quiet", "--target", "http://127.0.0.1:9"}, args...), writeScenario(t, "message.ttft.p50 < 30s"))...)
		if code != exitUsage || !strings.Contains(stderr, args[0]) {
			t.Errorf("run %v: exit %d, stderr %q; want %d naming %s", args, code, stderr, exitUsage, args[0])
		}
	}
}

// --log-level debug shows something (it printed nothing): the generator's
// limits and the first failed requests of each kind, with their redacted
// error text.
func TestDebugLogShowsFailures(t *testing.T) {
	cfg := fastMock()
	cfg.Faults.Error5xx = 0.3
	_, url := mockWith(t, cfg)
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	_, _, stderr := runMain("run", "--quiet", "--log-level", "debug", "--target", url, "--duration", "1s", writeScenario(t, "message.ttft.p50 < 30s"))
	for _, want := range []string{"level=DEBUG msg=\"generator limits\"", "level=DEBUG msg=\"request failed\"", "kind=http_5xx"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("debug log lacks %q:\n%s", want, stderr)
		}
	}
	assertNoSecrets(t, stderr)
	if n := strings.Count(stderr, "request failed"); n > 20*2 {
		t.Errorf("%d failed requests logged, want at most 20 per kind", n)
	}
}
