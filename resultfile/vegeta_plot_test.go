package resultfile_test

import (
	"bytes"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/resultfile"
	"github.com/loadgen/loadgen/results"
	vegeta "github.com/tsenart/vegeta/v12/lib"
	"github.com/tsenart/vegeta/v12/lib/plot"
)

// vegetaPlot does what `vegeta plot` does with a results file: decode every
// result and add it to a plot (vegeta's own lib/plot, the code of its plot
// command), then render it.
func vegetaPlot(t *testing.T, encoded []byte) error {
	t.Helper()
	dec := vegeta.DecoderFor(bytes.NewReader(encoded))
	if dec == nil {
		t.Fatal("vegeta.DecoderFor does not recognise the output")
	}
	p := plot.New(plot.Title("loadgen"), plot.Downsample(4000))
	for {
		var r vegeta.Result
		if err := dec.Decode(&r); err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		if err := p.Add(&r); err != nil {
			return err
		}
	}
	p.Close()
	var html bytes.Buffer
	if _, err := p.WriteTo(&html); err != nil {
		return err
	}
	if !strings.Contains(html.String(), "<html") {
		t.Errorf("vegeta plot wrote no HTML page")
	}
	return nil
}

// Steps end in another order than they were sent (a slow message sent
// first ends after quick ones sent later). vegeta plot reads results by
// their Seq and needs send times in that order; loadgen numbered them as
// they ended, and vegeta plot failed with "non monotonically increasing
// timestamp".
func TestVegetaPlotReadsOurOutput(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	var sent []*results.Result
	for i := range 2000 {
		sent = append(sent, &results.Result{
			Step: results.StepMessage, Code: 200,
			Start:   t0.Add(time.Duration(i) * 5 * time.Millisecond),
			Latency: time.Duration(rng.IntN(3000)) * time.Millisecond,
		})
	}
	ended := append([]*results.Result(nil), sent...)
	slicesSortByEnd(ended)

	// What loadgen wrote before: numbered as the steps ended. vegeta plot
	// refuses it, which shows the check below can fail.
	var old bytes.Buffer
	enc := vegeta.NewEncoder(&old)
	for i, r := range ended {
		vr := resultfile.ToVegeta(r, "demo", uint64(i), "")
		if err := enc.Encode(&vr); err != nil {
			t.Fatal(err)
		}
	}
	if err := vegetaPlot(t, old.Bytes()); err == nil || !strings.Contains(err.Error(), "non monotonically increasing timestamp") {
		t.Errorf("vegeta plot of results numbered as they ended: %v, want its timestamp error", err)
	}

	for _, window := range []time.Duration{resultfile.DefaultVegetaWindow, 4 * time.Second, 0} {
		var buf bytes.Buffer
		w := resultfile.NewVegetaWriter(&buf, "demo", "http://127.0.0.1:8080", resultfile.WithVegetaWindow(window))
		for _, r := range ended {
			w.Record(r)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if n := w.Late(); n != 0 {
			t.Errorf("window %v: %d late results, want 0 (no step is longer than 3 s)", window, n)
		}
		if err := vegetaPlot(t, buf.Bytes()); err != nil {
			t.Errorf("window %v: vegeta plot: %v", window, err)
		}
	}
}

// A result later than the window is still written, with its time moved up
// to keep the order vegeta plot needs, and counted.
func TestVegetaWriterLateResult(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	w := resultfile.NewVegetaWriter(&buf, "demo", "", resultfile.WithVegetaWindow(time.Second))
	w.Record(&results.Result{Step: results.StepSession, Start: t0.Add(10 * time.Second), Latency: time.Millisecond})
	w.Record(&results.Result{Step: results.StepSession, Start: t0.Add(20 * time.Second), Latency: time.Millisecond})
	w.Record(&results.Result{Step: results.StepMessage, Start: t0, Latency: 30 * time.Second}) // sent first, ended last
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Late() != 1 {
		t.Errorf("Late() = %d, want 1", w.Late())
	}
	if err := vegetaPlot(t, buf.Bytes()); err != nil {
		t.Errorf("vegeta plot: %v", err)
	}
}

func slicesSortByEnd(rs []*results.Result) {
	slices.SortStableFunc(rs, func(a, b *results.Result) int {
		return a.Start.Add(a.Latency).Compare(b.Start.Add(b.Latency))
	})
}
