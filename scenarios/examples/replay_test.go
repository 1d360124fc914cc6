package examples_test

import (
	"errors"
	"io"
	"testing"

	"github.com/loadgen/loadgen/scenarios"
	"github.com/loadgen/loadgen/scenarios/examples"
)

func TestReplayTranscriptIsEmbeddedAndClean(t *testing.T) {
	s, err := examples.Load("replay.yaml", scenarios.WithLookupEnv(noEnv))
	if err != nil {
		t.Fatal(err)
	}
	tr := s.Conversations[0].Transcript
	if tr == nil {
		t.Fatal("replay.yaml: the conversation has no transcript")
	}
	r, c, err := tr.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	convs, users := 0, 0
	for {
		conv, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		convs++
		users += len(conv.Turns())
	}
	if convs != 5 || users != 11 || r.Skipped() != 0 {
		t.Errorf("data/support.jsonl: %d conversations, %d user messages, %d skipped; want 5, 11, 0", convs, users, r.Skipped())
	}
}
