package sweep

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// columns of the live table: header and width (right-aligned but the last).
var columns = []struct {
	name  string
	width int
}{
	{"#", 3}, {"probe", 11}, {"load", 12}, {"achieved", 9}, {"good/s", 8},
	{"attainment", 22}, {"TTFT p50", 8}, {"p95", 7}, {"p99", 7}, {"ITL p95", 7},
	{"errors", 6}, {"lag p99", 7}, {"backlog", 7}, {"requests", 8}, {"time", 6},
	{"verdict", 10}, {"binding / note", 0},
}

// WriteHeader writes the live table's header.
func WriteHeader(w io.Writer) error {
	cells := make([]string, len(columns))
	for i, c := range columns {
		cells[i] = c.name
	}
	_, err := io.WriteString(w, row(cells)+"\n")
	return err
}

// WriteRow writes one probe's row.
func WriteRow(w io.Writer, p Probe) error {
	load := fmt.Sprintf("%s/s", rate(p.Load))
	if p.Control == "users" {
		load = users(p.Load)
	}
	att, ttft := "-", []string{"-", "-", "-"}
	if p.Measured > 0 {
		att = fmt.Sprintf("%s [%s, %s]", pct(p.Attainment), pct(p.Interval[0]), pct(p.Interval[1]))
		ttft = []string{dur(p.TTFTp50), dur(p.TTFTp95), dur(p.TTFTp99)}
	}
	note := p.Binding
	if p.Reason != "" {
		note = p.Reason
	}
	if p.Kind == "ramp" || p.Kind == "saturation" {
		note = fmt.Sprintf("throughput %s/s", rate(p.Throughput))
		if p.Little > 0 {
			note += fmt.Sprintf(" (Little %s/s)", rate(p.Little))
		}
	}
	backlog := fmt.Sprintf("%+.1f/s", p.Backlog)
	if p.Steady {
		backlog = "level"
	}
	cells := []string{
		fmt.Sprint(p.Seq), p.Kind, load, rate(p.Achieved) + "/s", rate(p.Good),
		att, ttft[0], ttft[1], ttft[2], dur(p.ITLp95),
		fmt.Sprint(p.Errors), dur(p.LagP99), backlog, fmt.Sprint(p.Requests), fmt.Sprintf("%.0fs", p.Seconds),
		p.Verdict, note,
	}
	_, err := io.WriteString(w, row(cells)+"\n")
	return err
}

func row(cells []string) string {
	var b strings.Builder
	for i, c := range columns {
		if i > 0 {
			b.WriteString("  ")
		}
		switch {
		case c.width == 0:
			b.WriteString(cells[i])
		case i == 1 || i == len(columns)-2: // probe kind and verdict: left-aligned
			fmt.Fprintf(&b, "%-*s", c.width, cells[i])
		default:
			fmt.Fprintf(&b, "%*s", c.width, cells[i])
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// WriteAnswers writes the sweep's two answers and how it ended.
func WriteAnswers(w io.Writer, r *Report) error {
	var b strings.Builder
	c := r.Capacity
	if c.Found {
		fmt.Fprintf(&b, "capacity  %s sessions/s [%s, %s]", rate(c.Sessions), rate(c.Interval[0]), rate(c.Interval[1]))
		if r.Control == "users" {
			fmt.Fprintf(&b, " at %d users", int(c.Rate))
		}
		fmt.Fprintf(&b, ", %s messages/s", rate(c.Messages))
		if r.LittleRate > 0 {
			fmt.Fprintf(&b, "; Little's law: %s sessions/s", rate(r.LittleRate))
		}
		b.WriteString("\n")
	} else {
		b.WriteString("capacity  not measured\n")
	}
	m := r.SLOMax
	if m.Found && m.AtLeast {
		fmt.Fprintf(&b, "SLO-max   at least %s %s (at most the capacity): no probe failed below it\n", rate(m.Rate), m.Unit)
	} else if m.Found {
		if r.Control == "users" {
			fmt.Fprintf(&b, "SLO-max   %d users [%d, %d]", int(m.Rate), int(m.Interval[0]), int(m.Interval[1]))
			if m.Sessions > 0 {
				fmt.Fprintf(&b, ", %s sessions/s", rate(m.Sessions))
			}
		} else {
			fmt.Fprintf(&b, "SLO-max   %s sessions/s [%s, %s], %s messages/s", rate(m.Rate), rate(m.Interval[0]), rate(m.Interval[1]), rate(m.Messages))
		}
		fmt.Fprintf(&b, ": %s of messages meet %s", pct(r.Attainment), strings.Join(r.Objectives, ", "))
		if len(r.Requires) > 0 {
			fmt.Fprintf(&b, " and %s holds", strings.Join(r.Requires, ", "))
		}
		if m.Binding != "" {
			fmt.Fprintf(&b, "; what binds above it: %s", m.Binding)
		}
		b.WriteString("\n")
	} else {
		b.WriteString("SLO-max   not found\n")
	}
	for _, n := range []string{c.Note, m.Note} {
		if n != "" {
			fmt.Fprintf(&b, "          note: %s\n", n)
		}
	}
	if !r.Steady && m.Found {
		b.WriteString("          the probe at the answer was not steady: treat the answer as an upper bound\n")
	}
	if r.GeneratorSaturated != "" {
		fmt.Fprintf(&b, "          the load generator fell behind (%s): the probe was aborted; that is loadgen's limit, not the target's\n", r.GeneratorSaturated)
	}
	fmt.Fprintf(&b, "sweep     %d probes in %s; stopped: %s\n", len(r.Probes), (time.Duration(r.DurationS) * time.Second).Round(time.Second), r.Stop)
	if r.Dir != "" {
		fmt.Fprintf(&b, "          results of every probe in %s\n", r.Dir)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func rate(x float64) string {
	switch {
	case x == 0:
		return "0"
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	}
	return fmt.Sprintf("%.2f", x)
}

func pct(x float64) string {
	if x >= 0.9995 && x < 1 {
		return fmt.Sprintf("%.2f%%", 100*x)
	}
	return fmt.Sprintf("%.1f%%", 100*x)
}

func dur(s float64) string {
	d := time.Duration(s * float64(time.Second))
	switch {
	case d == 0:
		return "-"
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0fms", float64(d)/1e6)
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.0fµs", float64(d)/1e3)
}

// users is "1 user" or "16 users".
func users(n float64) string {
	if n == 1 {
		return "1 user"
	}
	return fmt.Sprintf("%d users", int(n))
}
