package sweep_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/loadgen/loadgen/sweep"
)

func TestExpectations(t *testing.T) {
	r := sample() // capacity 320 [312, 328], SLO-max 240 [228, 251], steady
	tests := []struct {
		expr string
		pass bool
	}{
		{"slo_max.rate >= 40/s", true},
		{"slo_max.rate >= 250/s", false},
		{"slo_max.low >= 230", false},
		{"slo_max.low >= 13000/m", true}, // 216.7/s
		{"capacity.rate > 300/s", true},
		{"capacity.low >= 315/s", false},
		{"capacity.high <= 330/s", true},
		{"capacity.messages_rate >= 320", true},
		{"steady == true", true},
		{"steady != true", false},
	}
	for _, tt := range tests {
		e, err := sweep.ParseExpectation(tt.expr)
		if err != nil {
			t.Fatalf("ParseExpectation(%q): %v", tt.expr, err)
		}
		if v, pass := e.Eval(r); pass != tt.pass {
			t.Errorf("%s on %+v: value %v, pass %v; want %v", tt.expr, r.SLOMax, v, pass, tt.pass)
		}
	}
	notFound := sample()
	notFound.SLOMax.Found = false
	e, _ := sweep.ParseExpectation("slo_max.rate >= 1/s")
	if _, pass := e.Eval(notFound); pass {
		t.Errorf("an expectation on an answer not found passed")
	}
	for _, bad := range []struct{ expr, msg string }{
		{"slo_max >= 40/s", `unknown metric "slo_max"`},
		{"slo_max.rate 40/s", "want METRIC OP VALUE"},
		{"slo_max.rate >= fast", `want a rate such as 40/s`},
		{"steady < true", "compare it with == or !="},
		{"steady == yes", `steady is true or false, got "yes"`},
	} {
		if _, err := sweep.ParseExpectation(bad.expr); err == nil || !strings.Contains(err.Error(), bad.msg) {
			t.Errorf("ParseExpectation(%q) = %v, want an error with %q", bad.expr, err, bad.msg)
		}
	}
}

func TestCompare(t *testing.T) {
	base := sample()
	same := sample()
	same.RunID = "r2"
	same.SLOMax.Rate, same.SLOMax.Interval = 236, [2]float64{225, 248} // overlaps: noise
	worse := sample()
	worse.RunID = "r3"
	worse.SLOMax.Rate, worse.SLOMax.Interval = 200, [2]float64{190, 210} // apart: a regression
	worse.SLOMax.Binding = "errors.rate < 1%"
	rule, err := sweep.ParseRule("slo_max.rate -10%")
	if err != nil {
		t.Fatal(err)
	}
	c := sweep.Compare(base, same, rule)
	if c.Failed() || c.Answers[1].Beyond {
		t.Errorf("a -1.7%% change within the intervals: %+v", c)
	}
	c = sweep.Compare(base, worse, rule)
	if !c.Failed() || !c.Answers[1].Beyond {
		t.Errorf("a -16.7%% change beyond noise did not fail: %+v", c)
	}
	var b bytes.Buffer
	if err := sweep.WriteCompareText(&b, c); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"run r1 → run r3", "slo_max", "240 [228, 251] sessions/s", "-16.7%", "beyond noise",
		"what binds the SLO-max changed: ttft ≤ 25ms → errors.rate < 1%", "FAIL  slo_max.rate -10%: changed -16.7%, past the limit and beyond noise"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("comparison lacks %q:\n%s", want, b.String())
		}
	}
	for _, bad := range []string{"slo_max.rate 10%", "message.ttft.p95 +10%", "slo_max.rate -10pp"} {
		if _, err := sweep.ParseRule(bad); err == nil {
			t.Errorf("ParseRule(%q): no error", bad)
		}
	}
}
