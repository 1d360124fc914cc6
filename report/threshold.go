package report

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/loadgen/loadgen/scenarios"
)

// Threshold is a compiled pass/fail check on a Summary, such as
// "message.ttft.p95 < 1.5s": a metric (see the vocabulary on metric), a
// comparison and a value in the metric's unit. Durations take a unit (ns,
// us, µs, ms, s, m, h); fractions take % or are written as 0..1; rates per
// second are plain numbers or N/s, N/m, N/h; counts are plain numbers.
type Threshold struct {
	Expr   string        // as written
	Pos    scenarios.Pos // where it was written; zero for the command line
	Metric string        // the metric path
	Op     string        // <, <=, >, >=, ==, !=
	Value  float64       // in the metric's unit (seconds, fraction, per second, count)
	Unit   string        // the metric's unit
	metric *metric
}

// ThresholdError is a threshold that does not parse. Col is the 1-based
// byte column in Expr where the problem is.
type ThresholdError struct {
	Expr string
	Pos  scenarios.Pos // where the expression was written, when known
	Col  int
	Msg  string
}

func (e *ThresholdError) Error() string {
	if e.Pos.File != "" || e.Pos.Line != 0 {
		// The expression starts at Pos.Column (exact for an unquoted YAML scalar).
		return fmt.Sprintf("%s:%d:%d: threshold %q: %s", e.Pos.File, e.Pos.Line, e.Pos.Column+e.Col-1, e.Expr, e.Msg)
	}
	return fmt.Sprintf("threshold %q: column %d: %s", e.Expr, e.Col, e.Msg)
}

// ExprColumn returns the 1-based column in Expr where the problem is.
func (e *ThresholdError) ExprColumn() int { return e.Col }

// Reason returns what is wrong, without the expression or a position.
func (e *ThresholdError) Reason() string { return e.Msg }

// CheckThreshold returns the error ParseThreshold would, for
// scenarios.WithThresholdCheck: a bad threshold is then reported with the
// scenario's other problems, at its position.
func CheckThreshold(expr string) error {
	_, err := ParseThreshold(expr)
	return err
}

var ops = []string{"<=", ">=", "==", "!=", "<", ">"} // two-character ones first

// ParseThreshold compiles a threshold expression.
func ParseThreshold(expr string) (*Threshold, error) {
	fail := func(i int, format string, a ...any) (*Threshold, error) {
		return nil, &ThresholdError{Expr: expr, Col: i + 1, Msg: fmt.Sprintf(format, a...)}
	}
	i := skipSpace(expr, 0)
	if i == len(expr) {
		return fail(i, "empty; want METRIC OP VALUE, such as message.ttft.p95 < 1.5s")
	}
	start := i
	for i < len(expr) && isMetricByte(expr[i]) {
		i++
	}
	path := expr[start:i]
	if path == "" {
		return fail(start, "want a metric such as message.ttft.p95, got %q", rest(expr, start))
	}
	m, merr := parseMetric(path)
	if merr != nil {
		return fail(start+merr.offset, "%s", merr.msg)
	}
	i = skipSpace(expr, i)
	op := ""
	for _, o := range ops {
		if strings.HasPrefix(expr[i:], o) {
			op = o
			break
		}
	}
	if op == "" {
		return fail(i, "want a comparison (<, <=, >, >=, ==, !=) after %s, got %q", path, rest(expr, i))
	}
	i = skipSpace(expr, i+len(op))
	if m.unit == UnitBool {
		return parseBoolThreshold(expr, path, op, i, m)
	}
	numStart := i
	for i < len(expr) && (expr[i] >= '0' && expr[i] <= '9' || expr[i] == '.') {
		i++
	}
	if numStart == i {
		return fail(numStart, "want a number after %s, got %q", op, rest(expr, numStart))
	}
	num, err := strconv.ParseFloat(expr[numStart:i], 64)
	if err != nil {
		return fail(numStart, "bad number %q", expr[numStart:i])
	}
	unitStart := i
	for i < len(expr) && expr[i] != ' ' && expr[i] != '\t' {
		i++
	}
	value, msg := convertValue(num, expr[numStart:i], expr[unitStart:i], m)
	if msg != "" {
		return fail(numStart, "%s", msg)
	}
	if j := skipSpace(expr, i); j < len(expr) {
		return fail(j, "unexpected %q after the value", expr[j:])
	}
	return &Threshold{Expr: strings.TrimSpace(expr), Metric: path, Op: op, Value: value, Unit: m.unit, metric: m}, nil
}

// parseBoolThreshold reads the true or false after a yes/no metric's
// == or != (at byte i of expr).
func parseBoolThreshold(expr, path, op string, i int, m *metric) (*Threshold, error) {
	fail := func(i int, format string, a ...any) (*Threshold, error) {
		return nil, &ThresholdError{Expr: expr, Col: i + 1, Msg: fmt.Sprintf(format, a...)}
	}
	if op != "==" && op != "!=" {
		return fail(strings.Index(expr, op), "%s is true or false: compare it with == or !=", path)
	}
	start := i
	for i < len(expr) && expr[i] != ' ' && expr[i] != '\t' {
		i++
	}
	var v float64
	switch expr[start:i] {
	case "true":
		v = 1
	case "false":
	default:
		return fail(start, "%s is true or false, got %q", path, rest(expr, start))
	}
	if j := skipSpace(expr, i); j < len(expr) {
		return fail(j, "unexpected %q after the value", expr[j:])
	}
	return &Threshold{Expr: strings.TrimSpace(expr), Metric: path, Op: op, Value: v, Unit: m.unit, metric: m}, nil
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

func isMetricByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.'
}

func rest(s string, i int) string {
	if i >= len(s) {
		return "end of expression"
	}
	return s[i:]
}

// convertValue turns "1.5" + "s" into the metric's unit; msg says what is
// wrong.
func convertValue(num float64, text, unit string, m *metric) (float64, string) {
	switch m.unit {
	case UnitSeconds:
		if unit == "" {
			return 0, fmt.Sprintf("%s is a duration: want a unit, such as %ss or %sms", m.path, text, text)
		}
		d, err := time.ParseDuration(text)
		if err != nil {
			return 0, fmt.Sprintf("%s is a duration: bad value %q (want e.g. 1.5s, 200ms, 50us)", m.path, text)
		}
		return d.Seconds(), ""
	case UnitRatio:
		switch unit {
		case "%":
			return num / 100, ""
		case "":
			if num > 1 {
				return 0, fmt.Sprintf("%s is a fraction: %s is above 1; write a percentage such as %s%%", m.path, text, text)
			}
			return num, ""
		}
		return 0, fmt.Sprintf("%s is a fraction: want a percentage such as 1%% or 0.5%%, got %q", m.path, text)
	case UnitPerSecond:
		switch unit {
		case "", "/s":
			return num, ""
		case "/m":
			return num / 60, ""
		case "/h":
			return num / 3600, ""
		}
		return 0, fmt.Sprintf("%s is a rate: want a number per second such as 50 or 50/s (or /m, /h), got %q", m.path, text)
	}
	if unit != "" {
		return 0, fmt.Sprintf("%s is a count: want a plain number, got %q", m.path, text)
	}
	return num, ""
}

// CompileThresholds compiles a scenario's thresholds. The error lists every
// bad expression, each as file:line:col: (a *ThresholdError, joined).
func CompileThresholds(ts []scenarios.ThresholdExpr) ([]*Threshold, error) {
	var out []*Threshold
	var errs []error
	for _, t := range ts {
		th, err := ParseThreshold(t.Expr)
		if err != nil {
			var te *ThresholdError
			if errors.As(err, &te) {
				te.Pos = t.Pos
			}
			errs = append(errs, err)
			continue
		}
		th.Pos = t.Pos
		out = append(out, th)
	}
	return out, errors.Join(errs...)
}

// Eval evaluates t on s. A metric with no samples fails, whatever the
// comparison: nothing was measured, so nothing was shown to be within the
// bound (a run whose every sign-in failed once passed message.ttft.p95 < 2s
// with the value 0).
//
// A request the run's stop cut short is not the target's error, but how
// long it had run is known: its latency (TTFB, TTFT) was at least that. A
// latency statistic is judged at the larger of the completed requests'
// figure and the one counting the cut requests at that lower bound, so a
// target that hung on a tenth of its replies until the stop cut them no
// longer passes message.latency.p99 < 10s on the replies that came.
func (t *Threshold) Eval(s *Summary) Verdict {
	v, n := t.metric.get(s)
	if n == 0 {
		return Verdict{Expr: t.Expr, Value: v, Pass: false, Unit: t.Unit, NoSamples: true}
	}
	var atLeast bool
	if t.metric.atLeast != nil {
		if bound, ok := t.metric.atLeast(s); ok && bound > v {
			v, atLeast = bound, true
		}
	}
	var pass bool
	switch t.Op {
	case "<":
		pass = v < t.Value
	case "<=":
		pass = v <= t.Value
	case ">":
		pass = v > t.Value
	case ">=":
		pass = v >= t.Value
	case "==":
		pass = v == t.Value
	case "!=":
		pass = v != t.Value
	}
	return Verdict{Expr: t.Expr, Value: v, Pass: pass, Unit: t.Unit, Samples: n, AtLeast: atLeast}
}

// CertainlyFailed reports whether o, an outcome of t during a run, cannot
// turn into a pass by the end: a count that only grows has passed its upper
// bound, or any check failed on at least minSamples observations (so one
// early slow request does not stop a run). For --abort-on-fail.
func (t *Threshold) CertainlyFailed(o Verdict, minSamples int64) bool {
	if o.Pass || o.NoSamples {
		return false // no samples yet is not a failure yet
	}
	if t.metric.monotone && (t.Op == "<" || t.Op == "<=") {
		return true
	}
	return o.Samples >= minSamples
}

// Evaluate evaluates every threshold on s, stores the outcomes in
// s.Thresholds and reports whether all passed.
func Evaluate(ths []*Threshold, s *Summary) bool {
	s.Thresholds = make([]Verdict, 0, len(ths))
	pass := true
	for _, t := range ths {
		o := t.Eval(s)
		pass = pass && o.Pass
		s.Thresholds = append(s.Thresholds, o)
	}
	return pass
}
