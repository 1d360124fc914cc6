package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/resultfile"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/results/resultstest"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// writeShards writes a synthetic run as n results files and returns their
// paths. Each file closes a second after the run's last event.
func writeShards(t *testing.T, cfg resultstest.Config, n int) []string {
	t.Helper()
	dir := t.TempDir()
	evs := resultstest.Generate(cfg)
	end := evs[len(evs)-1].At.Add(time.Second)
	var paths []string
	for i, sh := range resultstest.Split(evs, n) {
		p := filepath.Join(dir, fmt.Sprintf("shard-%d.jsonl", i))
		w, err := resultfile.Create(p, results.Run{ID: fmt.Sprintf("run-%d", cfg.Seed), Scenario: "demo",
			Start: resultstest.T0, Shard: i, Shards: n, Target: "http://user:" + secretMarker + "@127.0.0.1:9/", TargetRate: cfg.Rate / float64(n)},
			resultfile.WithWriterClock(func() time.Time { return end }))
		if err != nil {
			t.Fatal(err)
		}
		resultstest.Replay(w, sh)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

func runMain(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestReportCommand(t *testing.T) {
	shards := writeShards(t, resultstest.Config{Seed: 1, Sessions: 60, Rate: 20}, 2)
	tests := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"text of merged shards", shards, exitOK, "merged    2 results files"},
		{"json", append([]string{"-type", "json"}, shards...), exitOK, `"run_id": "run-1"`},
		{"html", append([]string{"-type", "html"}, shards...), exitOK, `<figure class="lg-chart">`},
		{"junit", append([]string{"-type", "junit", "-threshold", "errors.rate < 50%"}, shards...), exitOK, `failures="0"`},
		{"passing threshold", append([]string{"-threshold", "message.ttft.p95 < 10s"}, shards...), exitOK, "PASS"},
		{"failing threshold exits 3", append([]string{"-threshold", "message.ttft.p95 < 1ms"}, shards...), exitThresholds, "FAIL"},
		{"bad threshold exits 2", append([]string{"-threshold", "message.ttft.p97 < 1s"}, shards...), exitUsage, ""},
		{"unknown type", append([]string{"-type", "pdf"}, shards...), exitUsage, ""},
		{"no files", nil, exitUsage, ""},
		{"missing file", []string{filepath.Join(t.TempDir(), "none.jsonl")}, exitUsage, ""},
		{"bad step filter", append([]string{"-type", "vegeta", "-step", "chat"}, shards...), exitUsage, ""},
		{"csv", append([]string{"-type", "csv"}, shards...), exitOK, "time,run_id,shard,user,session_number,conversation_name,turn,step,code,error,latency_s"},
		{"csv of a step", append([]string{"-type", "csv", "-step", "message"}, shards...), exitOK, ",message,200,"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runMain(append([]string{"report"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit code %d, want %d\nstderr:\n%s", code, tt.code, stderr)
			}
			if !strings.Contains(stdout, tt.contains) {
				t.Errorf("stdout lacks %q:\n%s", tt.contains, stdout)
			}
			assertNoSecrets(t, stdout+stderr)
		})
	}
}

// TestReportCSVRows: one row per result, every row of the shards' run.
func TestReportCSVRows(t *testing.T) {
	shards := writeShards(t, resultstest.Config{Seed: 2, Sessions: 30, Rate: 20}, 2)
	_, stdout, stderr := runMain(append([]string{"report", "-type", "csv"}, shards...)...)
	rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	_, js, _ := runMain(append([]string{"report", "-type", "json"}, shards...)...)
	sum, err := report.ParseJSON([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	for _, st := range results.Steps() {
		want += sum.Steps.Get(st).Count
	}
	if int64(len(rows)-1) != want || rows[1][1] != "run-2" {
		t.Errorf("%d rows (first %q), want a header and %d rows of run-2", len(rows), rows[:min(2, len(rows))], want)
	}
}

// TestReportHTMLOverlaysRuns: files of two runs make one page with both,
// labelled by file name (or -labels); shards of one run still merge.
func TestReportHTMLOverlaysRuns(t *testing.T) {
	a := writeShards(t, resultstest.Config{Seed: 3, Sessions: 30, Rate: 20}, 2)
	b := writeShards(t, resultstest.Config{Seed: 4, Sessions: 30, Rate: 20}, 1)
	before := filepath.Join(filepath.Dir(b[0]), "before.jsonl")
	if err := os.Rename(b[0], before); err != nil {
		t.Fatal(err)
	}
	code, page, stderr := runMain(append([]string{"report", "-type", "html"}, append([]string{before}, a...)...)...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"2 runs overlaid", "<b>before</b>", "<b>shard-0</b>", "shard-0 vs before", "run-3", "run-4"} {
		if !strings.Contains(page, want) {
			t.Errorf("overlay page lacks %q", want)
		}
	}
	_, page, _ = runMain(append([]string{"report", "-type", "html", "-labels", "old,new", before}, a...)...)
	if !strings.Contains(page, "new vs old") {
		t.Errorf("-labels old,new: page lacks %q", "new vs old")
	}
	if code, _, _ := runMain(append([]string{"report", "-type", "html", "-labels", "one", before}, a...)...); code != exitUsage {
		t.Errorf("one label for two runs: exit %d, want %d", code, exitUsage)
	}
	if _, page, _ := runMain(append([]string{"report", "-type", "html"}, a...)...); strings.Contains(page, "overlaid") {
		t.Error("the shards of one run were overlaid instead of merged")
	}
}

func TestReportOfShardsEqualsReportOfOneFile(t *testing.T) {
	cfg := resultstest.Config{Seed: 5, Sessions: 80, Rate: 20}
	one := writeShards(t, cfg, 1)
	three := writeShards(t, cfg, 3)
	_, a, _ := runMain("report", "-type", "json", one[0])
	_, b, _ := runMain(append([]string{"report", "-type", "json"}, three...)...)
	sa, err := report.ParseJSON([]byte(a))
	if err != nil {
		t.Fatal(err)
	}
	sb, err := report.ParseJSON([]byte(b))
	if err != nil {
		t.Fatal(err)
	}
	// Everything but the number of files merged is the same.
	sb.Files = sa.Files
	var x, y bytes.Buffer
	_ = report.WriteJSON(&x, sa)
	_ = report.WriteJSON(&y, sb)
	if x.String() != y.String() {
		t.Errorf("report of 3 shards differs from the report of the whole run")
	}
}

func TestReportWarnsOnACutFile(t *testing.T) {
	p := writeShards(t, resultstest.Config{Seed: 2, Sessions: 10, Rate: 10}, 1)[0]
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b[:len(b)*2/3], 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runMain("report", p)
	if code != exitOK || !strings.Contains(stderr, "warning:") || !strings.Contains(stderr, "cut short") {
		t.Errorf("exit %d, stderr %q; want 0 and a warning about the cut record", code, stderr)
	}
	if !strings.Contains(stdout, "Latency by step") {
		t.Errorf("no report of the records before the cut:\n%s", stdout)
	}
}

func TestReportVegeta(t *testing.T) {
	shards := writeShards(t, resultstest.Config{Seed: 3, Sessions: 20, Rate: 10}, 2)
	out := filepath.Join(t.TempDir(), "run.vegeta")
	code, _, stderr := runMain(append([]string{"report", "-type", "vegeta", "-step", "message", "-o", out}, shards...)...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := vegeta.DecoderFor(f)
	var n int
	for {
		var r vegeta.Result
		err := dec.Decode(&r)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("vegeta decode: %v", err)
		}
		if !strings.HasSuffix(r.URL, "/api/chat") || strings.Contains(r.URL, secretMarker) {
			t.Errorf("URL %q, want the message endpoint without credentials", r.URL)
		}
		n++
	}
	s, _, err := report.Load(shards...)
	if err != nil {
		t.Fatal(err)
	}
	if int64(n) != s.Steps.Get(results.StepMessage).Count {
		t.Errorf("vegeta file holds %d results, want the %d message steps", n, s.Steps.Get(results.StepMessage).Count)
	}
}

func TestCompareCommand(t *testing.T) {
	base := writeShards(t, resultstest.Config{Seed: 1, Sessions: 1200, Rate: 20}, 2)
	same := writeShards(t, resultstest.Config{Seed: 2, Sessions: 1200, Rate: 20}, 1)
	slower := writeShards(t, resultstest.Config{Seed: 3, Sessions: 1200, Rate: 20, TTFT: 150 * time.Millisecond}, 1)

	// A summary JSON works as well as results files.
	summaryPath := filepath.Join(t.TempDir(), "base.json")
	if code, _, stderr := runMain(append([]string{"report", "-type", "json", "-o", summaryPath}, base...)...); code != exitOK {
		t.Fatal(stderr)
	}
	baseArg := strings.Join(base, ",")
	tests := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"planted regression fails the gate", []string{"--fail-on", "message.ttft.p95 +10%", baseArg, slower[0]}, exitThresholds,
			"FAIL  message.ttft.p95 +10%"},
		{"same configuration passes", []string{"--fail-on", "message.ttft.p95 +10%", "--fail-on", "errors.rate +1pp", baseArg, same[0]},
			exitOK, "2 of 2 rules passed"},
		{"summary JSON as baseline", []string{"--fail-on", "message.ttft.p95 +10%", summaryPath, slower[0]}, exitThresholds, "beyond noise"},
		{"json output", []string{"-type", "json", baseArg, same[0]}, exitOK, `"noise_method"`},
		{"bad rule", []string{"--fail-on", "message.ttft.p95 10%", baseArg, same[0]}, exitUsage, ""},
		{"one argument", []string{baseArg}, exitUsage, ""},
		{"bad type", []string{"-type", "xml", baseArg, same[0]}, exitUsage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runMain(append([]string{"compare"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
			}
			if !strings.Contains(stdout, tt.contains) {
				t.Errorf("stdout lacks %q:\n%s", tt.contains, stdout)
			}
			assertNoSecrets(t, stdout+stderr)
		})
	}
}
