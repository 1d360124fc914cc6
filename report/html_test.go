package report_test

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/loadgen/loadgen/internal/chart"
	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/results"
)

func TestWriteHTMLGolden(t *testing.T) {
	s := testSummary(t)
	var b bytes.Buffer
	if err := report.WriteHTML(&b, s); err != nil {
		t.Fatal(err)
	}
	// The inlined uPlot and chart glue are checked in internal/chart.
	page := strings.Replace(b.String(), string(chart.Assets()), "<!-- chart.Assets() -->\n", 1)
	golden(t, "report.html", []byte(page))
	if out := os.Getenv("LOADGEN_HTML_OUT"); out != "" { // for a look in a browser
		if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestHTMLIsSelfContained(t *testing.T) {
	var b bytes.Buffer
	if err := report.WriteHTML(&b, testSummary(t)); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	checkSelfContained(t, page)
	for _, want := range []string{
		"Thresholds", "FAIL", "errors.rate &lt; 0.5%", "Latency by step", "intended", "TTFT", "TPOT",
		"single-shot (cached or canned)", "Requests and errors per second", "Users active",
		"target (schedule) vs achieved", "Time to first token per interval", "Message latency",
		"Time to first token: distribution", "Errors by kind", "stream_truncated", "Definitions",
		`<figure class="lg-chart">`, "uPlot", `"marks":[{"x":10,"label":"end 10s"}]`, "Latency p95 of the other steps",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
	if strings.Contains(page, "pa55word") || strings.Contains(page, "token=abc") {
		t.Error("HTML report contains the target's credentials")
	}
}

// checkSelfContained fails the test when the page could make a browser
// fetch anything: no script or style sources, links, imports, CSS urls or
// srcsets, and no URL at all but the shown target and uPlot's licence
// banner (a comment).
func checkSelfContained(t *testing.T, page string, targets ...string) {
	t.Helper()
	for _, re := range []string{`<script[^>]*\ssrc`, `\ssrc=`, `\shref=`, `<link`, `@import`, `url\(`, `srcset`, `<iframe`, `<object`, `<embed`} {
		if regexp.MustCompile(re).MatchString(page) {
			t.Errorf("HTML report matches %q: it must load nothing", re)
		}
	}
	allowed := map[string]bool{"https://github.com/leeoniya/uPlot": true, "http://127.0.0.1:8080/": true}
	for _, t := range targets {
		allowed[t] = true
	}
	for _, u := range regexp.MustCompile(`(?i)\b(?:https?|wss?|ftp)://[^\s"'<>()]*`).FindAllString(page, -1) {
		if !allowed[u] {
			t.Errorf("HTML report holds the URL %q", u)
		}
	}
}

func TestHTMLEscapesNames(t *testing.T) {
	s := testSummary(t)
	s.Scenario = `<img src=x onerror=alert(1)>`
	s.Errors["<b>kind</b>"] = 1
	var b bytes.Buffer
	if err := report.WriteHTML(&b, s); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "<img") || strings.Contains(b.String(), "<b>kind") {
		t.Error("HTML report does not escape names from the run")
	}
}

func TestHTMLOfAnEmptyRun(t *testing.T) {
	s := report.Build(results.Run{Scenario: "empty"}, testSnapshot(resultsConfigEmpty))
	var b bytes.Buffer
	if err := report.WriteHTML(&b, s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "No errors.") {
		t.Error("empty run's report lacks 'No errors.'")
	}
}

func TestHTMLMarksAnInterruptedRun(t *testing.T) {
	s := testSummary(t)
	s.Interrupted, s.DurationS = true, 6
	var b bytes.Buffer
	if err := report.WriteHTML(&b, s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"marks":[{"x":6,"label":"interrupted 6s"}],"bands":[{"from":6,`) {
		t.Error("the charts of an interrupted run do not mark where it was stopped and the drain after it")
	}
}
