package report_test

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/results"
)

func TestWriteHTMLGolden(t *testing.T) {
	s := testSummary(t)
	var b bytes.Buffer
	if err := report.WriteHTML(&b, s); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.html", b.Bytes())
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
	// Nothing that makes a browser fetch: no scripts, sources, links,
	// imports or CSS urls. (The SVG namespace is a name, not a fetch.)
	for _, re := range []string{`<script`, `\ssrc=`, `\shref=`, `<link`, `@import`, `url\(`} {
		if regexp.MustCompile(re).MatchString(page) {
			t.Errorf("HTML report matches %q: it must load nothing", re)
		}
	}
	for _, want := range []string{
		"Thresholds", "FAIL", "errors.rate &lt; 0.5%", "Latency by step", "intended", "TTFT", "TPOT",
		"single-shot (cached or canned)", "Requests and errors per second", "Users active",
		"target (schedule) vs achieved", "Time to first token per interval", "Message latency",
		"Time to first token: distribution", "Errors by kind", "stream_truncated", "Definitions", "<svg",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
	if strings.Contains(page, "pa55word") || strings.Contains(page, "token=abc") {
		t.Error("HTML report contains the target's credentials")
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
