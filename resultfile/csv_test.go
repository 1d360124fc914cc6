package resultfile_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"testing"
	"time"

	"github.com/loadgen/loadgen/resultfile"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/results/resultstest"
	"github.com/loadgen/loadgen/stats"
)

func TestCSVWriter(t *testing.T) {
	var b bytes.Buffer
	w := resultfile.NewCSVWriter(&b, "run-1", results.StepMessage)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	w.Record(&results.Result{Step: results.StepSession, Start: t0}) // filtered out
	w.Record(&results.Result{Shard: 1, User: 7, Session: 9, Conversation: "faq, \"quoted\"", Turn: 2, Step: results.StepMessage,
		Intended: t0, Start: t0.Add(50 * time.Millisecond), Wait: time.Millisecond, Code: 200,
		Latency: 1500 * time.Millisecond, TTFB: 300 * time.Millisecond, TTFT: 400 * time.Millisecond,
		Tokens: 12, Parts: 12, Chars: 60, BytesIn: 900, BytesOut: 80, Shape: "model", Good: true})
	w.Record(&results.Result{Step: results.StepMessage, Start: t0, Error: "timeout", Detail: "secret-ish detail"})
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || !slices.Equal(rows[0], resultfile.CSVHeader) {
		t.Fatalf("rows = %q, want the header and 2 message rows", rows)
	}
	want := []string{"2026-03-01T12:00:00.05Z", "run-1", "1", "7", "9", "faq, \"quoted\"", "2", "message", "200", "",
		"1.5", "1.55", "0.05", "0.001", "0.3", "0.4", "12", "12", "60", "900", "80", "model", "0", "true"}
	if !slices.Equal(rows[1], want) {
		t.Errorf("row = %q\nwant  %q", rows[1], want)
	}
	if rows[2][9] != "timeout" || slices.Contains(rows[2], "secret-ish detail") {
		t.Errorf("failed row = %q, want kind timeout and no detail", rows[2])
	}
}

func TestCSVWriterWritesEveryResult(t *testing.T) {
	var b bytes.Buffer
	w := resultfile.NewCSVWriter(&b, "r")
	s := stats.New()
	evs := resultstest.Generate(resultstest.Config{Seed: 3, Sessions: 20, Rate: 10})
	resultstest.Replay(w, evs)
	resultstest.Replay(s, evs)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	for _, st := range s.Snapshot().Steps {
		want += st.Count
	}
	if int64(len(rows)-1) != want {
		t.Errorf("%d CSV rows, want %d (one per result)", len(rows)-1, want)
	}
}

// TestCSVGoodOfAsyncMessages: an async message's verdict against the SLO is
// on its ack step (the poll is only the wait), so the CSV's good column
// has it there, as for a streamed message; other steps leave it empty.
func TestCSVGoodOfAsyncMessages(t *testing.T) {
	var b bytes.Buffer
	w := resultfile.NewCSVWriter(&b, "r")
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, r := range []results.Result{
		{Step: results.StepAck, Start: t0, Code: 200, Good: true},
		{Step: results.StepAck, Start: t0, Code: 200},
		{Step: results.StepPoll, Start: t0, Code: 200},
		{Step: results.StepSession, Start: t0, Code: 200},
	} {
		w.Record(&r)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(resultfile.CSVHeader, "good")
	var got []string
	for _, row := range rows[1:] {
		got = append(got, row[col])
	}
	if want := []string{"true", "false", "", ""}; !slices.Equal(got, want) {
		t.Errorf("good column of ack, ack, poll, session = %q, want %q", got, want)
	}
}
