package transcripts_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/loadgen/loadgen/transcripts"
)

// endless is an input that never ends: n bytes of c, then forever more.
type endless struct{ c byte }

func (e endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = e.c
	}
	return len(p), nil
}

// repeat returns a reader of s, then of rest repeated forever.
func repeat(s, rest string) io.Reader {
	return io.MultiReader(strings.NewReader(s), &loop{s: rest})
}

type loop struct {
	s string
	i int
}

func (l *loop) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], l.s[l.i:])
		n += c
		l.i = (l.i + c) % len(l.s)
	}
	return n, nil
}

// Every format ends a read of an input that is not a transcript, however
// long, with an error naming the bound, instead of reading (and holding)
// it all: a line without a newline, a conversation that never ends, a JSON
// value that never closes.
func TestReadIsBounded(t *testing.T) {
	const max = 64 << 10
	line := `{"conversation":"c1","role":"user","content":"` + strings.Repeat("x", 100) + `","at":"2026-03-01T12:00:00Z"}` + "\n"
	tests := []struct {
		name   string
		format transcripts.Format
		in     io.Reader
		want   string
	}{
		{"no newline", transcripts.FormatJSONL, endless{'a'}, "t:1: a line with no newline exceeds 64 KiB"},
		{"one endless conversation", transcripts.FormatJSONL, repeat("", line), `t:1: conversation "c1" exceeds 64 KiB`},
		{"helper object never closes", transcripts.FormatHelper, repeat(`{"messages":[`, `{"role":"user","content":"hi"},`+"\n"), "t:1: a JSON value exceeds 64 KiB"},
		{"sharegpt array never closes", transcripts.FormatShareGPT, repeat(`[{"conversations":[`, `{"from":"human","value":"hi"},`), "t:1: a JSON value exceeds 64 KiB"},
		{"zero bytes", transcripts.FormatHelper, endless{0}, "bad JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := transcripts.NewReader(tt.in, tt.format, transcripts.WithFile("t"), transcripts.WithMaxConversation(max))
			for i := 0; ; i++ {
				_, err := r.Next()
				if errors.Is(err, io.EOF) || i > 1000 {
					t.Fatalf("Next: %v after %d conversations, want an error with %q", err, i, tt.want)
				}
				if err != nil {
					if !strings.Contains(err.Error(), tt.want) {
						t.Errorf("Next: %v, want an error with %q", err, tt.want)
					}
					return
				}
			}
		})
	}
}
