package sweep

import (
	"cmp"
	_ "embed"
	"html/template"
	"io"
	"math"
	"slices"

	"github.com/loadgen/loadgen/internal/chart"
)

//go:embed sweep.html.tmpl
var pageTemplate string

var page = template.Must(template.New("sweep").Funcs(template.FuncMap{
	"rate": rate, "pct": pct, "dur": dur, "users": users,
}).Parse(pageTemplate))

// WriteHTML writes the sweep as one self-contained page: the answers, the
// charts (latency and attainment by load with the objectives and the
// answers' intervals; offered against achieved and good load, y = x and the
// capacity), and every probe. sloTTFT is the TTFT objective drawn on the
// latency chart (0: none).
func WriteHTML(w io.Writer, r *Report, sloTTFT float64) error {
	charts, err := chartsOf(r, sloTTFT)
	if err != nil {
		return err
	}
	return page.Execute(w, struct {
		R      *Report
		Charts []template.HTML
		Assets template.HTML
	}{r, charts, chart.Assets()})
}

// searchProbes returns the probes of the load search (the control's), by load.
func searchProbes(r *Report) []Probe {
	var ps []Probe
	for _, p := range r.Probes {
		if p.Control == r.Control && p.Measured > 0 && p.Kind != "ramp" && p.Kind != "saturation" {
			ps = append(ps, p)
		}
	}
	slices.SortStableFunc(ps, func(a, b Probe) int { return cmp.Compare(a.Load, b.Load) })
	// Probes at (nearly) one load are one point, pooled by messages, as the
	// search pools them: a line does not zigzag between them.
	var out []Probe
	for _, p := range ps {
		if n := len(out); n > 0 && p.Load-out[n-1].Load <= 0.005*p.Load {
			out[n-1] = pool(out[n-1], p)
			continue
		}
		out = append(out, p)
	}
	return out
}

// pool merges two probes at one load, weighting by messages measured.
func pool(a, b Probe) Probe {
	wa, wb := float64(a.Measured), float64(b.Measured)
	mean := func(x, y float64) float64 { return (wa*x + wb*y) / (wa + wb) }
	a.Load = mean(a.Load, b.Load)
	a.Achieved, a.Good, a.Attainment = mean(a.Achieved, b.Achieved), mean(a.Good, b.Good), mean(a.Attainment, b.Attainment)
	a.TTFTp50, a.TTFTp95, a.TTFTp99 = mean(a.TTFTp50, b.TTFTp50), mean(a.TTFTp95, b.TTFTp95), mean(a.TTFTp99, b.TTFTp99)
	a.Interval = [2]float64{min(a.Interval[0], b.Interval[0]), max(a.Interval[1], b.Interval[1])}
	a.Measured += b.Measured
	return a
}

func chartsOf(r *Report, sloTTFT float64) ([]template.HTML, error) {
	ps := searchProbes(r)
	xs := make([]float64, len(ps))
	col := func(f func(Probe) float64) chart.Values {
		v := make(chart.Values, len(ps))
		for i, p := range ps {
			v[i] = f(p)
		}
		return v
	}
	for i, p := range ps {
		xs[i] = p.Load
	}
	flat := func(y float64) chart.Values {
		v := make(chart.Values, len(ps))
		for i := range v {
			v[i] = y
		}
		return v
	}
	xAxis := chart.Axis{Unit: chart.PerSecond, Label: "offered load, sessions/s"}
	if r.Control == "users" {
		xAxis = chart.Axis{Unit: chart.Count, Label: "users"}
	}
	var marks []chart.Mark
	var bands []chart.Band
	if m := r.SLOMax; m.Found {
		marks = append(marks, chart.Mark{X: m.Rate, Label: "SLO-max (its interval shaded)"})
		bands = append(bands, chart.Band{From: m.Interval[0], To: m.Interval[1]})
	}
	if c := r.Capacity; c.Found && r.Control != "users" {
		marks = append(marks, chart.Mark{X: c.Sessions, Label: "capacity"})
	}
	latency := chart.Chart{Title: "TTFT by load (from the intended start)", X: xAxis, Y: chart.Axis{Unit: chart.Seconds}, Xs: xs,
		Series: []chart.Series{
			{Label: "p50", Values: col(func(p Probe) float64 { return nanIfZero(p.TTFTp50) })},
			{Label: "p95", Values: col(func(p Probe) float64 { return nanIfZero(p.TTFTp95) })},
			{Label: "p99", Values: col(func(p Probe) float64 { return nanIfZero(p.TTFTp99) })},
		}, Marks: marks, Bands: bands}
	if sloTTFT > 0 {
		latency.Series = append(latency.Series, chart.Series{Label: "TTFT objective", Dash: true, Color: "#d23c3c", Values: flat(sloTTFT)})
	}
	attainment := chart.Chart{Title: "Attainment by load, with each probe's interval", X: xAxis, Y: chart.Axis{Unit: chart.Ratio}, Xs: xs,
		Series: []chart.Series{
			{Label: "attainment", Values: col(func(p Probe) float64 { return p.Attainment })},
			{Label: "interval low", Dash: true, Values: col(func(p Probe) float64 { return p.Interval[0] })},
			{Label: "interval high", Dash: true, Values: col(func(p Probe) float64 { return p.Interval[1] })},
			{Label: "target", Dash: true, Color: "#d23c3c", Values: flat(r.Attainment)},
		}, Marks: marks, Bands: bands}
	offered := chart.Chart{Title: "Offered and achieved load", X: xAxis, Y: chart.Axis{Unit: chart.PerSecond, Label: "per second"}, Xs: xs,
		Series: []chart.Series{
			{Label: "achieved sessions/s", Values: col(func(p Probe) float64 { return p.Achieved })},
			{Label: "good messages/s", Values: col(func(p Probe) float64 { return p.Good })},
		}, Marks: marks}
	if r.Control != "users" {
		offered.Series = append(offered.Series, chart.Series{Label: "y = x", Dash: true, Color: "#888888", Values: col(func(p Probe) float64 { return p.Load })})
	}
	if c := r.Capacity; c.Found {
		offered.Series = append(offered.Series, chart.Series{Label: "capacity", Dash: true, Color: "#d23c3c", Values: flat(c.Sessions)})
	}
	var out []template.HTML
	for _, c := range []*chart.Chart{&latency, &attainment, &offered} {
		h, err := c.HTML()
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

func nanIfZero(x float64) float64 {
	if x == 0 {
		return math.NaN()
	}
	return x
}
