package transcripts_test

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/loadgen/loadgen/transcripts"
)

// checkRead reads everything and checks what any input must give: valid
// roles, a user message in every conversation, lines that never go back,
// and at most as many skipped records as kept problems allow.
func checkRead(t *testing.T, data []byte, f transcripts.Format) []*transcripts.Conversation {
	r := transcripts.NewReader(bytes.NewReader(data), f)
	var out []*transcripts.Conversation
	for {
		c, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if f == transcripts.FormatJSONL {
				t.Fatalf("non-strict JSONL read failed: %v", err)
			}
			break
		}
		if c.Index != len(out) {
			t.Fatalf("Index = %d, want %d", c.Index, len(out))
		}
		user := false
		for i, m := range c.Messages {
			switch m.Role {
			case transcripts.User:
				user = true
			case transcripts.Assistant, transcripts.Staff:
			default:
				t.Fatalf("message with role %q", m.Role)
			}
			if m.Line < c.Line || i > 0 && m.Line < c.Messages[i-1].Line {
				t.Fatalf("message lines go back: %+v", c.Messages)
			}
		}
		if !user {
			t.Fatalf("conversation %q without a user message", c.ID)
		}
		out = append(out, c)
	}
	if len(r.Problems()) > transcripts.MaxProblems || r.Skipped() < len(r.Problems()) {
		t.Fatalf("Skipped() = %d with %d problems kept", r.Skipped(), len(r.Problems()))
	}
	return out
}

func FuzzReadJSONL(f *testing.F) {
	f.Add([]byte(`{"conversation":"a","role":"user","content":"Hi","at":"2026-03-01T12:00:00Z","subject":"s","email":"e@x"}
{"conversation":"a","role":"assistant","content":"Hello","at":"2026-03-01T12:00:01Z"}
{"conversation":"b","role":"user","content":"x","at":"2026-03-01T12:00:00+02:00"}
`))
	f.Add([]byte("{\"conversation\":1,\"role\":\"staff\"}\n\n[1]\n{\"conversation\":\"a\",\"role\":\"user\",\"content\":\"\\u00e9\",\"at\":\"2026-03-01T12:00:00.5Z\"}"))
	f.Add([]byte(`{"conversation":"a", oops}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		convs := checkRead(t, data, transcripts.FormatJSONL)
		// What was read writes back and reads again the same.
		var buf bytes.Buffer
		w := transcripts.NewWriter(&buf)
		for _, c := range convs {
			if err := w.Write(c); err != nil {
				t.Fatalf("Write(%+v): %v", c, err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		again := checkRead(t, buf.Bytes(), transcripts.FormatJSONL)
		if len(again) != len(convs) {
			t.Fatalf("read %d conversations, %d after writing them back", len(convs), len(again))
		}
		for i := range convs {
			a, b := convs[i], again[i]
			if a.ID != b.ID || a.Subject != b.Subject || a.Email != b.Email || len(a.Messages) != len(b.Messages) {
				t.Fatalf("round trip #%d:\n got %+v\nwant %+v", i, b, a)
			}
			for j := range a.Messages {
				ma, mb := a.Messages[j], b.Messages[j]
				if ma.Role != mb.Role || ma.Content != mb.Content || !ma.At.Equal(mb.At) {
					t.Fatalf("round trip #%d message %d:\n got %+v\nwant %+v", i, j, mb, ma)
				}
			}
		}
	})
}

func FuzzReadHelper(f *testing.F) {
	f.Add([]byte(`[{"slug":"a","subject":"s","messages":[{"role":"user","content":"1","createdAt":"2026-03-01T12:00:00Z"}]}]`))
	f.Add([]byte("{\"slug\":\"a\",\"messages\":[{\"role\":\"robot\"}]}\n{\"messages\":[]}\n42"))
	f.Add([]byte(`[{"slug": oops}]`))
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, data, transcripts.FormatHelper) })
}

func FuzzReadShareGPT(f *testing.F) {
	f.Add([]byte(`[{"id":"x","conversations":[{"from":"human","value":"a"},{"from":"gpt","value":"b"}]}]`))
	f.Add([]byte(`{"conversations":[{"from":"system","value":"s"},{"from":"alien"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, data, transcripts.FormatShareGPT) })
}

// Strict and lenient reads agree up to the first bad record.
func TestStrictIsAPrefixOfLenient(t *testing.T) {
	data := []byte(`{"conversation":"a","role":"user","content":"1","at":"2026-03-01T12:00:00Z"}
{"conversation":"b","role":"user","content":"2","at":"2026-03-01T12:00:00Z"}
{"conversation":"c","role":"bot"}
{"conversation":"d","role":"user","content":"4","at":"2026-03-01T12:00:00Z"}
`)
	lenient := checkRead(t, data, transcripts.FormatJSONL)
	r := transcripts.NewReader(bytes.NewReader(data), transcripts.FormatJSONL, transcripts.WithStrict())
	var strict []*transcripts.Conversation
	for {
		c, err := r.Next()
		if err != nil {
			break
		}
		strict = append(strict, c)
	}
	if len(lenient) != 3 || !reflect.DeepEqual(strict, lenient[:len(strict)]) || len(strict) != 1 {
		t.Errorf("strict read %d conversations, lenient %d; want 1 (the read stops at line 3, before b ends) and 3", len(strict), len(lenient))
	}
}
