package transcripts_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/transcripts"
)

func TestWriterRoundTrip(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 5, time.UTC)
	in := []*transcripts.Conversation{
		{ID: "a", Subject: "Order <1>", Email: "ann@example.com", Messages: []transcripts.Message{
			{Role: transcripts.User, Content: "Hi \"there\"\nline two", At: t0},
			{Role: transcripts.Assistant, Content: "Hello & welcome", At: t0.Add(time.Second)},
		}},
		{ID: "b", Messages: []transcripts.Message{{Role: transcripts.User, Content: "ünïcode", At: t0.Add(time.Minute)}}},
	}
	var buf bytes.Buffer
	w := transcripts.NewWriter(&buf)
	for _, c := range in {
		if err := w.Write(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"subject":"Order <1>"`) {
		t.Errorf("written JSONL escapes HTML:\n%s", buf.String())
	}
	r := transcripts.NewReader(&buf, transcripts.FormatJSONL)
	for i, want := range in {
		got, err := r.Next()
		if err != nil {
			t.Fatalf("Next() #%d: %v", i, err)
		}
		for j := range got.Messages {
			got.Messages[j].Line = 0
		}
		got.Index, got.Line = 0, 0
		if !reflect.DeepEqual(got, want) {
			t.Errorf("read back #%d:\n got %+v\nwant %+v", i, got, want)
		}
	}
}

func TestWriterNeedsIDAndTimes(t *testing.T) {
	w := transcripts.NewWriter(new(bytes.Buffer))
	if err := w.Write(&transcripts.Conversation{}); err == nil {
		t.Errorf("Write(conversation without ID) = nil, want an error")
	}
	err := w.Write(&transcripts.Conversation{ID: "x", Messages: []transcripts.Message{{Role: transcripts.User, Content: "a"}}})
	if err == nil {
		t.Errorf("Write(message without time) = nil, want an error")
	}
}
