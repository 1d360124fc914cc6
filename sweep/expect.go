package sweep

import (
	"fmt"
	"strconv"
	"strings"
)

// Expectation is a gate on a sweep's answers, such as
// "slo_max.rate >= 40/s": a capacity gate for CI that fails (exit 3) when
// the target's capacity regressed. Metrics:
//
//	capacity.rate capacity.low capacity.high   sessions/s (low/high: the interval's ends)
//	capacity.messages_rate                     messages/s
//	slo_max.rate slo_max.low slo_max.high      the control's unit: sessions/s, or users
//	slo_max.messages_rate                      messages/s
//	steady                                     true or false (the probe at the answer)
//
// Rates are plain numbers per second or N/s, N/m, N/h. Gating on .low asks
// that the target be that good with the sweep's confidence; on .rate, that
// the estimate is.
type Expectation struct {
	Expr   string
	Metric string
	Op     string
	Value  float64
}

var expectMetrics = map[string]func(r *Report) (float64, bool){
	"capacity.rate":          func(r *Report) (float64, bool) { return r.Capacity.Sessions, r.Capacity.Found },
	"capacity.low":           func(r *Report) (float64, bool) { return lowSessions(r), r.Capacity.Found },
	"capacity.high":          func(r *Report) (float64, bool) { return highSessions(r), r.Capacity.Found },
	"capacity.messages_rate": func(r *Report) (float64, bool) { return r.Capacity.Messages, r.Capacity.Found },
	"slo_max.rate":           func(r *Report) (float64, bool) { return r.SLOMax.Rate, r.SLOMax.Found },
	"slo_max.low":            func(r *Report) (float64, bool) { return r.SLOMax.Interval[0], r.SLOMax.Found },
	"slo_max.high":           func(r *Report) (float64, bool) { return r.SLOMax.Interval[1], r.SLOMax.Found },
	"slo_max.messages_rate":  func(r *Report) (float64, bool) { return r.SLOMax.Messages, r.SLOMax.Found },
	"steady": func(r *Report) (float64, bool) {
		if r.Steady {
			return 1, r.SLOMax.Found
		}
		return 0, r.SLOMax.Found
	},
}

// With the closed model the capacity's interval is in users; its
// sessions/s interval is the estimate's.
func lowSessions(r *Report) float64 {
	if r.Capacity.Unit == "users" {
		return r.Capacity.Sessions
	}
	return r.Capacity.Interval[0]
}

func highSessions(r *Report) float64 {
	if r.Capacity.Unit == "users" {
		return r.Capacity.Sessions
	}
	return r.Capacity.Interval[1]
}

// ParseExpectation compiles an --expect expression.
func ParseExpectation(expr string) (*Expectation, error) {
	bad := func(format string, a ...any) (*Expectation, error) {
		return nil, fmt.Errorf("expectation %q: %s", expr, fmt.Sprintf(format, a...))
	}
	s := strings.TrimSpace(expr)
	var op string
	at := -1
	for _, o := range []string{"<=", ">=", "==", "!=", "<", ">"} {
		if i := strings.Index(s, o); i > 0 && (at < 0 || i < at) {
			op, at = o, i
		}
	}
	if at < 0 {
		return bad("want METRIC OP VALUE, such as slo_max.rate >= 40/s")
	}
	metric, value := strings.TrimSpace(s[:at]), strings.TrimSpace(s[at+len(op):])
	if _, ok := expectMetrics[metric]; !ok {
		return bad("unknown metric %q: want capacity.rate, capacity.low, capacity.high, capacity.messages_rate, "+
			"slo_max.rate, slo_max.low, slo_max.high, slo_max.messages_rate or steady", metric)
	}
	e := &Expectation{Expr: s, Metric: metric, Op: op}
	if metric == "steady" {
		if op != "==" && op != "!=" {
			return bad("steady is true or false: compare it with == or !=")
		}
		switch value {
		case "true":
			e.Value = 1
		case "false":
		default:
			return bad("steady is true or false, got %q", value)
		}
		return e, nil
	}
	per := 1.0
	for suffix, f := range map[string]float64{"/s": 1, "/m": 60, "/h": 3600} {
		if strings.HasSuffix(value, suffix) {
			value, per = strings.TrimSuffix(value, suffix), f
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if err != nil || v < 0 {
		return bad("want a rate such as 40/s (or a number of users for slo_max with --control users), got %q", value)
	}
	e.Value = v / per
	return e, nil
}

// Eval evaluates e on r. An answer the sweep did not find fails.
func (e *Expectation) Eval(r *Report) (value float64, pass bool) {
	v, found := expectMetrics[e.Metric](r)
	if !found {
		return v, false
	}
	switch e.Op {
	case "<":
		return v, v < e.Value
	case "<=":
		return v, v <= e.Value
	case ">":
		return v, v > e.Value
	case ">=":
		return v, v >= e.Value
	case "==":
		return v, v == e.Value
	}
	return v, v != e.Value
}
