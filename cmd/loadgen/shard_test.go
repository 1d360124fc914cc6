package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/loadgen/loadgen/collect"
	"github.com/loadgen/loadgen/report"
)

// TestShardUsageErrors: a shard's flags that cannot work with a collector
// fail before the run, with exit 2, rather than after it or never.
func TestShardUsageErrors(t *testing.T) {
	sc := writeScenario(t, "message.ttft.p50 < 30s")
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	notCollector := httptest.NewServer(http.NotFoundHandler()) // any other server: the target, a typo'd path
	defer notCollector.Close()
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"--threshold is the collector's", []string{"--threshold", "errors.rate < 1%"}, "give --threshold to loadgen collect"},
		{"--abort-on-fail is the collector's", []string{"--abort-on-fail"}, "--abort-on-fail with --collector"},
		{"a URL that is not a collector's", []string{"--collector", notCollector.URL + "/typo"}, "no loadgen collector at this URL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"run", "--quiet", "--shard", "0/2", "--collector", notCollector.URL}, tt.args...)
			var stdout, stderr bytes.Buffer
			if code := Main(context.Background(), append(args, sc), &stdout, &stderr); code != exitUsage {
				t.Errorf("exit code %d, want %d (usage)\nstderr:\n%s", code, exitUsage, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, stderr.String())
			}
		})
	}
}

// TestShardWhoseFileIsRefusedFails: a shard's results file the collector
// cannot take (cut short by a full disk) is a failed run, exit 1, with
// the file kept and named; not a usage error.
func TestShardWhoseFileIsRefusedFails(t *testing.T) {
	_, target := e2eMock(t)
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	fake := fakeCollector(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		json.NewEncoder(w).Encode(collect.Problem{Reason: collect.ReasonBadFile, Message: "it ends without its closing record"})
	})
	out := filepath.Join(t.TempDir(), "r.jsonl")
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"run", "--quiet", "--shard", "0/1", "--collector", fake.URL, "--target", target,
		"--duration", "200ms", "--grace", "0", "--out", out, writeScenario(t, "message.ttft.p50 < 30s")}, &stdout, &stderr)
	if code != exitRunError {
		t.Errorf("exit code %d, want %d (run error)\nstderr:\n%s", code, exitRunError, stderr.String())
	}
	if want := "the collector did not take the results (they are in " + out; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
	}
	if strings.Contains(stdout.String()+stderr.String(), secretMarker) {
		t.Error("the output holds the HMAC secret")
	}
}

// fakeCollector opens every barrier at once and answers uploads with upload.
func fakeCollector(t *testing.T, upload http.HandlerFunc) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+collect.PathJoin, func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		json.NewEncoder(w).Encode(collect.JoinResponse{RunID: "run-1", StartAt: now.Add(10 * time.Millisecond), Now: now})
	})
	mux.HandleFunc("PUT "+collect.PathResults+"{shard}", upload)
	fake := httptest.NewServer(mux)
	t.Cleanup(fake.Close)
	return fake
}

// TestCollectInterrupted: Ctrl-C on a collector that has no results yet
// says it was interrupted, exit 1.
func TestCollectInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	code := Main(ctx, []string{"collect", "--shards", "2", "--addr", "127.0.0.1:0", "--dir", t.TempDir(),
		writeScenario(t, "message.ttft.p50 < 30s")}, &stdout, &stderr)
	if code != exitRunError {
		t.Errorf("exit code %d, want %d\nstderr:\n%s", code, exitRunError, stderr.String())
	}
	if want := "interrupted before any shard sent its results (shards 0, 1 of 2 missing)"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
	}
}

// TestCollectJSONLogs: the collector's log lines can be JSON, as run's
// (a cluster's log pipeline reads them).
func TestCollectJSONLogs(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	Main(ctx, []string{"collect", "--log-format", "json", "--shards", "1", "--addr", "127.0.0.1:0", "--dir", t.TempDir(),
		writeScenario(t, "message.ttft.p50 < 30s")}, &stdout, &stderr)
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	var logged int
	for _, line := range lines[:len(lines)-1] { // the last line is the error, as every command's
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Errorf("log line %q is not JSON: %v", line, err)
		}
		logged++
	}
	if logged == 0 {
		t.Errorf("no log lines before the error:\n%s", stderr.String())
	}
}

// TestPushSummary: the merged summary goes to the Pushgateway's group of
// job loadgen_collect and the scenario (bounded: one per scenario, each run
// replacing the last), with the run id on loadgen_summary_info only.
func TestPushSummary(t *testing.T) {
	var path, body string
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.Method + " " + r.URL.Path
		var text strings.Builder
		dec := expfmt.NewDecoder(r.Body, expfmt.ResponseFormat(r.Header))
		for {
			var mf dto.MetricFamily
			if err := dec.Decode(&mf); err != nil {
				break
			}
			expfmt.MetricFamilyToText(&text, &mf)
		}
		body = text.String()
	}))
	defer gw.Close()
	sum := &report.Summary{RunID: "run-7", Scenario: "smoke", DurationS: 5,
		Distributed: &report.Distributed{Shards: 2, Received: 2, Complete: true}}
	if err := pushSummary(context.Background(), gw.URL, sum); err != nil {
		t.Fatal(err)
	}
	if want := "PUT /metrics/job/loadgen_collect/scenario/smoke"; path != want {
		t.Errorf("pushed to %q, want %q", path, want)
	}
	for _, want := range []string{`loadgen_summary_info{run_id="run-7"} 1`, `loadgen_summary_complete 1`, `loadgen_summary_shards{state="received"} 2`} {
		if !strings.Contains(body, want) {
			t.Errorf("pushed metrics lack %s:\n%s", want, body)
		}
	}
	if n := strings.Count(body, "run-7"); n != 1 {
		t.Errorf("the run id is on %d series, want only loadgen_summary_info:\n%s", n, body)
	}
}

// TestCtrlCStopsAnUploadThatCannotArrive: a shard whose collector cannot
// take its results (gone, or a proxy answering 503) stops trying at a
// Ctrl-C that comes during the upload, instead of holding its summary back
// for the whole --collector-timeout; the results file stays.
func TestCtrlCStopsAnUploadThatCannotArrive(t *testing.T) {
	_, target := e2eMock(t)
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	fake := fakeCollector(t, func(w http.ResponseWriter, r *http.Request) {
		interrupt() // the user gives up on the upload
		http.Error(w, "no endpoints", http.StatusServiceUnavailable)
	})
	out := filepath.Join(t.TempDir(), "r.jsonl")
	done := make(chan int, 1)
	var stdout, stderr bytes.Buffer
	go func() {
		done <- Main(ctx, []string{"run", "--quiet", "--shard", "0/1", "--collector", fake.URL, "--collector-timeout", "1h",
			"--target", target, "--duration", "200ms", "--grace", "0", "--out", out, writeScenario(t, "message.ttft.p50 < 30s")}, &stdout, &stderr)
	}()
	select {
	case code := <-done:
		if code != exitRunError {
			t.Errorf("exit code %d, want %d", code, exitRunError)
		}
	case <-time.After(time.Minute):
		t.Fatal("the upload went on retrying after the Ctrl-C (the collector timeout is 1h)")
	}
	if want := "the collector did not take the results (they are in " + out; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("the results file: %v", err)
	}
	if strings.Contains(stderr.String(), "no new sessions or turns") {
		t.Errorf("after the run, the Ctrl-C is said to stop new sessions:\n%s", stderr.String())
	}
}
