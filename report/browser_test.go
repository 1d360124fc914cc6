package report_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/internal/headless"
	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/results/resultstest"
)

// TestHTMLInChromium opens the HTML report of one run and the overlay of two
// in headless Chromium with the network cut off (see internal/headless):
// every chart initialises, the page requests nothing but itself, no script
// fails, and hovering a chart shows its values. With LOADGEN_SCREENSHOT set
// to a path, it also writes a screenshot of the one-run page there, of the
// summary JSON at LOADGEN_SCREENSHOT_SUMMARY when set (docs/html-report.png:
// loadgen demo --summary-json /tmp/demo.json, then
// LOADGEN_SCREENSHOT_SUMMARY=/tmp/demo.json LOADGEN_SCREENSHOT=$PWD/docs/html-report.png
// go test ./report -run Chromium).
func TestHTMLInChromium(t *testing.T) {
	b := headless.StartForTest(t)

	one := testSummary(t)
	if path := os.Getenv("LOADGEN_SCREENSHOT_SUMMARY"); path != "" {
		s, _, err := report.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		one = s
	}
	two := report.Build(results.Run{ID: "run-b", Scenario: "demo", Start: resultstest.T0.Add(time.Hour), Duration: 10 * time.Second},
		testSnapshot(resultstest.Config{Seed: 12, Sessions: 150, Rate: 15, Start: resultstest.T0.Add(time.Hour), TTFT: 140 * time.Millisecond}))
	var single, overlay bytes.Buffer
	if err := report.WriteHTML(&single, one); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteHTMLRuns(&overlay, []*report.Summary{one, two}, []string{"before", "after"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		page []byte
	}{{"one run", single.Bytes()}, {"two runs", overlay.Bytes()}} {
		t.Run(tc.name, func(t *testing.T) {
			checkSelfContained(t, string(tc.page), one.Target)
			p, url := headless.OpenForTest(t, b, tc.page, 1200)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var state struct {
				Charts   string
				Figures  int
				Canvases int
			}
			if err := p.Eval(ctx, `({Charts: document.documentElement.getAttribute("data-charts"),
				Figures: document.querySelectorAll("figure.lg-chart").length,
				Canvases: document.querySelectorAll("figure.lg-chart .uplot canvas").length})`, &state); err != nil {
				t.Fatal(err)
			}
			t.Logf("%+v", state)
			if want := fmt.Sprintf("%d/%d", state.Figures, state.Figures); state.Figures < 6 || state.Charts != want || state.Canvases != state.Figures {
				t.Errorf("charts: %+v; want at least 6 figures, all initialised, one canvas each (errors %q)", state, p.Errors())
			}
			// Wide tables scroll in their own box: the page never scrolls sideways.
			var widths struct{ Page, Window int }
			if err := p.Eval(ctx, `({Page: document.documentElement.scrollWidth, Window: document.documentElement.clientWidth})`, &widths); err != nil {
				t.Fatal(err)
			}
			if widths.Page > widths.Window {
				t.Errorf("the page is %d px wide in a %d px window: it scrolls sideways", widths.Page, widths.Window)
			}
			if reqs := p.Requests(); len(reqs) != 1 || reqs[0] != url {
				t.Errorf("the page requested %q, want only itself (%s)", reqs, url)
			}
			// Hover the first time chart: its legend shows values.
			var box struct{ X, Y, W, H float64 }
			if err := p.Eval(ctx, `(() => { const o = document.querySelector("figure.lg-chart .u-over");
				o.scrollIntoView(); const r = o.getBoundingClientRect(); return {X: r.x, Y: r.y, W: r.width, H: r.height}; })()`, &box); err != nil {
				t.Fatal(err)
			}
			if err := p.Mouse(ctx, "mouseMoved", box.X+box.W/3, box.Y+box.H/2); err != nil {
				t.Fatal(err)
			}
			var legend []string
			if err := p.Eval(ctx, `new Promise(r => requestAnimationFrame(() => r(
				[...document.querySelector("figure.lg-chart").querySelectorAll(".u-legend .u-value")].map(v => v.textContent))))`, &legend); err != nil {
				t.Fatal(err)
			}
			if len(legend) < 2 || strings.Contains(strings.Join(legend, ""), "-") && !strings.ContainsAny(strings.Join(legend[1:], ""), "0123456789") {
				t.Errorf("legend while hovering = %q, want values", legend)
			}
			t.Logf("legend while hovering: %q", legend)
			if errs := p.Errors(); len(errs) > 0 {
				t.Errorf("script errors: %q", errs)
			}
			if out := os.Getenv("LOADGEN_SCREENSHOT"); out != "" && tc.name == "one run" {
				png, err := p.Screenshot(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(out, png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
