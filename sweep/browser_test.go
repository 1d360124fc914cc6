package sweep_test

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/loadgen/loadgen/internal/headless"
	"github.com/loadgen/loadgen/sweep"
)

// TestHTMLInChromium opens a sweep's page in headless Chromium with the
// network cut off: its three charts initialise, it requests nothing but
// itself and no script fails. For the README's screenshot:
// LOADGEN_SWEEP_JSON=sweep.json LOADGEN_SCREENSHOT=$PWD/docs/sweep.png
// go test ./sweep -run Chromium (the page of that sweep, 1200 px wide).
func TestHTMLInChromium(t *testing.T) {
	b := headless.StartForTest(t)
	r := sample()
	if path := os.Getenv("LOADGEN_SWEEP_JSON"); path != "" {
		var err error
		if r, err = sweep.ReadReport(path); err != nil {
			t.Fatal(err)
		}
	}
	var page bytes.Buffer
	if err := sweep.WriteHTML(&page, r, 0.025); err != nil {
		t.Fatal(err)
	}
	p, url := headless.OpenForTest(t, b, page.Bytes(), 1200)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var state struct {
		Charts   string
		Canvases int
	}
	if err := p.Eval(ctx, `({Charts: document.documentElement.getAttribute("data-charts"),
		Canvases: document.querySelectorAll("figure.lg-chart .uplot canvas").length})`, &state); err != nil {
		t.Fatal(err)
	}
	if state.Charts != "3/3" || state.Canvases != 3 {
		t.Errorf("charts %+v, want 3/3 initialised with a canvas each (errors %q)", state, p.Errors())
	}
	if reqs := p.Requests(); len(reqs) != 1 || reqs[0] != url {
		t.Errorf("the page requested %q, want only itself", reqs)
	}
	if errs := p.Errors(); len(errs) > 0 {
		t.Errorf("script errors: %q", errs)
	}
	if out := os.Getenv("LOADGEN_SCREENSHOT"); out != "" {
		png, err := p.Screenshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
