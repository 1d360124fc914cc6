package resultfile_test

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/loadgen/loadgen/resultfile"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/results/resultstest"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func TestVegetaDecoderReadsOurOutput(t *testing.T) {
	evs := resultstest.Generate(resultstest.Config{Seed: 2, Sessions: 30, Rate: 10})
	var buf bytes.Buffer
	w := resultfile.NewVegetaWriter(&buf, "demo", "http://u:p@127.0.0.1:8080/?k=v")
	var want []*results.Result
	for _, e := range evs {
		if e.Result != nil {
			w.Record(e.Result)
			want = append(want, e.Result)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// Written in send order (the order vegeta numbers requests in).
	slices.SortStableFunc(want, func(a, b *results.Result) int { return a.Start.Compare(b.Start) })
	if strings.Contains(buf.String(), "u:p") || strings.Contains(buf.String(), "k=v") {
		t.Error("vegeta output holds the target's credentials")
	}

	// vegeta's own decoder, as `vegeta report` picks it.
	dec := vegeta.DecoderFor(bytes.NewReader(buf.Bytes()))
	if dec == nil {
		t.Fatal("vegeta.DecoderFor does not recognise our output")
	}
	var m vegeta.Metrics
	for i := 0; ; i++ {
		var got vegeta.Result
		err := dec.Decode(&got)
		if err == io.EOF {
			if i != len(want) {
				t.Fatalf("vegeta decoded %d results, want %d", i, len(want))
			}
			break
		}
		if err != nil {
			t.Fatalf("vegeta decode of result %d: %v", i, err)
		}
		r := want[i]
		if got.Seq != uint64(i) || got.Attack != "demo" || int(got.Code) != r.Code || got.Latency != r.Latency ||
			!got.Timestamp.Equal(r.Start) || got.BytesIn != uint64(r.BytesIn) || got.BytesOut != uint64(r.BytesOut) ||
			(got.Error != "") != (r.Error != "") {
			t.Errorf("result %d = %+v, want one made from %+v", i, got, r)
		}
		if !strings.HasPrefix(got.URL, "http://127.0.0.1:8080/api/") || got.Method == "" {
			t.Errorf("result %d: %s %s, want a method and a URL under the target", i, got.Method, got.URL)
		}
		m.Add(&got)
	}
	m.Close()
	// What `vegeta report` prints.
	var rep bytes.Buffer
	if err := vegeta.NewTextReporter(&m).Report(&rep); err != nil || !strings.Contains(rep.String(), "Requests") {
		t.Errorf("vegeta text report: %v\n%s", err, rep.String())
	}
	// vegeta's success ratio counts status codes only; our failures (a
	// truncated stream has status 200) show in its error set.
	if m.Requests != uint64(len(want)) || len(m.Errors) == 0 {
		t.Errorf("vegeta metrics: %d requests, errors %q; want %d and some errors", m.Requests, m.Errors, len(want))
	}
}

func TestVegetaWriterFiltersSteps(t *testing.T) {
	var buf bytes.Buffer
	w := resultfile.NewVegetaWriter(&buf, "demo", "", resultfile.WithVegetaSteps(results.StepMessage))
	w.Record(&results.Result{Step: results.StepSession})
	w.Record(&results.Result{Step: results.StepMessage, Code: 200})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	dec := vegeta.NewDecoder(&buf)
	var n int
	for {
		var r vegeta.Result
		if err := dec.Decode(&r); err != nil {
			break
		}
		if r.URL != "/api/chat" {
			t.Errorf("URL = %q, want /api/chat", r.URL)
		}
		n++
	}
	if n != 1 {
		t.Errorf("decoded %d results, want the 1 message step", n)
	}
}
