package report

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/loadgen/loadgen/results"
)

// WriteText writes the terminal summary: run facts, latency per step (from
// the actual send and from the intended start), streamed-reply timings,
// replies by shape, goodput, errors by kind, status codes, thresholds and
// the definitions of the metrics.
func WriteText(w io.Writer, s *Summary) error {
	var b strings.Builder
	textFacts(&b, s)
	b.WriteString("\nLatency by step, from the actual send (1)\n")
	textSteps(&b, s, func(st *StepSummary) Percentiles { return st.Latency })
	textMessages(&b, s)
	textReplay(&b, s)
	textConversations(&b, s)
	b.WriteString("\nLatency by step, from the intended start: coordinated omission corrected (2)\n")
	textSteps(&b, s, func(st *StepSummary) Percentiles { return st.FromIntended })
	textErrors(&b, s)
	textCodes(&b, s)
	textThresholds(&b, s)
	b.WriteString(textNotes)
	if waits, _, _ := s.Steps.Overhead(); waits > 0 {
		b.WriteString(textPollNote)
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("report: write text: %w", err)
	}
	return nil
}

const textNotes = `
(1) Latency counts from the moment each request was sent until its response
    ended. Failed steps count (a timeout is latency too); steps canceled by
    the end of the run do not.
(2) The same steps measured from when the schedule wanted them to start: this
    adds how late they started, so a slow system cannot hide by delaying the
    load (coordinated omission).
    TTFB         request sent -> first byte of the response body.
    TTFT         request sent -> first non-empty text part of the reply.
    inter-token  gap between consecutive text parts of a reply.
    TPOT         time per output token after the first: (last - first token) / (tokens - 1).
    goodput      messages with no error that met every bound of the scenario's slo.
`

const textPollNote = `(3) Polls are reads loadgen makes to find an async reply (GET conversation with
    markRead=false); no widget sends them: replies stream, staff replies come
    over Realtime. A poll step is one wait, however many GETs it made; the
    reply's time is known to within one poll interval.
`

func textFacts(b *strings.Builder, s *Summary) {
	fmt.Fprintf(b, "loadgen summary: %s", cmp.Or(s.Scenario, "(unnamed scenario)"))
	if s.RunID != "" {
		fmt.Fprintf(b, " (run %s)", s.RunID)
	}
	b.WriteString("\n")
	fact := func(k, format string, a ...any) { fmt.Fprintf(b, "  %-9s "+format+"\n", append([]any{k}, a...)...) }
	ran := fmtSeconds(s.DurationS)
	if s.Interrupted {
		ran += ", interrupted before its duration ended"
	}
	fact("started", "%s, ran %s", s.StartedAt.UTC().Format("2006-01-02 15:04:05 MST"), ran)
	if s.Target != "" {
		fact("target", "%s", s.Target)
	}
	if s.Files > 1 && s.Distributed == nil {
		fact("merged", "%d results files", s.Files)
	}
	textDistributed(b, s)
	ss := s.Sessions
	fact("sessions", "%d started: %d completed, %d failed, %d canceled", ss.Started, ss.Completed, ss.Failed, ss.Canceled)
	sc := s.Schedule
	target := "none (closed model)"
	if sc.TargetRate > 0 {
		target = fmt.Sprintf("%s sessions/s", fmtRate(sc.TargetRate))
	}
	fact("schedule", "target %s, achieved %s/s; lag p99 %s, max %s", target, fmtRate(sc.AchievedRate),
		fmtSec(sc.LagP99), fmtSec(sc.Lag.Max))
	if sc.WaitTotal > 0 {
		fact("", "rate limit wait: total %s, p99 %s per step", fmtSec(sc.WaitTotal), fmtSec(sc.Wait.P99))
	}
	if st := sc.SteadyState; st != nil && !st.Steady {
		fact("", "not steady: %s (%s–%s): a backlog grows; this load is past what the target sustains",
			st.Reason, fmtSeconds(st.FromS), fmtSeconds(st.ToS))
	}
	if g := s.Generator; g != nil && g.Saturated {
		fact("SATURATED", "the generator did not deliver the load asked for: %s. The numbers below describe loadgen's limits as much as the target's", g.Reason)
	}
	reqs, errs := s.Steps.Traffic()
	ours := s.Steps.trafficOurs()
	perS := ""
	if s.DurationS > 0 {
		perS = fmt.Sprintf(" (%s/s)", fmtRate(float64(reqs)/s.DurationS))
	}
	noun := "errors"
	if errs == 1 {
		noun = "error"
	}
	fact("requests", "%d%s, %d %s (%s)", reqs, perS, errs, noun, fmtPct(s.Steps.trafficErrorRate()))
	if ours > 0 {
		var parts []string
		if n := s.Errors[results.KindCanceled]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d canceled by the run's stop", n))
		}
		if n := s.Errors[results.KindLocal]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d failed on loadgen's own limits (local_resource)", n))
		}
		if n := s.Errors[results.KindTemplate]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d never sent: their templates failed to render (template)", n))
		}
		fact("", "and %s: not the target's errors, left out of error rates and goodput", strings.Join(parts, ", "))
	}
	if tp := s.Throughput; tp.OutputTokensPerS > 0 {
		line := fmt.Sprintf("%s output tokens/s", fmtRate(tp.OutputTokensPerS))
		if tp.Streams > 0 {
			line += fmt.Sprintf("; per stream %s tokens/s (median), the slowest 5%% under %s", fmtRate(tp.StreamOutputTokensPerS), fmtRate(tp.SlowStreamTokensPerS))
		}
		fact("tokens", "%s", line)
	}
	if waits, gets, perr := s.Steps.Overhead(); waits > 0 {
		fact("polls", "%d GETs waiting for %d async replies, %d failed: measurement overhead (3), not counted above", gets, waits, perr)
	}
	if s.AllFailed {
		fact("FAILED", "%s", allFailed(s, reqs, ours))
	}
}

// allFailed says in one line that a run measured nothing of the target.
func allFailed(s *Summary, reqs, ours int64) string {
	if ours == reqs {
		return fmt.Sprintf("no request was judged: all %d were failed by loadgen itself", reqs)
	}
	var kinds []string
	for _, k := range sortedByCount(s.Errors) {
		if k.Target() {
			kinds = append(kinds, fmt.Sprintf("%s %s", k, fmtPct(ratio(s.Errors[k], reqs-ours))))
		}
	}
	return fmt.Sprintf("every request failed (%d of %d: %s); nothing of the target was measured", reqs-ours, reqs-ours, strings.Join(kinds, ", "))
}

var distHeader = []string{"count", "p50", "p90", "p95", "p99", "max"}

func distCells(d Percentiles) []string {
	if d.Count == 0 {
		return []string{"0", "-", "-", "-", "-", "-"}
	}
	return []string{strconv.FormatInt(d.Count, 10), fmtSec(d.P50), fmtSec(d.P90), fmtSec(d.P95), fmtSec(d.P99), fmtSec(d.Max)}
}

func textSteps(b *strings.Builder, s *Summary, pick func(*StepSummary) Percentiles) {
	t := table{header: []string{"step", "count", "errors", "p50", "p90", "p95", "p99", "max"}}
	for _, st := range s.Steps.Shown() {
		name := string(st.Step)
		if st.Step.Overhead() {
			name += " (3)"
		}
		if st.Count == 0 {
			t.add(name, "0", "-", "-", "-", "-", "-", "-")
			continue
		}
		errs := "0"
		if st.Errors > 0 {
			errs = fmt.Sprintf("%d (%s)", st.Errors, fmtPct(st.ErrorRate))
		}
		cells := distCells(pick(st))
		t.add(append([]string{name, strconv.FormatInt(st.Count, 10), errs}, cells[1:]...)...)
	}
	t.write(b)
}

func textMessages(b *strings.Builder, s *Summary) {
	m := s.Steps.Get(results.StepMessage)
	if m == nil || m.Count == 0 || m.MessageSummary == nil {
		return
	}
	b.WriteString("\nStreamed replies (message steps)\n")
	t := table{header: append([]string{"timing"}, distHeader...)}
	for _, row := range []struct {
		name string
		d    Percentiles
	}{{"TTFB", m.TTFB}, {"TTFT", m.TTFT}, {"inter-token", m.InterToken}, {"TPOT", m.TPOT}} {
		t.add(append([]string{row.name}, distCells(row.d)...)...)
	}
	t.write(b)
	var replies int64
	for _, n := range m.Shapes {
		replies += n
	}
	fmt.Fprintf(b, "  tokens    %d (%s per complete streamed reply), %d characters\n", m.Tokens,
		fmtRate(float64(m.Tokens)/float64(max(replies, 1))), m.Chars)
	fmt.Fprintf(b, "  replies   %s\n", shapesLine(m.Shapes))
	g := s.Goodput
	fmt.Fprintf(b, "  goodput   %d of %d messages met the SLO (%s), %s good messages/s\n",
		g.Good, g.Messages, fmtPct(g.Share), fmtRate(g.PerSecond))
}

// textConversations breaks the run down by conversation, when the mix has
// more than one.
func textConversations(b *strings.Builder, s *Summary) {
	if len(s.Conversations) < 2 {
		return
	}
	b.WriteString("\nBy conversation (latency and TTFT of streamed replies)\n")
	t := table{header: []string{"name", "sessions", "requests", "errors", "messages", "latency p50", "p95", "TTFT p50", "p95", "goodput"}}
	for _, c := range s.Conversations {
		errs := "0"
		if c.Errors > 0 {
			errs = fmt.Sprintf("%d (%s)", c.Errors, fmtPct(c.ErrorRate))
		}
		cell := func(d Percentiles, v float64) string {
			if d.Count == 0 {
				return "-"
			}
			return fmtSec(v)
		}
		good := "-"
		if c.Messages > 0 {
			good = fmtPct(c.Goodput)
		}
		t.add(c.Name, strconv.FormatInt(c.Sessions.Started, 10), strconv.FormatInt(c.Requests, 10), errs,
			strconv.FormatInt(c.Messages, 10), cell(c.Latency, c.Latency.P50), cell(c.Latency, c.Latency.P95),
			cell(c.TTFT, c.TTFT.P50), cell(c.TTFT, c.TTFT.P95), good)
	}
	t.write(b)
}

// textReplay compares replayed replies with the recorded ones.
func textReplay(b *strings.Builder, s *Summary) {
	r := s.Replay
	if r == nil {
		return
	}
	fmt.Fprintf(b, "  replayed  %d replies to turns with a recorded reply: %d characters, %d recorded (length ratio %.2f)\n",
		r.Replies, r.Chars, r.RefChars, r.LengthRatio)
}

func shapesLine(shapes map[results.Shape]int64) string {
	var total int64
	for _, n := range shapes {
		total += n
	}
	if total == 0 {
		return "none complete"
	}
	order := results.Shapes()
	for _, k := range slices.Sorted(maps.Keys(shapes)) {
		if !slices.Contains(order, k) {
			order = append(order, k)
		}
	}
	var parts []string
	for _, k := range order {
		n := shapes[k]
		if n == 0 && !k.Known() {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d (%s)", cmp.Or(k.Description(), string(k)), n, fmtPct(ratio(n, total))))
	}
	return strings.Join(parts, ", ")
}

func textErrors(b *strings.Builder, s *Summary) {
	if len(s.Errors) == 0 {
		b.WriteString("\nErrors: none\n")
		return
	}
	b.WriteString("\nErrors by kind\n")
	t := table{header: []string{"kind", "total"}}
	shown := s.Steps.Shown()
	for _, st := range shown {
		t.header = append(t.header, string(st.Step))
	}
	kinds := sortedByCount(s.Errors)
	for _, k := range kinds {
		name := string(k)
		if k.Ours() {
			name += " (loadgen's)"
		}
		row := []string{name, strconv.FormatInt(s.Errors[k], 10)}
		for _, st := range shown {
			row = append(row, strconv.FormatInt(st.Kinds[k], 10))
		}
		t.add(row...)
	}
	t.write(b)
	if len(s.ErrorDetails) == 0 {
		return
	}
	b.WriteString("  first messages of each kind:\n")
	for _, k := range kinds {
		for i, d := range s.ErrorDetails[k] {
			label := ""
			if i == 0 {
				label = string(k)
			}
			fmt.Fprintf(b, "    %-17s %s\n", label, d)
		}
	}
}

func textCodes(b *strings.Builder, s *Summary) {
	b.WriteString("\nStatus codes\n")
	for _, st := range s.Steps {
		if st.Count == 0 {
			continue
		}
		var parts []string
		for _, c := range sortedByCount(st.Codes) {
			name := c
			if c == "0" {
				name = "no response"
			}
			parts = append(parts, fmt.Sprintf("%s x%d", name, st.Codes[c]))
		}
		fmt.Fprintf(b, "  %-13s %s\n", st.Step, strings.Join(parts, ", "))
	}
}

func textThresholds(b *strings.Builder, s *Summary) {
	if len(s.Thresholds) == 0 {
		return
	}
	b.WriteString("\nThresholds\n")
	t := table{header: []string{"", "threshold", "value"}, left: 2}
	var failed int
	var atLeast bool
	for _, o := range s.Thresholds {
		verdict := "PASS"
		if !o.Pass {
			verdict = "FAIL"
			failed++
		}
		atLeast = atLeast || o.AtLeast
		t.add(verdict, o.Expr, o.Show())
	}
	t.write(b)
	fmt.Fprintf(b, "  %d of %d thresholds passed\n", len(s.Thresholds)-failed, len(s.Thresholds))
	if atLeast {
		b.WriteString("  at least: counting the requests the run's stop cut short at how long they had run (their\n" +
			"  latency was at least that), above what the completed ones give; raise --grace to let them end\n")
	}
}

// sortedByCount returns the keys of m, largest count first, then by name.
func sortedByCount[K cmp.Ordered](m map[K]int64) []K {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b K) int {
		return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b))
	})
	return keys
}

// table aligns columns: the first (or the first left) to the left, the
// others to the right.
type table struct {
	header []string
	rows   [][]string
	left   int
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(out *strings.Builder) {
	width := make([]int, len(t.header))
	for _, r := range append([][]string{t.header}, t.rows...) {
		for i, c := range r {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	for _, r := range append([][]string{t.header}, t.rows...) {
		var line strings.Builder
		line.WriteString(" ")
		b := &line
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-len([]rune(c)))
			switch {
			case i == 0:
				b.WriteString(" " + c + pad)
			case i < t.left:
				b.WriteString("  " + c + pad)
			default:
				b.WriteString("  " + pad + c)
			}
		}
		out.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}

// fmtSec formats seconds as a duration with three significant digits and a
// unit a person reads at a glance: 950µs, 1.25ms, 12.5ms, 125ms, 1.25s.
func fmtSec(sec float64) string {
	d := time.Duration(sec * float64(time.Second))
	switch {
	case d == 0:
		return "0"
	case d < time.Millisecond:
		return fmt.Sprintf("%.0fµs", sec*1e6)
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2fms", sec*1e3)
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%.1fms", sec*1e3)
	case d < time.Second:
		return fmt.Sprintf("%.0fms", sec*1e3)
	case d < 10*time.Second:
		return fmt.Sprintf("%.2fs", sec)
	case d < 100*time.Second:
		return fmt.Sprintf("%.1fs", sec)
	}
	return fmt.Sprintf("%.0fs", sec)
}

// fmtSeconds formats a run length: 20.0 s, 5m02s.
func fmtSeconds(sec float64) string {
	if sec < 60 {
		return fmt.Sprintf("%.1fs", sec)
	}
	return time.Duration(sec * float64(time.Second)).Round(time.Second).String()
}

func fmtRate(x float64) string {
	switch {
	case x == 0:
		return "0"
	case x < 10:
		return strconv.FormatFloat(x, 'f', 2, 64)
	case x < 100:
		return strconv.FormatFloat(x, 'f', 1, 64)
	}
	return strconv.FormatFloat(x, 'f', 0, 64)
}

func fmtPct(f float64) string {
	switch {
	case f == 0:
		return "0%"
	case f < 0.001:
		return fmt.Sprintf("%.3f%%", f*100)
	}
	return fmt.Sprintf("%.1f%%", f*100)
}

// Metric units, as in Verdict.Unit.
const (
	UnitSeconds   = "s"
	UnitRatio     = "ratio"
	UnitPerSecond = "/s"
	UnitCount     = "count"
	UnitBool      = "bool" // 1 true, 0 false; written true or false
)

// FormatValue formats a metric value in its unit for people.
func FormatValue(v float64, unit string) string {
	switch unit {
	case UnitSeconds:
		return fmtSec(v)
	case UnitRatio:
		return fmtPct(v)
	case UnitPerSecond:
		return fmtRate(v) + "/s"
	case UnitBool:
		return strconv.FormatBool(v != 0)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
