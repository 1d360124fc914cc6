package report

import (
	"fmt"
	"html/template"
	"math"

	"github.com/loadgen/loadgen/internal/chart"
	"github.com/loadgen/loadgen/results"
)

// runsData is the page of several runs overlaid (WriteHTMLRuns).
type runsData struct {
	Runs       []runColumn
	Figures    []figureRow
	Thresholds []thresholdRow
	Charts     []template.HTML
	Assets     template.HTML
}

type runColumn struct {
	Label, Color string
	S            *Summary
	Failed       int
}

// figureRow is one key figure of every run, with its change from the first.
type figureRow struct {
	Name    string
	Values  []string
	Changes []figureChange // Changes[i] compares run i+1 with run 0
}

type figureChange struct {
	Text  string
	Worse bool // the change goes the bad way
}

type thresholdRow struct {
	Expr  string
	Cells []thresholdCell
}

type thresholdCell struct {
	Checked, Pass bool
	Value         string
}

// figure is a key figure: its value in a run, its unit, and which way is
// better (+1 higher, -1 lower, 0 neither).
type figure struct {
	name   string
	unit   string
	better int
	get    func(s *Summary) (float64, bool)
}

func keyFigures() []figure {
	msg := func(f func(m *StepSummary) float64) func(s *Summary) (float64, bool) {
		return func(s *Summary) (float64, bool) {
			m := s.Steps.Get(results.StepMessage)
			if m == nil || m.MessageSummary == nil || m.Count == 0 {
				return 0, false
			}
			return f(m), true
		}
	}
	figs := []figure{
		// The users' traffic, as each run's own summary shows it (polls apart).
		{"requests", UnitCount, 0, func(s *Summary) (float64, bool) { n, _ := s.Steps.Traffic(); return float64(n), true }},
		{"requests per second", UnitPerSecond, 0, func(s *Summary) (float64, bool) {
			n, _ := s.Steps.Traffic()
			return perSecondF(n, s.DurationS), s.DurationS > 0
		}},
		{"error rate", UnitRatio, -1, func(s *Summary) (float64, bool) {
			n, _ := s.Steps.Traffic()
			return s.Steps.trafficErrorRate(), n > 0
		}},
		{"sessions completed", UnitCount, 0, func(s *Summary) (float64, bool) { return float64(s.Sessions.Completed), true }},
		{"sessions failed", UnitCount, -1, func(s *Summary) (float64, bool) { return float64(s.Sessions.Failed), true }},
		{"TTFT p50", UnitSeconds, -1, msg(func(m *StepSummary) float64 { return m.TTFT.P50 })},
		{"TTFT p95", UnitSeconds, -1, msg(func(m *StepSummary) float64 { return m.TTFT.P95 })},
		{"TTFT p99", UnitSeconds, -1, msg(func(m *StepSummary) float64 { return m.TTFT.P99 })},
		{"inter-token gap p95", UnitSeconds, -1, msg(func(m *StepSummary) float64 { return m.InterToken.P95 })},
		{"TPOT p50", UnitSeconds, -1, msg(func(m *StepSummary) float64 { return m.TPOT.P50 })},
		{"goodput", UnitRatio, 1, func(s *Summary) (float64, bool) { return s.Goodput.Share, s.Goodput.Messages > 0 }},
		{"output tokens/s", UnitPerSecond, 1, func(s *Summary) (float64, bool) {
			return s.Throughput.OutputTokensPerS, s.Throughput.OutputTokensPerS > 0
		}},
		{"tokens/s per stream (median)", UnitPerSecond, 1, func(s *Summary) (float64, bool) {
			return s.Throughput.StreamOutputTokensPerS, s.Throughput.Streams > 0
		}},
	}
	for _, st := range results.Steps() {
		for _, q := range []struct {
			name string
			get  func(d Percentiles) float64
		}{{"p50", func(d Percentiles) float64 { return d.P50 }}, {"p95", func(d Percentiles) float64 { return d.P95 }}} {
			figs = append(figs, figure{string(st) + " latency " + q.name, UnitSeconds, -1, func(s *Summary) (float64, bool) {
				x := s.Steps.Get(st)
				if x == nil || x.Count == 0 {
					return 0, false
				}
				return q.get(x.Latency), true
			}})
		}
	}
	return append(figs, figure{"schedule lag p99", UnitSeconds, -1, func(s *Summary) (float64, bool) {
		return s.Schedule.LagP99, true
	}})
}

func newRunsData(runs []*Summary, labels []string) (*runsData, error) {
	d := &runsData{Assets: chart.Assets()}
	for i, s := range runs {
		col := runColumn{Label: labels[i], Color: runColors[i%len(runColors)], S: s}
		for _, o := range s.Thresholds {
			if !o.Pass {
				col.Failed++
			}
		}
		d.Runs = append(d.Runs, col)
	}
	for _, f := range keyFigures() {
		row := figureRow{Name: f.name}
		vals := make([]float64, len(runs))
		oks := make([]bool, len(runs))
		any := false
		for i, s := range runs {
			vals[i], oks[i] = f.get(s)
			any = any || oks[i]
			if oks[i] {
				row.Values = append(row.Values, FormatValue(vals[i], f.unit))
			} else {
				row.Values = append(row.Values, "–")
			}
		}
		if !any {
			continue
		}
		for i := 1; i < len(runs); i++ {
			row.Changes = append(row.Changes, change(vals[0], vals[i], oks[0] && oks[i], f.unit, f.better))
		}
		d.Figures = append(d.Figures, row)
	}
	d.Thresholds = thresholdRows(runs)
	var err error
	d.Charts, err = chartsHTML(overlayCharts(runs, labels))
	return d, err
}

// change formats the change from base to v: relative, or in percentage
// points for ratios.
func change(base, v float64, ok bool, unit string, better int) figureChange {
	if !ok {
		return figureChange{Text: "–"}
	}
	diff := v - base
	worse := (better > 0 && diff < 0) || (better < 0 && diff > 0)
	switch {
	case unit == UnitRatio:
		return figureChange{Text: fmt.Sprintf("%+.1fpp", diff*100), Worse: worse && math.Abs(diff) >= 0.0005}
	case base == 0 && v == 0:
		return figureChange{Text: "±0%"}
	case base == 0:
		return figureChange{Text: "new", Worse: worse}
	}
	rel := diff / math.Abs(base)
	return figureChange{Text: fmt.Sprintf("%+.1f%%", rel*100), Worse: worse && math.Abs(rel) >= 0.0005}
}

// thresholdRows lines up the runs' thresholds by expression.
func thresholdRows(runs []*Summary) []thresholdRow {
	var rows []thresholdRow
	index := map[string]int{}
	for i, s := range runs {
		for _, o := range s.Thresholds {
			k, ok := index[o.Expr]
			if !ok {
				k = len(rows)
				index[o.Expr] = k
				rows = append(rows, thresholdRow{Expr: o.Expr, Cells: make([]thresholdCell, len(runs))})
			}
			rows[k].Cells[i] = thresholdCell{Checked: true, Pass: o.Pass, Value: o.Show()}
		}
	}
	return rows
}
