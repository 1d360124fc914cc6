package report_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/stats"
)

// agreeSummary is a 2 s run whose headline figures every output shows: 10
// requests of the users (one failed for the target, one canceled by the
// run's stop) and 5 polls (measurement overhead), 3 of them failed.
func agreeSummary(t *testing.T) *report.Summary {
	t.Helper()
	agg := stats.New()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	rec := func(step results.Step, kind results.Kind, n int) {
		for range n {
			agg.Record(&results.Result{Conversation: "c", Step: step, Error: kind, Start: t0, Code: 200, Latency: time.Millisecond})
		}
	}
	rec(results.StepMessage, "", 8)
	rec(results.StepMessage, results.KindHTTP5xx, 1)
	rec(results.StepMessage, results.KindCanceled, 1)
	rec(results.StepPoll, results.KindNoReply, 3)
	rec(results.StepPoll, "", 2)
	return report.Build(results.Run{ID: "r", Scenario: "s", Start: t0, Duration: 2 * time.Second}, agg.Snapshot())
}

// TestHeadlineFiguresAgree: the requests, requests per second and error
// rate of one run are the same in the text summary, the JSON throughput,
// the HTML tiles and the overlay's key figures: the users' traffic (polls
// apart), and an error rate over the requests the target answered.
func TestHeadlineFiguresAgree(t *testing.T) {
	s := agreeSummary(t)
	var text strings.Builder
	if err := report.WriteText(&text, s); err != nil {
		t.Fatal(err)
	}
	if want := "requests  10 (5.00/s), 1 error (11.1%)"; !strings.Contains(text.String(), want) {
		t.Fatalf("text lacks %q:\n%s", want, text.String())
	}
	if got := s.Throughput.RequestsPerS; got != 5 {
		t.Errorf("JSON throughput.requests_per_s = %g, want 5 (the text's 10 requests in 2 s)", got)
	}
	var page strings.Builder
	if err := report.WriteHTML(&page, s); err != nil {
		t.Fatal(err)
	}
	for label, want := range map[string]string{"requests": "10", "errors": "11.1%"} {
		re := regexp.MustCompile(`<div class="l">` + label + `</div><div class="v">([^<]*)</div>`)
		if m := re.FindStringSubmatch(page.String()); m == nil || m[1] != want {
			t.Errorf("HTML tile %s = %q, want %s", label, m, want)
		}
	}
	var runs strings.Builder
	if err := report.WriteHTMLRuns(&runs, []*report.Summary{s, s}, []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"requests": "10", "requests per second": "5.00/s", "error rate": "11.1%"} {
		re := regexp.MustCompile(`<tr><td>` + name + `</td><td>([^<]*)</td>`)
		if m := re.FindStringSubmatch(runs.String()); m == nil || m[1] != want {
			t.Errorf("overlay key figure %q = %q, want %s", name, m, want)
		}
	}
}

// TestHTMLErrorShares: the errors table's share column is each kind's share
// of the errors it lists (the polls' and loadgen's own included), so the
// shares add up to 100 %.
func TestHTMLErrorShares(t *testing.T) {
	var page strings.Builder
	if err := report.WriteHTML(&page, agreeSummary(t)); err != nil {
		t.Fatal(err)
	}
	i := strings.Index(page.String(), "<h2>Errors by kind</h2>")
	j := strings.Index(page.String(), "<h2>Status codes</h2>")
	if i < 0 || j < i {
		t.Fatal("no errors table")
	}
	table := page.String()[i:j]
	for kind, want := range map[string]string{"no_reply": "60.0%", "http_5xx": "20.0%", "canceled": "20.0%"} {
		re := regexp.MustCompile(`<tr><td>` + kind + `[^<]*</td>.*</span> ([0-9.]+%)</td></tr>`)
		if m := re.FindStringSubmatch(table); m == nil || m[1] != want {
			t.Errorf("share of %s errors = %q, want %s\n%s", kind, m, want, table)
		}
	}
}

// TestInterruptedRunSaysSo: a run stopped (Ctrl-C, --abort-on-fail) before its duration
// ended says so where its length is given, in the text and the HTML (the
// JSON has interrupted: true), so that its numbers are not read as a whole
// run's.
func TestInterruptedRunSaysSo(t *testing.T) {
	s := agreeSummary(t)
	s.Interrupted = true
	var text, page strings.Builder
	if err := report.WriteText(&text, s); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteHTML(&page, s); err != nil {
		t.Fatal(err)
	}
	if want := "ran 2.0s, interrupted before its duration ended"; !strings.Contains(text.String(), want) {
		t.Errorf("text lacks %q:\n%s", want, text.String())
	}
	if want := "<b>interrupted</b> before its duration ended"; !strings.Contains(page.String(), want) {
		t.Errorf("HTML lacks %q", want)
	}
	s.Interrupted = false
	text.Reset()
	if err := report.WriteText(&text, s); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text.String(), "interrupted") {
		t.Errorf("a whole run's text says interrupted:\n%s", text.String())
	}
}

// TestPollNoteOnlyWithPolls: the text's note (3) on polls comes with runs
// that polled, not with every summary.
func TestPollNoteOnlyWithPolls(t *testing.T) {
	with := agreeSummary(t)
	agg := stats.New()
	agg.Record(&results.Result{Conversation: "c", Step: results.StepMessage, Start: time.Now(), Code: 200, Latency: time.Millisecond})
	without := report.Build(results.Run{ID: "r", Scenario: "s", Duration: time.Second}, agg.Snapshot())
	for _, c := range []struct {
		s    *report.Summary
		want bool
	}{{with, true}, {without, false}} {
		var text strings.Builder
		if err := report.WriteText(&text, c.s); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(text.String(), "(3) Polls are reads"); got != c.want {
			t.Errorf("note (3) on polls shown: %v, want %v:\n%s", got, c.want, text.String())
		}
	}
}

// TestConversationsAddUp: the by-conversation table's requests and errors
// add up to the summary's requests line (the users' traffic: polls apart,
// loadgen's own failures not errors).
func TestConversationsAddUp(t *testing.T) {
	s := agreeSummary(t)
	reqs, errs := s.Steps.Traffic()
	var cr, ce int64
	for _, c := range s.Conversations {
		cr += c.Requests
		ce += c.Errors
	}
	if cr != reqs || ce != errs {
		t.Errorf("conversations: %d requests, %d errors; the summary's requests line: %d, %d", cr, ce, reqs, errs)
	}
	if c := s.Conversations[0]; c.ErrorRate != 1.0/9 {
		t.Errorf("conversation %s error rate = %g, want 1/9 (the summary's)", c.Name, c.ErrorRate)
	}
}

// TestPollsChartedApart: the wait for an async reply (the poll step, whole
// seconds) has a chart of its own; in the other steps' chart it flattened
// their milliseconds to a line at zero.
func TestPollsChartedApart(t *testing.T) {
	var page strings.Builder
	if err := report.WriteHTML(&page, agreeSummary(t)); err != nil {
		t.Fatal(err)
	}
	charts := regexp.MustCompile(`<script type="application/json" class="lg-chart-data">([^<]*)</script>`).FindAllStringSubmatch(page.String(), -1)
	var others, polls string
	for _, c := range charts {
		switch {
		case strings.Contains(c[1], `"title":"Latency p95 of the other steps`):
			others = c[1]
		case strings.Contains(c[1], `"title":"Async replies`):
			polls = c[1]
		}
	}
	if strings.Contains(others, `"label":"poll p95"`) {
		t.Errorf("the other steps' chart has the poll step: %s", others)
	}
	if !strings.Contains(polls, `"label":"poll p95"`) {
		t.Errorf("no chart of the async replies' wait (poll p95); charts: %d", len(charts))
	}
}
