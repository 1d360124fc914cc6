package report

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Rule is a regression gate for Compare (--fail-on), "METRIC ±LIMIT":
//
//	message.ttft.p95 +10%      fail when it rises by more than 10 %
//	message.goodput -2%        fail when it falls by more than 2 %
//	message.latency.p99 +200ms fail when it rises by more than 200 ms
//	errors.rate +0.5pp         fail when it rises by more than 0.5 percentage points
//	requests.per_second -5/s   fail when it falls by more than 5 per second
//
// A rule fails only when the change is also not within noise (a change
// with no noise estimate, or one that runs this short could not have
// flagged whatever its size, is judged on its size alone).
type Rule struct {
	Expr     string
	Metric   string
	Sign     int     // +1: a rise fails; -1: a fall fails
	Limit    float64 // how far it may move: a fraction when Relative, else in the metric's unit
	Relative bool
	metric   *metric
}

// RuleError is a rule that does not parse; Col is the 1-based byte column.
type RuleError struct {
	Expr string
	Col  int
	Msg  string
}

func (e *RuleError) Error() string {
	return fmt.Sprintf("rule %q: column %d: %s", e.Expr, e.Col, e.Msg)
}

// ParseRule compiles a --fail-on rule.
func ParseRule(expr string) (*Rule, error) {
	fail := func(i int, format string, a ...any) (*Rule, error) {
		return nil, &RuleError{Expr: expr, Col: i + 1, Msg: fmt.Sprintf(format, a...)}
	}
	i := skipSpace(expr, 0)
	start := i
	for i < len(expr) && isMetricByte(expr[i]) {
		i++
	}
	path := expr[start:i]
	if path == "" {
		return fail(start, "want METRIC +LIMIT, such as message.ttft.p95 +10%%, got %q", rest(expr, start))
	}
	m, merr := parseMetric(path)
	if merr != nil {
		return fail(start+merr.offset, "%s", merr.msg)
	}
	i = skipSpace(expr, i)
	if i == len(expr) || expr[i] != '+' && expr[i] != '-' {
		return fail(i, "want + (a rise fails) or - (a fall fails) before the limit, got %q", rest(expr, i))
	}
	r := &Rule{Expr: strings.TrimSpace(expr), Metric: path, Sign: 1, metric: m}
	if expr[i] == '-' {
		r.Sign = -1
	}
	i++
	numStart := i
	for i < len(expr) && (expr[i] >= '0' && expr[i] <= '9' || expr[i] == '.') {
		i++
	}
	num, err := strconv.ParseFloat(expr[numStart:i], 64)
	if err != nil {
		return fail(numStart, "want a number after the sign, got %q", rest(expr, numStart))
	}
	unitStart := i
	for i < len(expr) && expr[i] != ' ' && expr[i] != '\t' {
		i++
	}
	unit := expr[unitStart:i]
	if j := skipSpace(expr, i); j < len(expr) {
		return fail(j, "unexpected %q after the limit", expr[j:])
	}
	if unit == "%" {
		r.Relative, r.Limit = true, num/100
		return r, nil
	}
	switch m.unit {
	case UnitSeconds:
		d, err := time.ParseDuration(expr[numStart:i])
		if err == nil {
			r.Limit = d.Seconds()
			return r, nil
		}
	case UnitRatio:
		if unit == "pp" {
			r.Limit = num / 100
			return r, nil
		}
	case UnitPerSecond:
		if unit == "/s" || unit == "" {
			r.Limit = num
			return r, nil
		}
	case UnitCount:
		if unit == "" {
			r.Limit = num
			return r, nil
		}
	}
	return fail(numStart, "want a limit in %% or %s, got %q", absoluteHint(m.unit), expr[numStart:i])
}

func absoluteHint(unit string) string {
	switch unit {
	case UnitSeconds:
		return "a duration such as 200ms"
	case UnitRatio:
		return "percentage points such as 0.5pp"
	case UnitPerSecond:
		return "a rate such as 5/s"
	}
	return "a plain number"
}

// RuleOutcome is a rule applied to a comparison.
type RuleOutcome struct {
	Expr   string `json:"rule"`
	Pass   bool   `json:"pass"`
	Reason string `json:"reason"`
	Change Change `json:"change"`
}

func (r *Rule) apply(ch Change) RuleOutcome {
	o := RuleOutcome{Expr: r.Expr, Change: ch, Pass: true}
	if ch.Verdict == NoSamples {
		// As a threshold on no samples: nothing measured it, so nothing
		// shows it within the limit (a new run whose every message failed
		// once passed message.ttft.p95 +10% as "changed -100.0%").
		o.Pass = false
		o.Reason = "no samples in the " + noSamplesSide(ch) + ": nothing measured it"
		return o
	}
	moved := (ch.New - ch.Base) * float64(r.Sign) // > 0: moved the way that fails
	var over bool
	var size string
	if r.Relative {
		rel := ch.Rel * float64(r.Sign)
		if math.IsNaN(ch.Rel) { // from zero: any move the failing way is unbounded
			rel = math.Inf(1) * math.Copysign(1, moved)
		}
		over = rel > r.Limit
		size = fmtSigned(ch.Rel*100, "%")
	} else {
		over = moved > r.Limit
		size = FormatValue(ch.New-ch.Base, ch.Unit)
	}
	switch {
	case !over:
		o.Reason = fmt.Sprintf("changed %s, within the limit", size)
	case ch.Verdict == WithinNoise && math.IsNaN(ch.Detectable):
		// No change could have been beyond noise with these runs: the
		// rule could never fail on noise grounds, so, like a change
		// without a noise estimate, it is judged on its size alone.
		o.Pass = false
		o.Reason = fmt.Sprintf("changed %s, past the limit; the runs are too short to tell any change of it from noise (detectable: none)", size)
	case ch.Verdict == WithinNoise:
		o.Reason = fmt.Sprintf("changed %s, past the limit but within noise (these runs flag only changes over ±%.1f%%)", size, ch.Detectable*100)
	default:
		o.Pass = false
		o.Reason = fmt.Sprintf("changed %s, past the limit (%s)", size, ch.Verdict)
	}
	return o
}

// noSamplesSide names the run (or runs) without samples of ch's metric.
func noSamplesSide(ch Change) string {
	switch {
	case ch.Observed[0] == 0 && ch.Observed[1] == 0:
		return "baseline and the new run"
	case ch.Observed[0] == 0:
		return "baseline"
	}
	return "new run"
}

func fmtSigned(x float64, unit string) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "from zero"
	}
	return fmt.Sprintf("%+.1f%s", x, unit)
}

// MarshalJSON writes NaN (no value) as null.
func (c Change) MarshalJSON() ([]byte, error) {
	num := func(x float64) *float64 {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		return &x
	}
	return json.Marshal(struct {
		Metric     string   `json:"metric"`
		Unit       string   `json:"unit"`
		Base       float64  `json:"baseline"`
		New        float64  `json:"new"`
		Rel        *float64 `json:"change"`
		P          *float64 `json:"p"`
		PRaw       *float64 `json:"p_raw"`
		Ruled      bool     `json:"ruled,omitempty"`
		Detectable *float64 `json:"detectable"`
		Verdict    string   `json:"verdict"`
		Worse      bool     `json:"worse"`
		Samples    [2]int   `json:"intervals"`
		Observed   [2]int64 `json:"samples"`
	}{c.Metric, c.Unit, c.Base, c.New, num(c.Rel), num(c.P), num(c.PRaw), c.Ruled, num(c.Detectable), c.Verdict, c.Worse, c.Samples, c.Observed})
}
