package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"

	"github.com/loadgen/loadgen/internal/chart"
	"github.com/loadgen/loadgen/results"
)

//go:embed report.html.tmpl
var htmlTemplateText string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"sec":   fmtSec,
	"pct":   fmtPct,
	"rate":  fmtRate,
	"secs":  fmtSeconds,
	"value": FormatValue,
	"mul100": func(f float64) float64 {
		return f * 100
	},
}).Parse(htmlTemplateText))

// WriteHTML writes the report of one run as one self-contained HTML page:
// run facts, thresholds, latency per step (both views), streamed-reply
// timings, replies by shape, interactive time-series charts (hover, zoom,
// series toggles; the run's end and drain marked), the TTFT histogram,
// errors by kind, status codes, the run's configuration and the
// definitions of the metrics. The charts are drawn by uPlot, inlined with
// the data: the page loads nothing from the network.
func WriteHTML(w io.Writer, s *Summary) error {
	d, err := newHTMLData(s)
	if err != nil {
		return err
	}
	return execute(w, "run", d)
}

// WriteHTMLRuns writes several runs on one self-contained page, labelled
// (labels[i] names runs[i]; the first run is the baseline): their facts and
// key figures side by side, with the change from the baseline, their
// thresholds, and their time series and TTFT distributions overlaid, each
// run on its own time since start. With one run it is WriteHTML.
func WriteHTMLRuns(w io.Writer, runs []*Summary, labels []string) error {
	if len(runs) == 1 {
		return WriteHTML(w, runs[0])
	}
	if len(runs) == 0 || len(labels) != len(runs) {
		return fmt.Errorf("report: WriteHTMLRuns: %d runs and %d labels", len(runs), len(labels))
	}
	d, err := newRunsData(runs, labels)
	if err != nil {
		return err
	}
	return execute(w, "runs", d)
}

func execute(w io.Writer, name string, data any) error {
	if err := htmlTemplate.ExecuteTemplate(w, name, data); err != nil {
		return fmt.Errorf("report: write HTML: %w", err)
	}
	return nil
}

type htmlData struct {
	S          *Summary
	Message    *StepSummary // the message step
	Tiles      []tile
	Steps      []stepRow
	Timings    []distRow
	Shapes     []shareRow
	Errors     []errorRow
	Codes      []codeRow
	Charts     []template.HTML
	TTFTChart  template.HTML
	Assets     template.HTML
	Failed     int
	StepNames  []string
	NoMessages bool
}

type tile struct {
	Label, Value, Note string
	Bad                bool
}

type stepRow struct {
	Name           string
	Count, Errors  int64
	ErrorRate      float64
	Actual, Intent Percentiles
	Overhead       bool  // measurement overhead (polls)
	Polls          int64 // GETs of poll steps
}

type distRow struct {
	Name string
	D    Percentiles
}

type shareRow struct {
	Name  string
	Count int64
	Share float64
}

type errorRow struct {
	Kind    string
	Total   int64
	PerStep []int64
	Share   float64 // of all the errors listed, for the bar
}

type codeRow struct {
	Step  string
	Codes []shareRow
}

func newHTMLData(s *Summary) (*htmlData, error) {
	d := &htmlData{S: s, Assets: chart.Assets()}
	shown := s.Steps.Shown()
	for _, st := range shown {
		d.StepNames = append(d.StepNames, string(st.Step))
	}
	reqs, errs := s.Steps.Traffic()
	m := s.Steps.Get(results.StepMessage)
	d.Message = m
	d.Tiles = []tile{
		{Label: "requests", Value: strconv.FormatInt(reqs, 10), Note: rateNote(reqs, s.DurationS)},
		{Label: "errors", Value: fmtPct(s.Steps.trafficErrorRate()), Note: fmt.Sprintf("%d failed steps", errs), Bad: errs > 0},
		{Label: "sessions", Value: strconv.FormatInt(s.Sessions.Started, 10),
			Note: fmt.Sprintf("%d completed, %d failed", s.Sessions.Completed, s.Sessions.Failed)},
	}
	if m != nil && m.MessageSummary != nil && m.Count > 0 {
		d.Tiles = append(d.Tiles,
			tile{Label: "TTFT p95", Value: fmtSec(m.TTFT.P95), Note: "p50 " + fmtSec(m.TTFT.P50)},
			tile{Label: "message latency p95", Value: fmtSec(m.Latency.P95), Note: "p50 " + fmtSec(m.Latency.P50)},
			tile{Label: "goodput", Value: fmtPct(s.Goodput.Share), Note: fmtRate(s.Goodput.PerSecond) + " good messages/s"},
		)
		if tp := s.Throughput; tp.OutputTokensPerS > 0 {
			note := ""
			if tp.Streams > 0 {
				note = fmt.Sprintf("per stream %s/s (median)", fmtRate(tp.StreamOutputTokensPerS))
			}
			d.Tiles = append(d.Tiles, tile{Label: "output tokens/s", Value: fmtRate(tp.OutputTokensPerS), Note: note})
		}
	} else {
		d.NoMessages = true
	}
	for i, st := range shown {
		d.Steps = append(d.Steps, stepRow{Name: d.StepNames[i], Count: st.Count, Errors: st.Errors,
			ErrorRate: st.ErrorRate, Actual: st.Latency, Intent: st.FromIntended, Overhead: st.Step.Overhead(), Polls: st.Polls})
	}
	if waits, gets, _ := s.Steps.Overhead(); waits > 0 {
		d.Tiles = append(d.Tiles, tile{Label: "polls (overhead)", Value: strconv.FormatInt(gets, 10),
			Note: fmt.Sprintf("GETs in %d waits; not user traffic", waits)})
	}
	if !d.NoMessages {
		d.Timings = []distRow{{"TTFB", m.TTFB}, {"TTFT", m.TTFT}, {"inter-token", m.InterToken}, {"TPOT", m.TPOT}}
		var total int64
		for _, n := range m.Shapes {
			total += n
		}
		for _, k := range results.Shapes() {
			d.Shapes = append(d.Shapes, shareRow{Name: k.Description(), Count: m.Shapes[k], Share: ratio(m.Shapes[k], total)})
		}
	}
	var listed int64 // every error the table lists: polls' and loadgen's own too
	for _, n := range s.Errors {
		listed += n
	}
	for _, k := range sortedByCount(s.Errors) {
		row := errorRow{Kind: string(k), Total: s.Errors[k], Share: ratio(s.Errors[k], listed)}
		for _, st := range shown {
			row.PerStep = append(row.PerStep, st.Kinds[k])
		}
		d.Errors = append(d.Errors, row)
	}
	for _, st := range shown {
		if st.Count == 0 {
			continue
		}
		row := codeRow{Step: string(st.Step)}
		for _, c := range sortedByCount(st.Codes) {
			name := c
			if c == "0" {
				name = "no response"
			}
			row.Codes = append(row.Codes, shareRow{Name: name, Count: st.Codes[c], Share: ratio(st.Codes[c], st.Count)})
		}
		d.Codes = append(d.Codes, row)
	}
	for _, o := range s.Thresholds {
		if !o.Pass {
			d.Failed++
		}
	}
	var err error
	if d.Charts, err = chartsHTML(runCharts(s)); err != nil {
		return nil, err
	}
	if c := ttftChart(s); c != nil && !d.NoMessages {
		if d.TTFTChart, err = c.HTML(); err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
	}
	return d, nil
}

func rateNote(n int64, sec float64) string {
	if sec <= 0 {
		return ""
	}
	return fmtRate(float64(n)/sec) + " per second"
}
