package report_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/results/resultstest"
	"github.com/loadgen/loadgen/stats"
)

func TestReplayComparesWithRecordedReplies(t *testing.T) {
	s := stats.New()
	s.SessionStarted("replay")
	for _, r := range []*results.Result{
		{Step: results.StepMessage, Start: resultstest.T0, Code: 200, Chars: 30, RefChars: 60},
		{Step: results.StepMessage, Start: resultstest.T0, Code: 200, Chars: 45, RefChars: 40},
		{Step: results.StepMessage, Start: resultstest.T0, Code: 200, Chars: 10}, // written turn
	} {
		s.Record(r)
	}
	sum := report.Build(testRun, s.Snapshot())
	want := report.Replay{Replies: 2, Chars: 75, RefChars: 100, LengthRatio: 0.75}
	if sum.Replay == nil || *sum.Replay != want {
		t.Fatalf("Build(...).Replay = %+v, want %+v", sum.Replay, want)
	}
	var text bytes.Buffer
	if err := report.WriteText(&text, sum); err != nil {
		t.Fatal(err)
	}
	if line := "replayed  2 replies to turns with a recorded reply: 75 characters, 100 recorded (length ratio 0.75)"; !strings.Contains(text.String(), line) {
		t.Errorf("WriteText output lacks %q:\n%s", line, text.String())
	}
	var js bytes.Buffer
	if err := report.WriteJSON(&js, sum); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Replay *report.Replay `json:"replay"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil || doc.Replay == nil || *doc.Replay != want {
		t.Errorf("JSON replay = %+v (%v), want %+v", doc.Replay, err, want)
	}
	if plain := report.Build(testRun, testSnapshot(resultsConfigSmall)); plain.Replay != nil {
		t.Errorf("a run without replayed turns has Replay %+v, want nil (left out of the JSON)", plain.Replay)
	}
}
