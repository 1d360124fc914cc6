package scenarios

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/loadgen/loadgen/transcripts"
)

// transcriptFS holds a scenario and transcripts in each format.
func transcriptFS(scenario string) fstest.MapFS {
	return fstest.MapFS{
		"s/s.yaml": {Data: []byte(scenario)},
		"s/data/t.jsonl": {Data: []byte(`{"conversation":"a","role":"user","content":"Hi","at":"2026-03-01T12:00:00Z"}
{"conversation":"a","role":"assistant","content":"Hello","at":"2026-03-01T12:00:02Z"}
`)},
		"s/data/h.json":    {Data: []byte(`[{"slug":"x","messages":[{"role":"user","content":"Hi","createdAt":"2026-03-01T12:00:00Z"}]}]`)},
		"s/data/g.json":    {Data: []byte(`[{"id":"1","conversations":[{"from":"human","value":"Hi"}]}]`)},
		"s/data/bad.jsonl": {Data: []byte("{\"conversation\":\"a\",\"role\":\"bot\"}\n")},
	}
}

func parseTranscript(t *testing.T, src string) (*Scenario, error) {
	t.Helper()
	return LoadFile("s/s.yaml", WithFS(transcriptFS(src)), WithLookupEnv(lookupTestEnv))
}

func TestParseTranscript(t *testing.T) {
	src := head + `users: {returning: 30%}
conversations:
  - name: replay
    subject: Replayed
    transcript:
      file: data/t.jsonl
      timing: original
      speed: 2.5
      max_gap: 30s
      think: {uniform: [1s, 2s]}
      use_email: true
      similarity: 0.2
      strict: true
      on_exhausted: stop
      expect: {status: 200}
  - name: helper
    transcript: {file: data/h.json, format: helper}
  - name: written
    turns: [{message: hi}]
`
	s, err := parseTranscript(t, src)
	if err != nil {
		t.Fatal(err)
	}
	got := s.Conversations[0].Transcript
	want := Transcript{File: "data/t.jsonl", Format: transcripts.FormatJSONL, Timing: TimingOriginal, Start: StartSchedule,
		Speed: 2.5, MaxGap: 30 * time.Second, Think: Think{Kind: ThinkUniform, Min: time.Second, Max: 2 * time.Second},
		UseEmail: true, Similarity: 0.2, Strict: true, OnExhausted: ExhaustedStop, Expect: Expect{Status: 200}}
	got.open, got.startKey = nil, nil
	if got.path != "s/data/t.jsonl" {
		t.Errorf("transcript path = %q, want s/data/t.jsonl (relative to the scenario)", got.path)
	}
	got.path = ""
	if got == nil || got.File != want.File || got.Format != want.Format || got.Timing != want.Timing || got.Start != want.Start ||
		got.Speed != want.Speed || got.MaxGap != want.MaxGap || got.Think != want.Think || got.UseEmail != want.UseEmail ||
		got.Similarity != want.Similarity || !got.Strict || got.OnExhausted != want.OnExhausted || got.Expect.Status != 200 {
		t.Errorf("transcript = %+v\nwant %+v", got, want)
	}
	if s.Conversations[0].Turns != nil {
		t.Errorf("a transcript conversation has turns %v", s.Conversations[0].Turns)
	}
	h := s.Conversations[1].Transcript
	if h.Format != transcripts.FormatHelper || h.Timing != TimingReply || h.Speed != 1 || h.MaxGap != DefaultMaxGap || h.OnExhausted != ExhaustedWrap {
		t.Errorf("defaults: %+v", h)
	}
	if s.Users.Returning != 0.3 {
		t.Errorf("Users.Returning = %v, want 0.3", s.Users.Returning)
	}
	if want := "p: open model, 1/s for 1s, 3 conversations with 1 turn (2 from transcripts)"; s.Summary() != want {
		t.Errorf("Summary() = %q, want %q", s.Summary(), want)
	}
	r, c, err := h.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if conv, err := r.Next(); err != nil || conv.ID != "x" {
		t.Errorf("Open().Next() = %+v, %v; want conversation x", conv, err)
	}
}

func TestParseReplayOriginal(t *testing.T) {
	src := `version: 1
name: p
target: {base_url: "http://127.0.0.1:8080"}
load: {duration: 1m, max_sessions: 10}
conversations:
  - name: window
    transcript: {file: data/t.jsonl, start: original, speed: 10}
`
	s, err := parseTranscript(t, src)
	if err != nil {
		t.Fatal(err)
	}
	if s.Load.Model != Replay || s.Load.Duration != time.Minute || s.Load.MaxSessions != 10 {
		t.Errorf("load = %+v, want the replay model for 1m with max_sessions 10", s.Load)
	}
	if want := "p: replay at the recorded start times for up to 1m, 1 conversation with 0 turns (1 from transcripts)"; s.Summary() != want {
		t.Errorf("Summary() = %q, want %q", s.Summary(), want)
	}
}

func TestTranscriptProblems(t *testing.T) {
	withConv := func(body string) string {
		return head + "conversations:\n  - name: c\n" + body
	}
	tests := []struct {
		name, src string
		want      []string
	}{
		{"turns and transcript", withConv("    turns: [{message: hi}]\n    transcript: {file: data/t.jsonl}\n"),
			[]string{"s/s.yaml:8:5: conversations[0].transcript: turns and transcript are mutually exclusive"}},
		{"no file", withConv("    transcript: {speed: 2}\n"),
			[]string{"s/s.yaml:7:17: conversations[0].transcript.file: missing required field"}},
		{"format unknown from the name", withConv("    transcript: {file: data/h.json}\n"),
			[]string{`s/s.yaml:7:24: conversations[0].transcript.file: cannot tell the format of "data/h.json" from its name (add format: jsonl, helper or sharegpt)`}},
		{"missing file", withConv("    transcript: {file: data/none.jsonl}\n"),
			[]string{"s/s.yaml:7:24: conversations[0].transcript.file: open s/data/none.jsonl: file does not exist"}},
		{"wrong format", withConv("    transcript: {file: data/h.json, format: sharegpt}\n"),
			[]string{`s/s.yaml:7:24: conversations[0].transcript.file: no conversation in s/data/h.json read as format sharegpt (is that the right format?); s/data/h.json: 1 bad record skipped (first: transcripts: s/data/h.json:1: conversations: missing`}},
		{"strict bad record", withConv("    transcript: {file: data/bad.jsonl, strict: true}\n"),
			[]string{`s/s.yaml:7:24: conversations[0].transcript.file: transcripts: s/data/bad.jsonl:1: role: unknown role "bot"`}},
		{"bad values", withConv("    transcript: {file: data/t.jsonl, speed: 0, timing: live, max_gap: 1, similarity: 2, format: csv}\n"),
			[]string{
				"s/s.yaml:7:45: conversations[0].transcript.speed: 0 is out of range",
				`s/s.yaml:7:56: conversations[0].transcript.timing: unknown timing "live" (want reply or original)`,
				`s/s.yaml:7:71: conversations[0].transcript.max_gap: bad duration "1"`,
				"s/s.yaml:7:86: conversations[0].transcript.similarity: 2 is out of range",
				`s/s.yaml:7:97: conversations[0].transcript.format: unknown format "csv" (want jsonl, helper or sharegpt)`,
			}},
		{"original start with a rate", withConv("    transcript: {file: data/t.jsonl, start: original}\n"),
			[]string{"s/s.yaml:7:38: conversations[0].transcript.start: start: original takes the arrivals from the transcript"}},
		{"original start with other conversations", `version: 1
name: p
target: {base_url: "http://127.0.0.1:8080"}
load: {duration: 1s}
conversations:
  - name: c
    transcript: {file: data/t.jsonl, start: original}
  - name: d
    turns: [{message: hi}]
`, []string{"s/s.yaml:7:38: conversations[0].transcript.start: start: original replays the transcript's own arrivals, so its conversation must be the only one (got 2)"}},
		{"original start on sharegpt", `version: 1
name: p
target: {base_url: "http://127.0.0.1:8080"}
load: {duration: 1s}
conversations:
  - name: c
    transcript: {file: data/g.json, format: sharegpt, start: original}
`, []string{"s/s.yaml:7:55: conversations[0].transcript.start: start: original needs times, and sharegpt transcripts have none"}},
		{"on_exhausted with original start", `version: 1
name: p
target: {base_url: "http://127.0.0.1:8080"}
load: {duration: 1s}
conversations:
  - name: c
    transcript: {file: data/t.jsonl, start: original, on_exhausted: wrap}
`, []string{"s/s.yaml:7:55: conversations[0].transcript.on_exhausted: on_exhausted is only for start: schedule"}},
		{"no load model without original start", `version: 1
name: p
target: {base_url: "http://127.0.0.1:8080"}
load: {duration: 1s}
conversations:
  - name: c
    transcript: {file: data/t.jsonl}
`, []string{"s/s.yaml:4:7: load: missing the load model"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseTranscript(t, tc.src)
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Parse error = %v, want an *Error", err)
			}
			msg := err.Error()
			for _, w := range tc.want {
				found := false
				for _, line := range strings.Split(msg, "\n") {
					found = found || strings.HasPrefix(strings.TrimSpace(line), w)
				}
				if !found {
					t.Errorf("error:\n%s\nwant a line starting %q", msg, w)
				}
			}
			if len(perr.Problems) != len(tc.want) {
				t.Errorf("%d problems, want %d:\n%s", len(perr.Problems), len(tc.want), msg)
			}
		})
	}
}

func TestTranscriptGap(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	turn := transcripts.Turn{Message: transcripts.Message{At: t0}, SincePrevious: 40 * time.Second, SinceReply: 10 * time.Second}
	tests := []struct {
		name string
		tr   Transcript
		turn transcripts.Turn
		want time.Duration
	}{
		{"reply", Transcript{Timing: TimingReply, Speed: 1}, turn, 10 * time.Second},
		{"original", Transcript{Timing: TimingOriginal, Speed: 1}, turn, 40 * time.Second},
		{"speed", Transcript{Timing: TimingReply, Speed: 4}, turn, 2500 * time.Millisecond},
		{"slower", Transcript{Timing: TimingReply, Speed: 0.5}, turn, 20 * time.Second},
		{"capped after scaling", Transcript{Timing: TimingOriginal, Speed: 2, MaxGap: 15 * time.Second}, turn, 15 * time.Second},
		{"zero speed is 1", Transcript{Timing: TimingReply}, turn, 10 * time.Second},
		{"no time: think", Transcript{Speed: 100, Think: Think{Kind: ThinkFixed, Mean: 3 * time.Second}}, transcripts.Turn{SinceReply: time.Hour}, 3 * time.Second},
	}
	for _, tc := range tests {
		if got := tc.tr.Gap(tc.turn, rand.New(rand.NewPCG(1, 2))); got != tc.want {
			t.Errorf("%s: Gap() = %v, want %v", tc.name, got, tc.want)
		}
	}
	tr := Transcript{Speed: 10}
	if got := tr.Offset(t0, t0.Add(time.Minute)); got != 6*time.Second {
		t.Errorf("Offset(1m later) at speed 10 = %v, want 6s", got)
	}
	if got := tr.Offset(t0, t0.Add(-time.Minute)); got != 0 {
		t.Errorf("Offset(earlier) = %v, want 0", got)
	}
}
