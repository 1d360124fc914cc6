package report

import (
	"fmt"
	"html/template"
	"math"
	"slices"

	"github.com/loadgen/loadgen/internal/chart"
	"github.com/loadgen/loadgen/results"
)

// The HTML report's charts: the summary's numbers as chart.Chart values,
// for one run (runCharts) or several overlaid (overlayCharts). The x axis is
// seconds since the run started; each interval is drawn at its middle.

// Colours of the series, and of the runs in an overlay.
var (
	colorBlue, colorOrange, colorRed = "#2f6fdf", "#e8871e", "#d23c3c"
	colorGreen                       = "#2e9d5b"
	runColors                        = []string{"#2f6fdf", "#e8871e", "#2e9d5b", "#d23c3c", "#8e5bd0", "#1aa3a3", "#b0802a", "#d0559b"}
	stepColors                       = []string{"#2f6fdf", "#2e9d5b", "#e8871e", "#8e5bd0", "#1aa3a3", "#d0559b", "#b0802a", "#d23c3c"}
)

// timeline is a run's series on its own time axis.
type timeline struct {
	s  *Timeline
	xs []float64 // the middle of each interval, in seconds since the run started
}

func newTimeline(s *Summary) *timeline {
	se := s.Series
	if se == nil || len(se.Points) == 0 {
		return nil
	}
	offset := 0.0
	if !s.StartedAt.IsZero() && !se.Start.IsZero() {
		offset = se.Start.Sub(s.StartedAt).Seconds()
	}
	tl := &timeline{s: se, xs: make([]float64, len(se.Points))}
	for i, p := range se.Points {
		tl.xs[i] = round(p.T+offset+se.IntervalS/2, 3)
	}
	return tl
}

// end is where the last interval ends, in seconds since the start.
func (tl *timeline) end() float64 { return tl.xs[len(tl.xs)-1] + tl.s.IntervalS/2 }

// values maps each point through f.
func (tl *timeline) values(f func(p *Point) float64) chart.Values {
	v := make(chart.Values, len(tl.s.Points))
	for i := range tl.s.Points {
		v[i] = f(&tl.s.Points[i])
	}
	return v
}

// perSecond is a count per interval as a rate.
func (tl *timeline) perSecond(f func(p *Point) int64) chart.Values {
	return tl.values(func(p *Point) float64 { return float64(f(p)) / tl.s.IntervalS })
}

// messageQuantile is a message percentile per interval, missing when the
// interval has no message (or no such value, e.g. no token).
func (tl *timeline) messageQuantile(f func(p *Point) float64) chart.Values {
	return tl.values(func(p *Point) float64 {
		if p.Messages == 0 || f(p) == 0 {
			return math.NaN()
		}
		return f(p)
	})
}

// endMarks marks where the run's duration ended and shades the drain after
// it, when the series goes on past it.
func endMarks(s *Summary, tl *timeline) ([]chart.Mark, []chart.Band) {
	if s.DurationS <= 0 {
		return nil, nil
	}
	label := "end "
	if s.Interrupted {
		label = "interrupted "
	}
	marks := []chart.Mark{{X: s.DurationS, Label: label + fmtClockS(s.DurationS)}}
	if end := tl.end(); end > s.DurationS+tl.s.IntervalS/2 {
		return marks, []chart.Band{{From: s.DurationS, To: end, Label: "drain"}}
	}
	return marks, nil
}

// runCharts returns the time-series charts of one run.
func runCharts(s *Summary) []chart.Chart {
	tl := newTimeline(s)
	if tl == nil {
		return nil
	}
	marks, bands := endMarks(s, tl)
	per := tl.s.IntervalS
	clock := chart.Axis{Unit: chart.Clock, Label: "time since start"}
	c := func(title string, unit chart.Unit, series ...chart.Series) chart.Chart {
		return chart.Chart{Title: title, X: clock, Y: chart.Axis{Unit: unit}, Xs: tl.xs, Series: series,
			Marks: marks, Bands: bands, Sync: "time"}
	}
	q := func(label, color string, f func(p *Point) float64) chart.Series {
		return chart.Series{Label: label, Color: color, Values: tl.messageQuantile(f)}
	}
	charts := []chart.Chart{
		c(fmt.Sprintf("Requests and errors per second (%s intervals)", fmtClockS(per)), chart.PerSecond,
			chart.Series{Label: "requests/s", Color: colorBlue, Values: tl.perSecond(func(p *Point) int64 { return p.Requests })},
			chart.Series{Label: "errors/s", Color: colorRed, Values: tl.perSecond(func(p *Point) int64 { return p.Errors })}),
		c("Users active (sessions in flight, mean over each interval)", chart.Count,
			chart.Series{Label: "users active", Color: colorGreen, Values: tl.values(func(p *Point) float64 { return p.UsersActive })}),
		c("Session arrivals per second: target (schedule) vs achieved (sent)", chart.PerSecond,
			chart.Series{Label: "achieved", Color: colorBlue, Values: tl.perSecond(func(p *Point) int64 { return p.Arrivals })},
			chart.Series{Label: "target", Color: colorOrange, Dash: true, Values: tl.perSecond(func(p *Point) int64 { return p.ArrivalsTarget })}),
		c("Time to first token per interval", chart.Seconds,
			q("p50", colorBlue, func(p *Point) float64 { return p.TTFTP50 }),
			q("p95", colorOrange, func(p *Point) float64 { return p.TTFTP95 }),
			q("p99", colorRed, func(p *Point) float64 { return p.TTFTP99 })),
		c("Message latency (whole reply) per interval", chart.Seconds,
			q("p50", colorBlue, func(p *Point) float64 { return p.LatencyP50 }),
			q("p95", colorOrange, func(p *Point) float64 { return p.LatencyP95 }),
			q("p99", colorRed, func(p *Point) float64 { return p.LatencyP99 })),
	}
	if steps := stepLatencySeries(tl, false); len(steps) > 0 {
		charts = append(charts, c("Latency p95 of the other steps per interval", chart.Seconds, steps...))
	}
	if polls := stepLatencySeries(tl, true); len(polls) > 0 {
		charts = append(charts, c("Async replies: the wait from the post to the reply (poll step), p95 per interval", chart.Seconds, polls...))
	}
	if s.Goodput.Messages > 0 {
		charts = append(charts, c("Goodput: share of messages that met the SLO, per interval", chart.Ratio,
			chart.Series{Label: "goodput", Color: colorGreen, Values: tl.values(func(p *Point) float64 {
				if p.Sent == 0 {
					return math.NaN()
				}
				return float64(p.Good) / float64(p.Sent)
			})}))
	}
	return charts
}

// stepLatencySeries returns, per step other than message that ran, its
// latency p95 per interval; the steps are the vocabulary's, in its order.
// With overhead, the measurement's own steps (the polls' waits for an async
// reply, seconds long), else the others (milliseconds: on one axis with the
// waits they would be a line at zero).
func stepLatencySeries(tl *timeline, overhead bool) []chart.Series {
	var out []chart.Series
	for _, st := range results.Steps() {
		name := string(st)
		if st == results.StepMessage || st.Overhead() != overhead {
			continue
		}
		ran := false
		v := tl.values(func(p *Point) float64 {
			ps := p.Steps[name]
			if ps == nil || ps.Count == 0 {
				return math.NaN()
			}
			ran = true
			return ps.LatencyP95
		})
		if ran {
			out = append(out, chart.Series{Label: name + " p95", Color: stepColors[len(out)%len(stepColors)], Values: v})
		}
	}
	return out
}

// ttftChart is the TTFT histogram of one run.
func ttftChart(s *Summary) *chart.Chart {
	if len(s.TTFTBars) == 0 {
		return nil
	}
	xs := make([]float64, len(s.TTFTBars))
	v := make(chart.Values, len(s.TTFTBars))
	for i, b := range s.TTFTBars {
		xs[i], v[i] = b.From, float64(b.Count)
	}
	return &chart.Chart{Title: "Time to first token: messages per bucket", Style: chart.Bars,
		X: chart.Axis{Unit: chart.Seconds, Label: "time to first token"}, Y: chart.Axis{Unit: chart.Count},
		Xs: xs, Series: []chart.Series{{Label: "messages", Color: colorBlue, Values: v}}}
}

// overlayCharts returns the charts of several runs drawn over each other,
// each run on its own time since start, in its colour.
func overlayCharts(runs []*Summary, labels []string) []chart.Chart {
	tls := make([]*timeline, len(runs))
	var xs []float64
	for i, s := range runs {
		if tls[i] = newTimeline(s); tls[i] != nil {
			xs = append(xs, tls[i].xs...)
		}
	}
	if len(xs) == 0 {
		return nil
	}
	slices.Sort(xs)
	xs = slices.Compact(xs)
	var marks []chart.Mark // one per end, naming the runs that end there
	for i, s := range runs {
		if s.DurationS <= 0 {
			continue
		}
		if k := slices.IndexFunc(marks, func(m chart.Mark) bool { return m.X == s.DurationS }); k >= 0 {
			marks[k].Label += ", " + labels[i]
			continue
		}
		marks = append(marks, chart.Mark{X: s.DurationS, Label: "end " + labels[i]})
	}
	clock := chart.Axis{Unit: chart.Clock, Label: "time since start"}
	// overlay puts each run's values at their xs in the union of all xs.
	overlay := func(title string, unit chart.Unit, f func(tl *timeline) chart.Values) chart.Chart {
		c := chart.Chart{Title: title, X: clock, Y: chart.Axis{Unit: unit}, Xs: xs, Marks: marks, Sync: "time", Span: true}
		for i, tl := range tls {
			v := missing(len(xs))
			if tl != nil {
				for j, y := range f(tl) {
					k, _ := slices.BinarySearch(xs, tl.xs[j])
					v[k] = y
				}
			}
			c.Series = append(c.Series, chart.Series{Label: labels[i], Color: runColors[i%len(runColors)], Values: v})
		}
		return c
	}
	charts := []chart.Chart{
		overlay("Requests per second", chart.PerSecond, func(tl *timeline) chart.Values {
			return tl.perSecond(func(p *Point) int64 { return p.Requests })
		}),
		overlay("Errors per second", chart.PerSecond, func(tl *timeline) chart.Values {
			return tl.perSecond(func(p *Point) int64 { return p.Errors })
		}),
		overlay("Users active", chart.Count, func(tl *timeline) chart.Values {
			return tl.values(func(p *Point) float64 { return p.UsersActive })
		}),
		overlay("Time to first token p50 per interval", chart.Seconds, func(tl *timeline) chart.Values {
			return tl.messageQuantile(func(p *Point) float64 { return p.TTFTP50 })
		}),
		overlay("Time to first token p95 per interval", chart.Seconds, func(tl *timeline) chart.Values {
			return tl.messageQuantile(func(p *Point) float64 { return p.TTFTP95 })
		}),
		overlay("Message latency p95 per interval", chart.Seconds, func(tl *timeline) chart.Values {
			return tl.messageQuantile(func(p *Point) float64 { return p.LatencyP95 })
		}),
	}
	if c := ttftOverlay(runs, labels); c != nil {
		charts = append(charts, *c)
	}
	return charts
}

// ttftOverlay draws each run's TTFT histogram as a stepped line of the share
// of its messages per bucket (runs differ in size and bucket width).
func ttftOverlay(runs []*Summary, labels []string) *chart.Chart {
	var xs []float64
	for _, s := range runs {
		for _, b := range s.TTFTBars {
			xs = append(xs, b.From, b.To)
		}
	}
	if len(xs) == 0 {
		return nil
	}
	slices.Sort(xs)
	xs = slices.Compact(xs)
	c := &chart.Chart{Title: "Time to first token: share of each run's messages per bucket", Style: chart.Steps,
		X: chart.Axis{Unit: chart.Seconds, Label: "time to first token"}, Y: chart.Axis{Unit: chart.Ratio}, Xs: xs}
	for i, s := range runs {
		var total int64
		for _, b := range s.TTFTBars {
			total += b.Count
		}
		v := missing(len(xs))
		for _, b := range s.TTFTBars {
			k, _ := slices.BinarySearch(xs, b.From)
			v[k] = ratio(b.Count, total)
		}
		if n := len(s.TTFTBars); n > 0 {
			k, _ := slices.BinarySearch(xs, s.TTFTBars[n-1].To)
			v[k] = 0 // the line drops after the last bucket
		}
		c.Series = append(c.Series, chart.Series{Label: labels[i], Color: runColors[i%len(runColors)], Values: v})
	}
	c.Span = true
	return c
}

// missing returns n missing values.
func missing(n int) chart.Values {
	v := make(chart.Values, n)
	for i := range v {
		v[i] = math.NaN()
	}
	return v
}

// chartsHTML renders charts as their HTML placeholders.
func chartsHTML(charts []chart.Chart) ([]template.HTML, error) {
	out := make([]template.HTML, 0, len(charts))
	for i := range charts {
		h, err := charts[i].HTML()
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		out = append(out, h)
	}
	return out, nil
}

// fmtClockS formats seconds since the start as 45s, 2m30s, 1h05m.
func fmtClockS(sec float64) string {
	s := int(math.Round(sec))
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		if s%60 == 0 {
			return fmt.Sprintf("%dm", s/60)
		}
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	return fmt.Sprintf("%dh%02dm", s/3600, s%3600/60)
}
