// Package chart draws interactive charts in self-contained HTML pages: Go
// data → JSON → uPlot (vendored under uplot/, MIT, v1.6.32), with hover
// values in the legend, drag-to-zoom (double-click resets), series toggled
// by clicking their legend entry, a cursor synchronised across charts of one
// group, regular ticks, vertical marks and shaded bands (a run's end and its
// drain). Nothing is loaded from the network: Assets inlines the library.
//
// A page calls Chart.HTML for each chart where it should appear and puts
// Assets once after the last one (before </body>):
//
//	c := chart.Chart{Title: "Requests per second", X: chart.Axis{Unit: chart.Clock},
//		Y: chart.Axis{Unit: chart.PerSecond}, Xs: xs,
//		Series: []chart.Series{{Label: "requests/s", Values: ys}}}
//	page := c.HTML() + chart.Assets()
//
// Without JavaScript, each chart shows its title and a note instead.
package chart

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Unit says how values on an axis are formatted.
type Unit string

// Units.
const (
	Seconds   Unit = "s"     // a duration: 850µs, 12.3ms, 1.45s, 2m05s
	Clock     Unit = "clock" // time since a start, ticks at round steps: 0s, 15s, 1m, 1m30s
	Count     Unit = "count" // a plain number: 12, 1.2k
	PerSecond Unit = "rate"  // a number per second: 12.5/s
	Ratio     Unit = "ratio" // a fraction shown as a percentage: 0.125 → 12.5%
)

// Style is how a chart's series are drawn.
type Style string

// Styles.
const (
	Lines Style = "line" // lines through the points; NaN leaves a gap
	Bars  Style = "bars" // a histogram: bar i spans Xs[i] to Xs[i+1] (the last one as wide as the one before)
	Steps Style = "step" // a stepped line, each value held until the next x
)

// Axis is an axis's unit and title.
type Axis struct {
	Unit  Unit   `json:"unit"`
	Label string `json:"label,omitempty"`
}

// Series is one data series of a chart, drawn in the chart's Style: a line,
// bars or steps. Values are aligned with Chart.Xs; NaN is a missing value.
type Series struct {
	Label  string  `json:"label"`
	Color  string  `json:"color,omitempty"` // CSS colour; "" picks one from the palette
	Dash   bool    `json:"dash,omitempty"`  // a dashed line (a target, a baseline)
	Values Values  `json:"values"`
	Width  float64 `json:"width,omitempty"` // line width in CSS pixels (default 1.75)
}

// Mark is a vertical line at X with a label, such as the end of a run.
type Mark struct {
	X     float64 `json:"x"`
	Label string  `json:"label"`
}

// Band is a shaded span of X with a label, such as a run's drain.
type Band struct {
	From  float64 `json:"from"`
	To    float64 `json:"to"`
	Label string  `json:"label"`
}

// Chart is one chart. The zero Style draws lines.
type Chart struct {
	Title  string    `json:"title"`
	Style  Style     `json:"kind,omitempty"`
	X      Axis      `json:"x"`
	Y      Axis      `json:"y"`
	Xs     []float64 `json:"xs"`
	Series []Series  `json:"series"`
	Marks  []Mark    `json:"marks,omitempty"`
	Bands  []Band    `json:"bands,omitempty"`
	// Sync names a group of charts whose cursors move together (charts
	// over the same time axis); "" for none.
	Sync string `json:"sync,omitempty"`
	// Span draws lines across missing values instead of leaving gaps (for
	// overlays whose series have values at different xs).
	Span bool `json:"span,omitempty"`
	// Height in CSS pixels (default 260).
	Height int `json:"height,omitempty"`
}

// Values is a series' values; NaN and ±Inf encode as null (missing).
type Values []float64

// MarshalJSON writes the values with null for NaN and ±Inf.
func (v Values) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 8*len(v)+2)
	b = append(b, '[')
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			b = append(b, "null"...)
			continue
		}
		b = fmt.Appendf(b, "%.6g", x)
	}
	return append(b, ']'), nil
}

// UnmarshalJSON reads values written by MarshalJSON (null as NaN).
func (v *Values) UnmarshalJSON(b []byte) error {
	var ps []*float64
	if err := json.Unmarshal(b, &ps); err != nil {
		return err
	}
	*v = make(Values, len(ps))
	for i, p := range ps {
		(*v)[i] = math.NaN()
		if p != nil {
			(*v)[i] = *p
		}
	}
	return nil
}

// HTML returns the chart's placeholder: a figure with its title and its data
// as JSON, which the script of Assets turns into a chart.
func (c *Chart) HTML() (template.HTML, error) {
	data, err := json.Marshal(c) // escapes <, > and &, so the data cannot end the script element
	if err != nil {
		return "", fmt.Errorf("chart: %q: %w", c.Title, err)
	}
	var b strings.Builder
	b.WriteString(`<figure class="lg-chart">`)
	fmt.Fprintf(&b, `<figcaption>%s</figcaption>`, html.EscapeString(c.Title))
	b.WriteString(`<noscript><p class="lg-chart-note">Charts need JavaScript; the tables hold the same figures.</p></noscript>`)
	b.WriteString(`<script type="application/json" class="lg-chart-data">`)
	b.Write(data)
	b.WriteString(`</script></figure>`)
	return template.HTML(b.String()), nil // escaped text and HTML-safe JSON only
}

//go:embed uplot/uPlot.iife.min.js
var uplotJS string

//go:embed uplot/uPlot.min.css
var uplotCSS string

//go:embed chart.js
var chartJS string

//go:embed chart.css
var chartCSS string

// Assets returns the styles and scripts that draw every chart placeholder
// of the page: uPlot itself and the glue, inline. Put it once, after the
// last chart.
func Assets() template.HTML {
	var b strings.Builder
	b.WriteString("<style>\n")
	b.WriteString(uplotCSS)
	b.WriteString("\n")
	b.WriteString(chartCSS)
	b.WriteString("</style>\n<script>\n")
	b.WriteString(uplotJS)
	b.WriteString("\n</script>\n<script>\n")
	b.WriteString(chartJS)
	b.WriteString("</script>\n")
	return template.HTML(b.String()) // our own vendored files, verbatim
}
