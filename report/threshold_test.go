package report_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/scenarios"
)

func TestParseThreshold(t *testing.T) {
	tests := []struct {
		expr   string
		metric string
		op     string
		value  float64
		unit   string
	}{
		{"message.ttft.p95 < 1.5s", "message.ttft.p95", "<", 1.5, report.UnitSeconds},
		{"message.latency.p99 <= 20s", "message.latency.p99", "<=", 20, report.UnitSeconds},
		{"session.errors.rate < 1%", "session.errors.rate", "<", 0.01, report.UnitRatio},
		{"errors.rate < 0.5%", "errors.rate", "<", 0.005, report.UnitRatio},
		{"errors.rate<0.005", "errors.rate", "<", 0.005, report.UnitRatio},
		{"message.goodput > 95%", "message.goodput", ">", 0.95, report.UnitRatio},
		{"goodput >= 0.9", "goodput", ">=", 0.9, report.UnitRatio},
		{"schedule.lag.p99 < 50ms", "schedule.lag.p99", "<", 0.05, report.UnitSeconds},
		{"  message.inter_token.max   <   200us  ", "message.inter_token.max", "<", 0.0002, report.UnitSeconds},
		{"message.tpot.mean < 30µs", "message.tpot.mean", "<", 0.00003, report.UnitSeconds},
		{"conversation.latency_from_intended.p90 < 1m", "conversation.latency_from_intended.p90", "<", 60, report.UnitSeconds},
		{"errors.timeout == 0", "errors.timeout", "==", 0, report.UnitCount},
		{"message.errors.stream_truncated.rate < 0.1%", "message.errors.stream_truncated.rate", "<", 0.001, report.UnitRatio},
		{"message.shapes.single_shot.rate < 50%", "message.shapes.single_shot.rate", "<", 0.5, report.UnitRatio},
		{"sessions.failed.rate <= 2%", "sessions.failed.rate", "<=", 0.02, report.UnitRatio},
		{"sessions.completed >= 100", "sessions.completed", ">=", 100, report.UnitCount},
		{"schedule.achieved_rate >= 49.5/s", "schedule.achieved_rate", ">=", 49.5, report.UnitPerSecond},
		{"message.per_second > 600/m", "message.per_second", ">", 10, report.UnitPerSecond},
		{"schedule.achieved_ratio > 99%", "schedule.achieved_ratio", ">", 0.99, report.UnitRatio},
		{"requests != 0", "requests", "!=", 0, report.UnitCount},
		{"poll.count < 10", "poll.count", "<", 10, report.UnitCount},
		{"schedule.steady == true", "schedule.steady", "==", 1, report.UnitBool},
		{"schedule.steady != false", "schedule.steady", "!=", 0, report.UnitBool},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			th, err := report.ParseThreshold(tt.expr)
			if err != nil {
				t.Fatalf("ParseThreshold(%q): %v", tt.expr, err)
			}
			if th.Metric != tt.metric || th.Op != tt.op || math.Abs(th.Value-tt.value) > 1e-12 || th.Unit != tt.unit {
				t.Errorf("ParseThreshold(%q) = %s %s %v (%s), want %s %s %v (%s)", tt.expr,
					th.Metric, th.Op, th.Value, th.Unit, tt.metric, tt.op, tt.value, tt.unit)
			}
		})
	}
}

func TestParseThresholdErrors(t *testing.T) {
	tests := []struct {
		name, expr string
		col        int
		msg        string
	}{
		{"empty", "", 1, "empty; want METRIC OP VALUE"},
		{"unknown root", "mesage.ttft.p95 < 1s", 1, `unknown metric "mesage"`},
		{"unknown timing", "message.ttf.p95 < 1s", 9, `unknown measure "ttf" of message`},
		{"ttft on a session", "session.ttft.p95 < 1s", 9, "ttft is measured on message steps only"},
		{"unknown statistic", "message.ttft.p97 < 1s", 14, `unknown statistic "p97"`},
		{"p99.9", "message.ttft.p99.9 < 1s", 14, "p99.9 is not kept in the summary"},
		{"missing statistic", "message.ttft < 1s", 9, "message.ttft needs a statistic"},
		{"upper case", "Message.ttft.p95 < 1s", 1, `bad name "Message"`},
		{"no operator", "message.ttft.p95 1s", 18, "want a comparison"},
		{"arrow operator", "message.ttft.p95 => 1s", 18, "want a comparison"},
		{"no value", "message.ttft.p95 <", 19, "want a number after <"},
		{"steady below", "schedule.steady < true", 17, "schedule.steady is true or false: compare it with == or !="},
		{"steady yes", "schedule.steady == yes", 20, `schedule.steady is true or false, got "yes"`},
		{"duration without unit", "message.ttft.p95 < 1.5", 20, "is a duration: want a unit, such as 1.5s"},
		{"bad duration unit", "message.ttft.p95 < 1.5sec", 20, `bad value "1.5sec"`},
		{"percent on a duration", "message.ttft.p95 < 5%", 20, `bad value "5%"`},
		{"fraction above one", "errors.rate < 5", 15, "write a percentage such as 5%"},
		{"duration on a fraction", "errors.rate < 5s", 15, `want a percentage such as 1% or 0.5%, got "5s"`},
		{"unit on a count", "errors.timeout < 5ms", 18, "is a count: want a plain number"},
		{"bad rate unit", "schedule.achieved_rate > 5/d", 26, "is a rate"},
		{"trailing words", "errors.rate < 1% please", 18, `unexpected "please"`},
		{"two dots", "message..p95 < 1s", 9, `bad name ""`},
		{"bad number", "errors.rate < 1.2.3%", 15, `bad number "1.2.3"`},
		{"sessions typo", "sessions.complete < 1", 10, "want sessions.started"},
		{"schedule typo", "schedule.lags.p99 < 1s", 10, "want schedule.lag.STAT"},
		{"errors tail", "errors.timeout.count < 1", 16, "after errors"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := report.ParseThreshold(tt.expr)
			var te *report.ThresholdError
			if !errors.As(err, &te) {
				t.Fatalf("ParseThreshold(%q) error = %v, want a *ThresholdError", tt.expr, err)
			}
			if te.Col != tt.col || !strings.Contains(te.Msg, tt.msg) {
				t.Errorf("ParseThreshold(%q) = column %d %q, want column %d and a message containing %q",
					tt.expr, te.Col, te.Msg, tt.col, tt.msg)
			}
		})
	}
}

func TestCompileThresholdsNamesFileLine(t *testing.T) {
	ths, err := report.CompileThresholds([]scenarios.ThresholdExpr{
		{Expr: "message.ttft.p95 < 1.5s", Pos: scenarios.Pos{File: "smoke.yaml", Line: 30, Column: 5}},
		{Expr: "message.ttft.p97 < 1.5s", Pos: scenarios.Pos{File: "smoke.yaml", Line: 31, Column: 5}},
		{Expr: "errors.rate < 5", Pos: scenarios.Pos{File: "smoke.yaml", Line: 32, Column: 7}},
	})
	if len(ths) != 1 || ths[0].Pos.Line != 30 {
		t.Errorf("compiled %d thresholds, want the 1 good one (line 30)", len(ths))
	}
	if err == nil {
		t.Fatal("CompileThresholds returned no error for two bad thresholds")
	}
	for _, want := range []string{
		`smoke.yaml:31:18: threshold "message.ttft.p97 < 1.5s": unknown statistic "p97"`,
		`smoke.yaml:32:21: threshold "errors.rate < 5": errors.rate is a fraction`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q\nlacks %q", err, want)
		}
	}
}

func TestThresholdEval(t *testing.T) {
	s := testSummary(t) // 2.1 % errors, TTFT p95 about 0.21 s, 394 messages
	tests := []struct {
		expr string
		pass bool
	}{
		{"message.ttft.p95 < 1.5s", true},
		{"message.ttft.p95 < 100ms", false},
		{"message.ttft.p95 > 100ms", true},
		{"errors.rate < 0.5%", false},
		{"errors.rate < 5%", true},
		{"message.errors == 16", true}, // and one canceled by the run's end: not an error
		{"message.errors != 16", false},
		{"errors.canceled == 1", true},
		{"session.errors <= 0", true},
		{"errors.http_5xx == 7", true},
		{"message.goodput > 95%", false},
		{"message.goodput >= 80%", true},
		{"sessions.completed.rate > 90%", true},
		{"schedule.lag.p99 < 50ms", true},
		{"schedule.achieved_ratio >= 99%", true},
		{"message.shapes.single_shot.rate < 10%", true},
		// No poll step ran: nothing was measured, so the threshold fails
		// (it passed with the value 0).
		{"poll.latency.p99 < 1ms", false},
		{"poll.errors.rate < 1%", false},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			th, err := report.ParseThreshold(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			got := th.Eval(s)
			if got.Pass != tt.pass {
				t.Errorf("Eval(%q) = %v (value %v), want pass %v", tt.expr, got.Pass, got.Value, tt.pass)
			}
			if poll := strings.HasPrefix(tt.expr, "poll."); got.NoSamples != poll || (poll && got.Show() != "no samples") {
				t.Errorf("Eval(%q): NoSamples %v, shown %q; want no samples exactly for the poll step", tt.expr, got.NoSamples, got.Show())
			}
		})
	}
}

func TestEvaluateAndCertainlyFailed(t *testing.T) {
	s := testSummary(t)
	var ths []*report.Threshold
	for _, e := range []string{"message.ttft.p95 < 1.5s", "errors.rate < 0.5%", "errors.http_5xx < 3"} {
		th, err := report.ParseThreshold(e)
		if err != nil {
			t.Fatal(err)
		}
		ths = append(ths, th)
	}
	if report.Evaluate(ths, s) {
		t.Error("Evaluate() = true, want false (errors.rate fails)")
	}
	if len(s.Thresholds) != 3 || !s.Thresholds[0].Pass || s.Thresholds[1].Pass {
		t.Errorf("s.Thresholds = %+v", s.Thresholds)
	}
	tests := []struct {
		name       string
		i          int
		minSamples int64
		want       bool
	}{
		{"passing is never failed", 0, 1, false},
		{"a rate with enough samples", 1, 100, true},
		{"a rate on too few samples", 1, 100000, false},
		{"a count past its upper bound", 2, 100000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ths[tt.i].CertainlyFailed(s.Thresholds[tt.i], tt.minSamples); got != tt.want {
				t.Errorf("CertainlyFailed(%q, %d) = %v, want %v", ths[tt.i].Expr, tt.minSamples, got, tt.want)
			}
		})
	}
}

func FuzzParseThreshold(f *testing.F) {
	for _, s := range []string{"message.ttft.p95 < 1.5s", "errors.rate < 0.5%", "message.goodput > 95%",
		"schedule.lag.p99 < 50ms", "sessions.failed.rate <= 2%", "x", "a.b.c.d.e < 1", "message.ttft.p99.9 < 1s",
		"schedule.achieved_rate >= 5/m", "errors.timeout.rate != 0"} {
		f.Add(s)
	}
	s := report.Build(testRun, testSnapshot(resultsConfigSmall))
	f.Fuzz(func(t *testing.T, expr string) {
		th, err := report.ParseThreshold(expr)
		if err != nil {
			var te *report.ThresholdError
			if !errors.As(err, &te) || te.Col < 1 || te.Col > len(expr)+1 {
				t.Fatalf("ParseThreshold(%q) error %v: want a *ThresholdError with a column in 1..%d", expr, err, len(expr)+1)
			}
			return
		}
		o := th.Eval(s)
		if o.Expr != strings.TrimSpace(expr) {
			t.Fatalf("Eval(%q).Expr = %q", expr, o.Expr)
		}
		// A threshold that parses prints and parses again to the same thing.
		again, err := report.ParseThreshold(fmt.Sprintf("%s %s %s", th.Metric, th.Op, valueText(th)))
		if err != nil || again.Metric != th.Metric || again.Op != th.Op {
			t.Fatalf("reparse of %q: %v", expr, err)
		}
	})
}

func valueText(th *report.Threshold) string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	switch th.Unit {
	case report.UnitSeconds:
		return f(th.Value) + "s"
	case report.UnitRatio:
		return f(th.Value*100) + "%"
	}
	return f(th.Value)
}

func ExampleParseThreshold() {
	th, err := report.ParseThreshold("message.ttft.p95 < 1.5s")
	fmt.Println(th.Metric, th.Op, th.Value, th.Unit, err)

	_, err = report.ParseThreshold("message.ttft.p97 < 1.5s")
	fmt.Println(err)
	// Output:
	// message.ttft.p95 < 1.5 s <nil>
	// threshold "message.ttft.p97 < 1.5s": column 14: unknown statistic "p97": want p50, p90, p95, p99, max, mean or min
}

func TestWriteJUnitGolden(t *testing.T) {
	s := testSummary(t)
	var ths []*report.Threshold
	for _, e := range []string{"message.ttft.p95 < 1.5s", "errors.rate < 0.5%", "message.goodput > 95%"} {
		th, err := report.ParseThreshold(e)
		if err != nil {
			t.Fatal(err)
		}
		ths = append(ths, th)
	}
	report.Evaluate(ths, s)
	var b bytes.Buffer
	if err := report.WriteJUnit(&b, s); err != nil {
		t.Fatal(err)
	}
	golden(t, "junit.xml", b.Bytes())
	// It is well-formed XML with one failure per failed threshold.
	var doc struct {
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Failures != 2 || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 3 || doc.Suites[0].Cases[0].Failure != nil {
		t.Errorf("JUnit document = %+v, want 3 cases and 2 failures", doc)
	}
}

func TestTokenThresholds(t *testing.T) {
	s := testSummary(t)
	tp := s.Throughput
	if tp.OutputTokensPerS <= 0 || tp.Streams == 0 || tp.SlowStreamTokensPerS <= 0 || tp.SlowStreamTokensPerS > tp.StreamOutputTokensPerS {
		t.Fatalf("throughput %+v: want output tokens/s, streams, and the slowest streams slower than the median", tp)
	}
	for _, tt := range []struct {
		expr string
		want float64
	}{
		{"tokens.per_second > 1", tp.OutputTokensPerS},
		{"message.tokens_per_s > 1", tp.OutputTokensPerS},
		{"message.stream_tokens_per_s.p50 > 1", tp.StreamOutputTokensPerS},
		{"message.stream_tokens_per_s.p5 > 1", tp.SlowStreamTokensPerS},
	} {
		th, err := report.ParseThreshold(tt.expr)
		if err != nil {
			t.Fatalf("ParseThreshold(%q): %v", tt.expr, err)
		}
		if v := th.Eval(s); math.Abs(v.Value-tt.want) > 0.06 || !v.Pass || v.Unit != report.UnitPerSecond {
			t.Errorf("%s = %+v, want %g per second, passing", tt.expr, v, tt.want)
		}
	}
	for _, bad := range []string{"tokens.rate > 1", "message.stream_tokens_per_s.p95 > 1"} {
		if _, err := report.ParseThreshold(bad); err == nil {
			t.Errorf("ParseThreshold(%q): no error", bad)
		}
	}
}
