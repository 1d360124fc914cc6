package chart_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/internal/chart"
	"github.com/loadgen/loadgen/internal/headless"
)

func TestVendoredUPlotIsUnmodified(t *testing.T) {
	for file, want := range map[string]string{
		"uplot/uPlot.iife.min.js": "19c8d4c6ad88929a79f4ae49d6f7161566dfd0ba3d15cc495e974f787eb78f1f",
		"uplot/uPlot.min.css":     "df630c6a8d6f8eeaff264b50f73ce5b114f646ffd9a0bb74f049b0a00135fa04",
	} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Errorf("sha256(%s) = %s, want %s (see uplot/README.md)", file, got, want)
		}
	}
}

func TestValuesJSON(t *testing.T) {
	v := chart.Values{1, math.NaN(), 0.25, math.Inf(1), 1e-7}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), "[1,null,0.25,null,1e-07]"; got != want {
		t.Errorf("json.Marshal(%v) = %s, want %s", v, got, want)
	}
	var back chart.Values
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if len(back) != 5 || back[0] != 1 || !math.IsNaN(back[1]) || !math.IsNaN(back[3]) || back[4] != 1e-7 {
		t.Errorf("round trip of %s = %v", b, back)
	}
}

func TestHTMLEscapesTheData(t *testing.T) {
	c := chart.Chart{Title: "<b>x</b>", Xs: []float64{0}, Series: []chart.Series{{Label: "</script><script>alert(1)</script>", Values: chart.Values{1}}}}
	h, err := c.HTML()
	if err != nil {
		t.Fatal(err)
	}
	if s := string(h); strings.Contains(s, "<b>") || strings.Count(s, "</script>") != 1 {
		t.Errorf("chart HTML does not escape its title and data:\n%s", s)
	}
}

// testPage is a page with two synchronised line charts and a bar chart.
func testPage(t *testing.T) []byte {
	t.Helper()
	xs := []float64{0.5, 1.5, 2.5, 3.5, 4.5, 5.5}
	charts := []chart.Chart{
		{Title: "Requests per second", X: chart.Axis{Unit: chart.Clock}, Y: chart.Axis{Unit: chart.PerSecond}, Xs: xs, Sync: "time",
			Series: []chart.Series{{Label: "requests/s", Values: chart.Values{1, 4, 9, 8, 3, 0}},
				{Label: "target", Dash: true, Values: chart.Values{2, 4, 8, 8, 0, 0}}},
			Marks: []chart.Mark{{X: 4, Label: "duration ended"}}, Bands: []chart.Band{{From: 4, To: 6, Label: "drain"}}},
		{Title: "TTFT p95", X: chart.Axis{Unit: chart.Clock}, Y: chart.Axis{Unit: chart.Seconds}, Xs: xs, Sync: "time",
			Series: []chart.Series{{Label: "p95", Values: chart.Values{0.2, 0.35, math.NaN(), 1.2, 0.9, math.NaN()}}}},
		{Title: "TTFT distribution", Style: chart.Bars, X: chart.Axis{Unit: chart.Seconds}, Y: chart.Axis{Unit: chart.Count},
			Xs: []float64{0, 0.1, 0.2, 0.3}, Series: []chart.Series{{Label: "messages", Values: chart.Values{3, 10, 4, 1}}}},
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html><head><meta charset=utf-8><title>t</title></head><body>")
	for i := range charts {
		h, err := charts[i].HTML()
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(string(h))
	}
	b.WriteString(string(chart.Assets()))
	b.WriteString("</body></html>")
	return []byte(b.String())
}

// TestChartsInChromium loads a page of charts in headless Chromium with the
// network cut off: every chart initialises, the page requests nothing but
// itself, no script fails, and hovering a chart shows its values in the
// legend of that chart and of the chart synchronised with it.
func TestChartsInChromium(t *testing.T) {
	b := headless.StartForTest(t)
	p, url := headless.OpenForTest(t, b, testPage(t), 1000)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	var ready string
	if err := p.Eval(ctx, `document.documentElement.getAttribute("data-charts")`, &ready); err != nil {
		t.Fatal(err)
	}
	if ready != "3/3" {
		t.Errorf("charts initialised: %q, want 3/3; errors: %q", ready, p.Errors())
	}
	var canvases int
	if err := p.Eval(ctx, `document.querySelectorAll("figure.lg-chart .uplot canvas").length`, &canvases); err != nil {
		t.Fatal(err)
	}
	if canvases != 3 {
		t.Errorf("%d chart canvases, want 3", canvases)
	}
	if reqs := p.Requests(); len(reqs) != 1 || reqs[0] != url {
		t.Errorf("the page requested %q, want only itself (%s)", reqs, url)
	}

	// Hover the middle of the first chart: the legends of both synchronised
	// charts show the values under the cursor.
	var box struct{ X, Y, W, H float64 }
	if err := p.Eval(ctx, `(() => { const r = document.querySelector("figure.lg-chart .u-over").getBoundingClientRect();
		return {X: r.x, Y: r.y, W: r.width, H: r.height}; })()`, &box); err != nil {
		t.Fatal(err)
	}
	if err := p.Mouse(ctx, "mouseMoved", box.X+box.W*0.25, box.Y+box.H/2); err != nil {
		t.Fatal(err)
	}
	var legends [][]string
	if err := p.Eval(ctx, `new Promise(r => requestAnimationFrame(() => r(
		[...document.querySelectorAll("figure.lg-chart")].slice(0, 2).map(f =>
			[...f.querySelectorAll(".u-legend .u-series")].map(s => s.textContent)))))`, &legends); err != nil {
		t.Fatal(err)
	}
	t.Logf("legends while hovering: %q", legends)
	if len(legends) != 2 || len(legends[0]) != 3 || len(legends[1]) != 2 {
		t.Fatalf("legends = %q, want 3 and 2 entries", legends)
	}
	for i, want := range []string{"requests/s4/s", "p95350ms"} {
		// x = 1.5 s is the second point: 4 requests/s, TTFT p95 350 ms.
		if got := strings.Join(strings.Fields(legends[i][1]), ""); got != want {
			t.Errorf("chart %d legend while hovering = %q, want %q", i, got, want)
		}
	}
	if errs := p.Errors(); len(errs) > 0 {
		t.Errorf("script errors: %q", errs)
	}
}

// TestIsolatedPointsShow: a value with no neighbour to draw a line to (a
// run shorter than one interval, a step seen in one interval only) is
// drawn as a dot, not left out of the chart.
func TestIsolatedPointsShow(t *testing.T) {
	b := headless.StartForTest(t)
	charts := []chart.Chart{
		{Title: "one interval", X: chart.Axis{Unit: chart.Clock}, Y: chart.Axis{Unit: chart.PerSecond}, Xs: []float64{0.5},
			Series: []chart.Series{{Label: "requests/s", Color: "#ff0000", Values: chart.Values{23}}}},
		{Title: "one value between gaps", X: chart.Axis{Unit: chart.Clock}, Y: chart.Axis{Unit: chart.Seconds}, Xs: []float64{0.5, 1.5, 2.5},
			Series: []chart.Series{{Label: "react p95", Color: "#ff0000", Values: chart.Values{math.NaN(), 0.002, math.NaN()}}}},
	}
	var page strings.Builder
	page.WriteString("<!DOCTYPE html><html><head><meta charset=utf-8><title>t</title></head><body>")
	for i := range charts {
		h, err := charts[i].HTML()
		if err != nil {
			t.Fatal(err)
		}
		page.WriteString(string(h))
	}
	page.WriteString(string(chart.Assets()) + "</body></html>")
	p, _ := headless.OpenForTest(t, b, []byte(page.String()), 800)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Red pixels on each chart's canvas: the series' own colour.
	var red []int
	if err := p.Eval(ctx, `new Promise(r => requestAnimationFrame(() => r([...document.querySelectorAll("figure.lg-chart .uplot canvas")].map(c => {
		const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
		let n = 0;
		for (let i = 0; i < d.length; i += 4) if (d[i] > 200 && d[i+1] < 80 && d[i+2] < 80 && d[i+3] > 200) n++;
		return n;
	}))))`, &red); err != nil {
		t.Fatal(err)
	}
	if len(red) != 2 || red[0] == 0 || red[1] == 0 {
		t.Errorf("red pixels on the canvases = %v, want some on both (errors %q)", red, p.Errors())
	}
}
