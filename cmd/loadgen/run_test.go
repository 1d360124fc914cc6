package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/loadgen/loadgen/internal/testutil"
	"github.com/loadgen/loadgen/mockserver"
	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/resultfile"
	"github.com/loadgen/loadgen/stats"
)

// secretMarker is the HMAC secret in these tests; no output may contain it.
const secretMarker = "s3cret-MARKER-7f1c"

// e2eMock starts a mock with a fixed 100 ms TTFT whose replies all begin with
// an immediate data part, so TTFB is small and TTFT is 100 ms.
func e2eMock(t *testing.T) (*mockserver.Server, string) {
	t.Helper()
	m, err := mockserver.New(mockserver.Config{
		Secret:        secretMarker,
		TTFT:          mockserver.Fixed(100 * time.Millisecond),
		TokenInterval: mockserver.Fixed(2 * time.Millisecond),
		Tokens:        mockserver.Range{Min: 5, Max: 5},
		DataPart:      1,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m)
	t.Cleanup(func() { srv.Close(); m.Close() })
	return m, srv.URL
}

const e2eScenario = `version: 1
name: e2e
target: {base_url: "http://127.0.0.1:1"}
users: {email: "e2e-{{.Seq}}@example.com", anonymous: 20%%}
load: {arrival_rate: 10/s, duration: 2s}
conversations:
  - name: support
    subject: "Order {{.Seq}}"
    turns:
      - message: "Where is order {{randInt 1000 9999}}?"
      - message: "Thanks"
        think: 10ms
thresholds:
  - %s
`

func writeScenario(t *testing.T, threshold string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "e2e.yaml")
	if err := os.WriteFile(p, []byte(fmt.Sprintf(e2eScenario, threshold)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// designMetrics are the metric families design.md promises.
var designMetrics = []string{
	"loadgen_step_duration_seconds", "loadgen_time_to_first_byte_seconds",
	"loadgen_time_to_first_token_seconds", "loadgen_inter_token_seconds",
	"loadgen_requests_total", "loadgen_errors_total", "loadgen_sessions_started_total",
	"loadgen_sessions_completed_total", "loadgen_sessions_active", "loadgen_tokens_total",
	"loadgen_schedule_lag_seconds", "loadgen_rate_limit_wait_seconds",
}

func TestRunEndToEnd(t *testing.T) {
	mock, url := e2eMock(t)
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	dir := t.TempDir()
	summaryPath := filepath.Join(dir, "summary.json")
	metricsAddr := testutil.FreeAddr(t)

	// Scrape /metrics while the run goes on.
	scraped := make(chan map[string]bool, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { scraped <- scrapeUntilSessions(ctx, "http://"+metricsAddr+"/metrics") }()

	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"run", "--target", url, "--metrics-addr", metricsAddr,
		"--summary-json", summaryPath, writeScenario(t, "message.ttft.p50 < 30s")}, &stdout, &stderr)
	cancel()
	if code != exitOK {
		t.Fatalf("exit code %d, want 0\nstderr:\n%s", code, stderr.String())
	}

	families := <-scraped
	for _, name := range designMetrics {
		if !families[name] {
			t.Errorf("/metrics scraped during the run lacks %s", name)
		}
	}

	sum := readSummary(t, summaryPath)
	st := mock.Stats()
	if sum.Sessions.Started != 20 || sum.Sessions.Completed != 20 {
		t.Errorf("sessions %+v; want 20 started and completed (10/s for 2s)", sum.Sessions)
	}
	if got := st.Sessions.Email + st.Sessions.Anonymous; got != sum.Sessions.Started {
		t.Errorf("mock counted %d sessions, summary %d", got, sum.Sessions.Started)
	}
	if got := sum.Steps.Get("conversation").Count; got != st.Conversations {
		t.Errorf("summary counted %d conversations, mock %d", got, st.Conversations)
	}
	msg := sum.Steps.Get("message")
	if msg.Count != st.Messages.StreamStarted || msg.Count != 40 {
		t.Errorf("summary counted %d messages, mock %d; want 40", msg.Count, st.Messages.StreamStarted)
	}
	ttft, ttfb := msg.MessageSummary.TTFT.P50, msg.MessageSummary.TTFB.P50
	t.Logf("TTFT p50 %.1f ms, TTFB p50 %.1f ms (mock TTFT 100 ms, data part first)", ttft*1e3, ttfb*1e3)
	if ttft < 0.100 || ttft > 0.300 {
		t.Errorf("TTFT p50 = %.1f ms; want just above the mock's 100 ms", ttft*1e3)
	}
	if ttfb > ttft/2 {
		t.Errorf("TTFB p50 = %.1f ms; want well below TTFT (%.1f ms): the data part comes first", ttfb*1e3, ttft*1e3)
	}
	for _, out := range []string{stdout.String(), stderr.String()} {
		assertNoSecrets(t, out)
	}
	b, _ := os.ReadFile(summaryPath)
	assertNoSecrets(t, string(b))
	if !strings.Contains(stdout.String(), "TTFT") {
		t.Errorf("stdout has no summary table:\n%s", stdout.String())
	}
}

// scrapeUntilSessions scrapes url until a session has started, and returns
// the metric family names it saw then.
func scrapeUntilSessions(ctx context.Context, url string) map[string]bool {
	for ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
		resp, err := http.Get(url)
		if err != nil {
			continue
		}
		p := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := p.TextToMetricFamilies(resp.Body)
		resp.Body.Close()
		if err != nil {
			continue
		}
		f := fams["loadgen_sessions_started_total"]
		if f == nil || len(f.Metric) == 0 || f.Metric[0].GetCounter().GetValue() < 5 {
			continue
		}
		names := map[string]bool{}
		for n := range fams {
			names[n] = true
		}
		return names
	}
	return nil
}

func readSummary(t *testing.T, path string) *report.Summary {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := report.ReadJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// assertNoSecrets fails when out holds the secret or anything like a token.
func assertNoSecrets(t *testing.T, out string) {
	t.Helper()
	for _, bad := range []string{secretMarker, "eyJ", "Bearer "} {
		if strings.Contains(out, bad) {
			t.Errorf("output contains %q:\n%s", bad, out)
		}
	}
}

func TestRunInterruptDrainsAndWritesSummary(t *testing.T) {
	_, url := e2eMock(t)
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	summaryPath := filepath.Join(t.TempDir(), "summary.json")
	sc := writeScenario(t, "message.ttft.p50 < 30s")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(700*time.Millisecond, cancel) // as SIGINT does, through main's context
	var stdout, stderr bytes.Buffer
	code := Main(ctx, []string{"run", "--target", url, "--duration", "1m", "--summary-json", summaryPath, sc}, &stdout, &stderr)
	if code != exitRunError {
		t.Errorf("exit code %d after an interrupt, want %d", code, exitRunError)
	}
	sum := readSummary(t, summaryPath)
	if sum.Sessions.Started == 0 {
		t.Fatalf("summary counts no sessions")
	}
	ended := sum.Sessions.Completed + sum.Sessions.Failed + sum.Sessions.Canceled
	if ended != sum.Sessions.Started {
		t.Errorf("sessions %+v: every started session must end", sum.Sessions)
	}
	if !strings.Contains(stderr.String(), "interrupted") || !strings.Contains(stdout.String(), "sessions") {
		t.Errorf("want the summary on stdout and the interruption on stderr\nstdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
}

func TestRunUsageErrors(t *testing.T) {
	sc := writeScenario(t, "message.ttft.p50 < 30s")
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("version: 1\nname: x\nload: {users: two}\n"), 0o644)
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no scenario", []string{"run"}, "want exactly one scenario file"},
		{"bad scenario", []string{"run", bad}, "bad.yaml:3"},
		{"rate and users", []string{"run", "--rate", "5/s", "--users", "3", sc}, "exclude each other"},
		{"bad rate", []string{"run", "--rate", "fast", sc}, "--rate"},
		{"bad shard", []string{"run", "--shard", "3/2", sc}, "--shard"},
		{"unknown flag", []string{"run", "--nope", sc}, "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := Main(context.Background(), tt.args, &stdout, &stderr); code != exitUsage {
				t.Errorf("exit code %d, want %d (usage)\nstderr:\n%s", code, exitUsage, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, stderr.String())
			}
		})
	}
}

func TestRunWithoutSecretNamesTheVariable(t *testing.T) {
	t.Setenv("HELPER_HMAC_SECRET", "")
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"run", writeScenario(t, "message.ttft.p50 < 30s")}, &stdout, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "HELPER_HMAC_SECRET") {
		t.Errorf("exit %d, stderr %q; want a usage error naming HELPER_HMAC_SECRET", code, stderr.String())
	}
}

func TestRunThresholdsSetTheExitCode(t *testing.T) {
	_, url := e2eMock(t)
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	tests := []struct {
		name      string
		threshold string // in the scenario
		flags     []string
		want      int
	}{
		{"pass", "message.ttft.p95 < 30s", nil, exitOK},
		{"scenario threshold fails", "message.ttft.p50 < 1ms", nil, exitThresholds},
		{"flag threshold fails", "message.ttft.p95 < 30s", []string{"--threshold", "session.count > 1000000"}, exitThresholds},
		{"bad flag threshold", "message.ttft.p95 < 30s", []string{"--threshold", "message.ttft.p95 <"}, exitUsage},
		{"bad scenario threshold", "message.nope.p95 < 1s", nil, exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			junit := filepath.Join(dir, "junit.xml")
			args := append([]string{"run", "--target", url, "--duration", "1s", "--quiet", "--junit", junit}, tt.flags...)
			args = append(args, writeScenario(t, tt.threshold))
			var stdout, stderr bytes.Buffer
			code := Main(context.Background(), args, &stdout, &stderr)
			if code != tt.want {
				t.Fatalf("exit code %d, want %d\nstderr:\n%s", code, tt.want, stderr.String())
			}
			if code == exitUsage {
				return
			}
			b, err := os.ReadFile(junit)
			if err != nil {
				t.Fatal(err)
			}
			failures := strings.Count(string(b), "<failure")
			if (code == exitThresholds) != (failures > 0) {
				t.Errorf("exit %d but the JUnit file has %d failures:\n%s", code, failures, b)
			}
		})
	}
}

func TestRunAbortOnFailStopsEarly(t *testing.T) {
	_, url := e2eMock(t)
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	var stdout, stderr bytes.Buffer
	sumPath := filepath.Join(t.TempDir(), "summary.json")
	code := Main(context.Background(), []string{"run", "--target", url, "--rate", "40/s", "--duration", "1m", "--quiet",
		"--summary-json", sumPath, "--abort-on-fail", "--threshold", "message.ttft.p99 < 1ms", writeScenario(t, "message.ttft.p95 < 30s")}, &stdout, &stderr)
	if code != exitThresholds {
		t.Fatalf("exit code %d, want %d\nstderr:\n%s", code, exitThresholds, stderr.String())
	}
	// The run's own record, not the test's clock: stopped before its
	// duration ended.
	var sum struct {
		DurationS   float64 `json:"duration_s"`
		Interrupted bool    `json:"interrupted"`
	}
	if b, err := os.ReadFile(sumPath); err != nil || json.Unmarshal(b, &sum) != nil {
		t.Fatalf("summary: %v\n%s", err, b)
	}
	t.Logf("the run stopped after %.1fs of its 60s", sum.DurationS)
	if !sum.Interrupted || sum.DurationS >= 60 {
		t.Errorf("summary: interrupted %v after %.1fs; --abort-on-fail should stop the run before its 1m duration", sum.Interrupted, sum.DurationS)
	}
	if !strings.Contains(stderr.String(), "aborting") {
		t.Errorf("stderr does not say why the run stopped:\n%s", stderr.String())
	}
}

func TestRunWritesResultsFiles(t *testing.T) {
	_, url := e2eMock(t)
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	dir := t.TempDir()
	out, veg, html := filepath.Join(dir, "results.jsonl"), filepath.Join(dir, "results.vegeta"), filepath.Join(dir, "report.html")
	summaryPath := filepath.Join(dir, "summary.json")
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"run", "--target", url, "--duration", "1s", "--quiet",
		"--out", out, "--out-vegeta", veg, "--html", html, "--summary-json", summaryPath, writeScenario(t, "message.ttft.p95 < 30s")}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit code %d\nstderr:\n%s", code, stderr.String())
	}
	// The results file reproduces the live summary exactly.
	live := readSummary(t, summaryPath)
	var rstdout, rstderr bytes.Buffer
	if code := Main(context.Background(), []string{"report", "-type", "json", out}, &rstdout, &rstderr); code != exitOK {
		t.Fatalf("loadgen report: exit %d\n%s", code, rstderr.String())
	}
	fromFile, err := report.ReadJSON(&rstdout)
	if err != nil {
		t.Fatal(err)
	}
	if live.Sessions != fromFile.Sessions || live.Steps.Get("message").Count != fromFile.Steps.Get("message").Count ||
		live.Steps.Get("message").MessageSummary.TTFT.P95 != fromFile.Steps.Get("message").MessageSummary.TTFT.P95 {
		t.Errorf("report of --out differs from the live summary:\nlive %+v %+v\nfile %+v %+v", live.Sessions,
			live.Steps.Get("message").MessageSummary.TTFT, fromFile.Sessions, fromFile.Steps.Get("message").MessageSummary.TTFT)
	}
	for _, p := range []string{out, veg, html} {
		b, err := os.ReadFile(p)
		if err != nil || len(b) == 0 {
			t.Errorf("%s: %d bytes, %v; want a file", p, len(b), err)
		}
		assertNoSecrets(t, string(b))
	}
	// The results file carries the run's configuration: a report made from
	// it later shows it too.
	var page bytes.Buffer
	if code := Main(context.Background(), []string{"report", "-type", "html", out}, &page, &rstderr); code != exitOK {
		t.Fatalf("loadgen report -type html: exit %d\n%s", code, rstderr.String())
	}
	for _, want := range []string{"Configuration", "open model, 10/s sessions for 1s", "support"} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("HTML report of --out lacks %q", want)
		}
	}
}

// TestRunOutputsToStdout: --out - streams the results file to stdout, the
// text summary then goes to stderr, and two outputs cannot share stdout.
func TestRunOutputsToStdout(t *testing.T) {
	_, url := e2eMock(t)
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	sc := writeScenario(t, "message.ttft.p95 < 30s")
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"run", "--target", url, "--duration", "1s", "--quiet", "--out", "-", sc}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit code %d\nstderr:\n%s", code, stderr.String())
	}
	r, err := resultfile.NewReader(bytes.NewReader(stdout.Bytes()), "stdout")
	if err != nil {
		t.Fatalf("stdout is not a results file: %v\n%.300s", err, stdout.String())
	}
	if err := r.Replay(stats.New()); err != nil || r.ClosedAt().IsZero() {
		t.Errorf("stdout's results file: %v, closed at %v; want a complete file", err, r.ClosedAt())
	}
	if !strings.Contains(stderr.String(), "loadgen summary: e2e") {
		t.Errorf("the summary did not go to stderr:\n%s", stderr.String())
	}
	assertNoSecrets(t, stdout.String()+stderr.String())
	code = Main(context.Background(), []string{"run", "--target", url, "--out", "-", "--html", "-", sc}, &bytes.Buffer{}, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "--out and --html all write to stdout") {
		t.Errorf("--out - --html -: exit %d, want %d and a clear error:\n%s", code, exitUsage, stderr.String())
	}
}
