package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"

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

// WriteHTML writes the report as one self-contained HTML page: run facts,
// thresholds, latency per step (both views), streamed-reply timings, replies
// by shape, time-series charts, the TTFT histogram, errors by kind, status
// codes and the definitions of the metrics. Charts are inline SVG; the page
// loads nothing from the network.
func WriteHTML(w io.Writer, s *Summary) error {
	if err := htmlTemplate.Execute(w, newHTMLData(s)); err != nil {
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
	Share   float64 // of all errors, for the bar
}

type codeRow struct {
	Step  string
	Codes []shareRow
}

func newHTMLData(s *Summary) *htmlData {
	d := &htmlData{S: s}
	for _, st := range s.Steps {
		d.StepNames = append(d.StepNames, string(st.Step))
	}
	reqs, errs := totals(s)
	m := s.Steps.Get(results.StepMessage)
	d.Message = m
	d.Tiles = []tile{
		{Label: "requests", Value: strconv.FormatInt(reqs, 10), Note: rateNote(reqs, s.DurationS)},
		{Label: "errors", Value: fmtPct(ratio(errs, reqs)), Note: fmt.Sprintf("%d failed steps", errs), Bad: errs > 0},
		{Label: "sessions", Value: strconv.FormatInt(s.Sessions.Started, 10),
			Note: fmt.Sprintf("%d completed, %d failed", s.Sessions.Completed, s.Sessions.Failed)},
	}
	if m != nil && m.MessageSummary != nil && m.Count > 0 {
		d.Tiles = append(d.Tiles,
			tile{Label: "TTFT p95", Value: fmtSec(m.TTFT.P95), Note: "p50 " + fmtSec(m.TTFT.P50)},
			tile{Label: "message latency p95", Value: fmtSec(m.Latency.P95), Note: "p50 " + fmtSec(m.Latency.P50)},
			tile{Label: "goodput", Value: fmtPct(s.Goodput.Share), Note: fmtRate(s.Goodput.PerSecond) + " good messages/s"},
		)
	} else {
		d.NoMessages = true
	}
	for i, st := range s.Steps {
		d.Steps = append(d.Steps, stepRow{Name: d.StepNames[i], Count: st.Count, Errors: st.Errors,
			ErrorRate: st.ErrorRate, Actual: st.Latency, Intent: st.FromIntended})
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
		d.TTFTChart = template.HTML(barChart("Time to first token: messages per bucket", s.TTFTBars, fmtSec))
	}
	for _, k := range sortedByCount(s.Errors) {
		row := errorRow{Kind: string(k), Total: s.Errors[k], Share: ratio(s.Errors[k], errs)}
		for _, st := range s.Steps {
			row.PerStep = append(row.PerStep, st.Kinds[k])
		}
		d.Errors = append(d.Errors, row)
	}
	for i, st := range s.Steps {
		if st.Count == 0 {
			continue
		}
		row := codeRow{Step: d.StepNames[i]}
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
	d.Charts = seriesCharts(s.Series)
	return d
}

func rateNote(n int64, sec float64) string {
	if sec <= 0 {
		return ""
	}
	return fmtRate(float64(n)/sec) + " per second"
}

// seriesCharts draws the time series: throughput, users, arrivals, TTFT
// and message latency per interval.
func seriesCharts(se *Timeline) []template.HTML {
	if se == nil || len(se.Points) == 0 {
		return nil
	}
	n := len(se.Points)
	xs := make([]float64, n)
	get := func(f func(p *Point) float64) []float64 {
		ys := make([]float64, n)
		for i := range se.Points {
			ys[i] = f(&se.Points[i])
		}
		return ys
	}
	for i := range se.Points {
		xs[i] = se.Points[i].T
	}
	per := se.IntervalS
	// Percentiles of an interval with no messages are missing, not zero.
	msgQ := func(f func(p *Point) float64) []float64 {
		return get(func(p *Point) float64 {
			if p.Messages == 0 || f(p) == 0 {
				return math.NaN()
			}
			return f(p)
		})
	}
	num := func(x float64) string { return fmtCount(x) }
	charts := []string{
		lineChart(fmt.Sprintf("Requests and errors per second (%s intervals)", fmtClock(per)), xs, []line{
			{name: "requests/s", color: colorBlue, ys: get(func(p *Point) float64 { return float64(p.Requests) / per })},
			{name: "errors/s", color: colorRed, ys: get(func(p *Point) float64 { return float64(p.Errors) / per })},
		}, num),
		lineChart("Users active (sessions in flight, mean over each interval)", xs, []line{
			{name: "users active", color: colorGreen, ys: get(func(p *Point) float64 { return p.UsersActive })},
		}, num),
		lineChart("Session arrivals per second: target (schedule) vs achieved (sent)", xs, []line{
			{name: "achieved", color: colorBlue, ys: get(func(p *Point) float64 { return float64(p.Arrivals) / per })},
			{name: "target", color: colorOrange, dash: true, ys: get(func(p *Point) float64 { return float64(p.ArrivalsTarget) / per })},
		}, num),
		lineChart("Time to first token per interval", xs, []line{
			{name: "p50", color: colorBlue, ys: msgQ(func(p *Point) float64 { return p.TTFTP50 })},
			{name: "p95", color: colorOrange, ys: msgQ(func(p *Point) float64 { return p.TTFTP95 })},
		}, fmtSec),
		lineChart("Message latency (whole reply) per interval", xs, []line{
			{name: "p50", color: colorBlue, ys: msgQ(func(p *Point) float64 { return p.LatencyP50 })},
			{name: "p95", color: colorOrange, ys: msgQ(func(p *Point) float64 { return p.LatencyP95 })},
		}, fmtSec),
	}
	out := make([]template.HTML, len(charts))
	for i, c := range charts {
		out[i] = template.HTML(c) // built from numbers and escaped text only
	}
	return out
}
