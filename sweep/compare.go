package sweep

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Comparison compares two sweeps' answers: each answer's change and
// whether it is beyond noise (the two intervals do not overlap), and the
// --fail-on rules applied to them.
type Comparison struct {
	Base    string      `json:"base_run"`
	New     string      `json:"new_run"`
	Answers []Change    `json:"answers"`
	Rules   []RuleCheck `json:"rules,omitempty"`
}

// Change is one answer in both sweeps.
type Change struct {
	Name   string  `json:"name"` // capacity or slo_max
	Unit   string  `json:"unit"`
	Base   Answer  `json:"base"`
	New    Answer  `json:"new"`
	Change float64 `json:"change"` // relative: (new − base) / base
	// Beyond reports that the intervals do not overlap: a change beyond the
	// sweeps' noise.
	Beyond bool `json:"beyond_noise"`
}

// RuleCheck is a --fail-on rule applied to a comparison.
type RuleCheck struct {
	Expr   string `json:"rule"`
	Pass   bool   `json:"pass"`
	Reason string `json:"reason"`
}

// Rule is a regression rule on an answer: "slo_max.rate -10%" fails when
// the SLO-max fell by more than 10 % and beyond noise, "capacity.rate -5%"
// likewise for the capacity (a + limit fails on a rise).
type Rule struct {
	Expr   string
	Answer string // capacity or slo_max
	Limit  float64
}

// ParseRule compiles a --fail-on rule for sweeps.
func ParseRule(expr string) (*Rule, error) {
	f := strings.Fields(expr)
	if len(f) != 2 || (f[0] != "capacity.rate" && f[0] != "slo_max.rate") || !strings.HasSuffix(f[1], "%") ||
		(f[1][0] != '+' && f[1][0] != '-') {
		return nil, fmt.Errorf("sweep rule %q: want capacity.rate or slo_max.rate, then +LIMIT%% (fail on a rise) or -LIMIT%% (on a fall), such as 'slo_max.rate -10%%'", expr)
	}
	v, err := strconv.ParseFloat(strings.TrimSuffix(f[1], "%"), 64)
	if err != nil || v == 0 {
		return nil, fmt.Errorf("sweep rule %q: bad limit %q", expr, f[1])
	}
	return &Rule{Expr: expr, Answer: strings.TrimSuffix(f[0], ".rate"), Limit: v / 100}, nil
}

// Compare compares base and new.
func Compare(base, new *Report, rules ...*Rule) *Comparison {
	c := &Comparison{Base: base.RunID, New: new.RunID}
	for _, a := range []struct {
		name      string
		base, new Answer
	}{{"capacity", sessionsAnswer(base.Capacity), sessionsAnswer(new.Capacity)}, {"slo_max", base.SLOMax, new.SLOMax}} {
		ch := Change{Name: a.name, Unit: a.new.Unit, Base: a.base, New: a.new}
		if a.base.Found && a.new.Found && a.base.Rate > 0 {
			ch.Change = (a.new.Rate - a.base.Rate) / a.base.Rate
			ch.Beyond = a.new.Interval[1] < a.base.Interval[0] || a.new.Interval[0] > a.base.Interval[1]
		}
		c.Answers = append(c.Answers, ch)
	}
	for _, r := range rules {
		c.Rules = append(c.Rules, r.check(c))
	}
	return c
}

// sessionsAnswer is the capacity in sessions/s whatever the control.
func sessionsAnswer(a Answer) Answer {
	if a.Unit == "users" {
		a.Rate, a.Interval, a.Unit = a.Sessions, [2]float64{a.Sessions, a.Sessions}, "sessions/s"
	}
	return a
}

func (r *Rule) check(c *Comparison) RuleCheck {
	out := RuleCheck{Expr: r.Expr, Pass: true}
	for _, ch := range c.Answers {
		if ch.Name != r.Answer {
			continue
		}
		switch {
		case !ch.Base.Found || !ch.New.Found:
			out.Pass, out.Reason = false, "an answer is missing in one sweep"
		case r.Limit < 0 && ch.Change < r.Limit && ch.Beyond, r.Limit > 0 && ch.Change > r.Limit && ch.Beyond:
			out.Pass, out.Reason = false, fmt.Sprintf("changed %+.1f%%, past the limit and beyond noise", 100*ch.Change)
		case r.Limit < 0 && ch.Change < r.Limit, r.Limit > 0 && ch.Change > r.Limit:
			out.Reason = fmt.Sprintf("changed %+.1f%%, past the limit but within noise (the intervals overlap)", 100*ch.Change)
		default:
			out.Reason = fmt.Sprintf("changed %+.1f%%", 100*ch.Change)
		}
	}
	return out
}

// Failed reports whether a rule failed.
func (c *Comparison) Failed() bool {
	for _, r := range c.Rules {
		if !r.Pass {
			return true
		}
	}
	return false
}

// WriteCompareText writes the comparison as a table.
func WriteCompareText(w io.Writer, c *Comparison) error {
	var b strings.Builder
	fmt.Fprintf(&b, "sweep comparison: run %s → run %s\n", c.Base, c.New)
	fmt.Fprintf(&b, "  %-9s  %-28s  %-28s  %7s  %s\n", "answer", "baseline", "new", "change", "verdict")
	for _, ch := range c.Answers {
		verdict := "within noise (the intervals overlap)"
		if ch.Beyond {
			verdict = "beyond noise"
		}
		if !ch.Base.Found || !ch.New.Found {
			verdict = "not comparable: an answer is missing"
		}
		fmt.Fprintf(&b, "  %-9s  %-28s  %-28s  %+6.1f%%  %s\n", ch.Name, answerText(ch.Base), answerText(ch.New), 100*ch.Change, verdict)
	}
	for _, ch := range c.Answers {
		if ch.Name == "slo_max" && ch.Base.Binding != ch.New.Binding {
			fmt.Fprintf(&b, "  what binds the SLO-max changed: %s → %s\n", or(ch.Base.Binding, "nothing"), or(ch.New.Binding, "nothing"))
		}
	}
	for _, r := range c.Rules {
		v := "PASS"
		if !r.Pass {
			v = "FAIL"
		}
		fmt.Fprintf(&b, "  %s  %s: %s\n", v, r.Expr, r.Reason)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteCompareJSON writes the comparison as JSON.
func WriteCompareJSON(w io.Writer, c *Comparison) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}

func answerText(a Answer) string {
	if !a.Found {
		return "not found"
	}
	return fmt.Sprintf("%s [%s, %s] %s", rate(a.Rate), rate(a.Interval[0]), rate(a.Interval[1]), a.Unit)
}

func or(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
