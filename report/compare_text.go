package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/loadgen/loadgen/internal/textwrap"
)

// WriteCompareText writes a comparison as a table: each metric's baseline
// and new value, the change, the noise test's p-value and verdict, then the
// rules and how noise is judged.
func WriteCompareText(w io.Writer, c *Comparison) error {
	var b strings.Builder
	fmt.Fprintf(&b, "loadgen compare: baseline %s vs new %s\n\n", c.Baseline, c.New)
	t := table{header: []string{"metric", "baseline", "new", "change", "p", "verdict", "detectable"}}
	for _, ch := range c.Changes {
		verdict := ch.Verdict
		if ch.Verdict == BeyondNoise && ch.Worse {
			verdict += ", worse"
		} else if ch.Verdict == BeyondNoise {
			verdict += ", better"
		}
		p := "-"
		switch {
		case ch.P < 0.001:
			p = "<0.001"
		case !math.IsNaN(ch.P):
			p = fmt.Sprintf("%.3f", ch.P)
		}
		det := "-"
		switch {
		case !math.IsNaN(ch.Detectable):
			det = fmt.Sprintf("±%.1f%%", ch.Detectable*100)
		case !math.IsNaN(ch.PRaw):
			det = "none"
		}
		metric := ch.Metric
		if ch.Ruled {
			metric += " *"
		}
		base, new, rel := FormatValue(ch.Base, ch.Unit), FormatValue(ch.New, ch.Unit), fmtSigned(ch.Rel*100, "%")
		if ch.Verdict == NoSamples {
			rel = "-"
			if ch.Observed[0] == 0 {
				base = "-"
			}
			if ch.Observed[1] == 0 {
				new = "-"
			}
		}
		t.add(metric, base, new, rel, p, verdict, det)
	}
	t.write(&b)
	b.WriteString("\n  p: Holm-adjusted within its family (* named by --fail-on, or the rest); beyond noise below 0.05\n" +
		"  detectable: the smallest change of the per-interval statistic these runs could flag\n")
	if c.TooShort() {
		fmt.Fprintf(&b, "  detectable \"none\": these runs (%d and %d intervals) are too short for any change of that\n"+
			"  metric to be beyond noise; longer runs give more intervals\n", maxSamples(c, 0), maxSamples(c, 1))
	}
	if len(c.Rules) > 0 {
		b.WriteString("\nFail-on rules\n")
		rt := table{header: []string{"", "rule", ""}, left: 3}
		failed := 0
		for _, r := range c.Rules {
			v := "PASS"
			if !r.Pass {
				v = "FAIL"
				failed++
			}
			rt.add(v, r.Expr, r.Reason)
		}
		rt.write(&b)
		fmt.Fprintf(&b, "  %d of %d rules passed\n", len(c.Rules)-failed, len(c.Rules))
	}
	b.WriteString("\n" + wrap(c.Method, 78) + "\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("report: write comparison: %w", err)
	}
	return nil
}

// maxSamples returns the most intervals any metric had in run i.
func maxSamples(c *Comparison, i int) int {
	n := 0
	for _, ch := range c.Changes {
		n = max(n, ch.Samples[i])
	}
	return n
}

// WriteCompareJSON writes a comparison as indented JSON.
func WriteCompareJSON(w io.Writer, c *Comparison) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("report: encode comparison: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("report: write comparison: %w", err)
	}
	return nil
}

// wrap breaks text into lines of at most width characters.
func wrap(text string, width int) string {
	return strings.Join(textwrap.Lines(text, width), "\n")
}
