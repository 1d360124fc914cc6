package transcripts_test

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/loadgen/loadgen/transcripts"
)

// conv is a conversation reduced to what the tests compare.
type conv struct {
	id, subject, email string
	line               int
	msgs               []string // "role@line:content"
}

func reduce(c *transcripts.Conversation) conv {
	out := conv{id: c.ID, subject: c.Subject, email: c.Email, line: c.Line}
	for _, m := range c.Messages {
		out.msgs = append(out.msgs, fmt.Sprintf("%s@%02d:%s", m.Role, m.Line, m.Content))
	}
	return out
}

// readAll reads every conversation; err is the error that ended the read
// (nil at io.EOF).
func readAll(t *testing.T, in string, f transcripts.Format, opts ...transcripts.Option) ([]conv, *transcripts.Reader, error) {
	t.Helper()
	r := transcripts.NewReader(iotest.OneByteReader(strings.NewReader(in)), f, append(opts, transcripts.WithFile("t"))...)
	var out []conv
	for {
		c, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, r, nil
		}
		if err != nil {
			return out, r, err
		}
		out = append(out, reduce(c))
	}
}

func problems(r *transcripts.Reader) []string {
	var out []string
	for _, p := range r.Problems() {
		out = append(out, p.Error())
	}
	return out
}

type readCase struct {
	name     string
	in       string
	want     []conv
	problems []string // the skipped records' errors
	err      string   // the error that ended the read ("" for io.EOF)
}

func runCases(t *testing.T, f transcripts.Format, cases []readCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, r, err := readAll(t, tc.in, f)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("conversations:\n got %+v\nwant %+v", got, tc.want)
			}
			if p := problems(r); !reflect.DeepEqual(p, tc.problems) {
				t.Errorf("Problems():\n got %q\nwant %q", p, tc.problems)
			}
			if r.Skipped() != len(tc.problems) {
				t.Errorf("Skipped() = %d, want %d", r.Skipped(), len(tc.problems))
			}
			if msg := errText(err); msg != tc.err {
				t.Errorf("Next() error = %q, want %q", msg, tc.err)
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestReadJSONL(t *testing.T) {
	runCases(t, transcripts.FormatJSONL, []readCase{
		{
			name: "two conversations",
			in: `{"conversation":"a","role":"user","content":"Hi","at":"2026-03-01T12:00:00Z","subject":"Order","email":"ann@example.com"}
{"conversation":"a","role":"assistant","content":"Hello!","at":"2026-03-01T12:00:02Z"}

{"conversation":"b","role":"user","content":"Refund?","at":"2026-03-01T12:01:00.5+01:00"}
{"conversation":"b","role":"staff","content":"Sure.","at":"2026-03-01T12:05:00Z"}
`,
			want: []conv{
				{id: "a", subject: "Order", email: "ann@example.com", line: 1, msgs: []string{"user@01:Hi", "assistant@02:Hello!"}},
				{id: "b", line: 4, msgs: []string{"user@04:Refund?", "staff@05:Sure."}},
			},
		},
		{
			name: "numeric key, no final newline, CRLF",
			in:   "{\"conversation\":7,\"role\":\"user\",\"content\":\"x\",\"at\":\"2026-03-01T12:00:00Z\"}\r\n{\"conversation\":7,\"role\":\"user\",\"content\":\"y\",\"at\":\"2026-03-01T12:00:00Z\"}",
			want: []conv{{id: "7", line: 1, msgs: []string{"user@01:x", "user@02:y"}}},
		},
		{
			name: "bad records are skipped",
			in: `{"conversation":"a","role":"user","content":"Hi","at":"2026-03-01T12:00:00Z"}
{"conversation":"a","role":"bot","content":"?","at":"2026-03-01T12:00:00Z"}
{"conversation":"a","role":"user","content":"x","at":"yesterday"}
{"conversation":"a","role":"user","content":"  ","at":"2026-03-01T12:00:00Z"}
{"conversation":"a","role":"user","content":1,"at":"2026-03-01T12:00:00Z"}
{"role":"user","content":"x","at":"2026-03-01T12:00:00Z"}
["not an object"]
{"conversation":"a", oops}
{"conversation":"a","content":"x","at":"2026-03-01T12:00:00Z"}
{"conversation":"a","role":"assistant","content":"fine","at":"2026-03-01T12:00:01Z"}
`,
			want: []conv{{id: "a", line: 1, msgs: []string{"user@01:Hi", "assistant@10:fine"}}},
			problems: []string{
				`transcripts: t:2: role: unknown role "bot" (want user, assistant or staff)`,
				`transcripts: t:3: at: bad time "yesterday" (want RFC 3339, e.g. 2026-03-01T12:00:00Z)`,
				`transcripts: t:4: content: empty user message`,
				`transcripts: t:5: content: want a string, got 1`,
				`transcripts: t:6: conversation: missing (the conversation's key, e.g. "c1")`,
				`transcripts: t:7:1: want a JSON object per line, e.g. {"conversation": "c1", "role": "user", "content": "Hi", "at": "2026-03-01T12:00:00Z"}`,
				`transcripts: t:8:22: bad JSON: invalid character 'o' looking for beginning of object key string`,
				`transcripts: t:9: role: missing (want user, assistant or staff)`,
			},
		},
		{
			name: "a conversation that continues later",
			in: `{"conversation":"a","role":"user","content":"1","at":"2026-03-01T12:00:00Z"}
{"conversation":"b","role":"user","content":"2","at":"2026-03-01T12:00:00Z"}
{"conversation":"a","role":"user","content":"3","at":"2026-03-01T12:00:00Z"}
`,
			want: []conv{{id: "a", line: 1, msgs: []string{"user@01:1"}}, {id: "b", line: 2, msgs: []string{"user@02:2"}}},
			problems: []string{
				`transcripts: t:3: conversation: conversation "a" continues after other conversations (it began at line 1); a conversation's lines must be consecutive`,
			},
		},
		{
			name: "a conversation without a user message",
			in: `{"conversation":"a","role":"assistant","content":"Welcome","at":"2026-03-01T12:00:00Z"}
{"conversation":"b","role":"user","content":"2","at":"2026-03-01T12:00:00Z"}
{"conversation":"c","role":"staff","content":"Hello?","at":"2026-03-01T12:00:00Z"}`,
			want: []conv{{id: "b", line: 2, msgs: []string{"user@02:2"}}},
			problems: []string{
				`transcripts: t:1: conversation "a" has no user message`,
				`transcripts: t:3: conversation "c" has no user message`,
			},
		},
		{name: "empty", in: "", want: nil},
		{name: "blank lines", in: "\n  \n\t\n", want: nil},
	})
}

func TestReadHelper(t *testing.T) {
	one := `{
  "slug": "abc",
  "subject": "Order status",
  "isEscalated": false,
  "messages": [
    {"id": "1", "role": "user", "content": "Where is my order?", "createdAt": "2026-03-01T12:00:00.000Z", "staffName": null, "reactions": [], "attachments": []},
    {"id": "2", "role": "assistant", "content": "It shipped.", "createdAt": "2026-03-01T12:00:03.250Z"}
  ],
  "experimental_guideSessions": []
}`
	runCases(t, transcripts.FormatHelper, []readCase{
		{
			name: "one object",
			in:   one,
			want: []conv{{id: "abc", subject: "Order status", line: 1, msgs: []string{"user@06:Where is my order?", "assistant@07:It shipped."}}},
		},
		{
			name: "array",
			in:   "\uFEFF[\n" + one + ",\n" + strings.Replace(one, `"abc"`, `"def"`, 1) + "\n]\n",
			want: []conv{
				{id: "abc", subject: "Order status", line: 2, msgs: []string{"user@07:Where is my order?", "assistant@08:It shipped."}},
				{id: "def", subject: "Order status", line: 12, msgs: []string{"user@17:Where is my order?", "assistant@18:It shipped."}},
			},
		},
		{
			name: "JSON lines",
			in: `{"slug":"a","messages":[{"role":"user","content":"1","createdAt":"2026-03-01T12:00:00Z"}]}
{"slug":"b","messages":[{"role":"user","content":"2","createdAt":"2026-03-01T12:00:00Z"}]}
`,
			want: []conv{{id: "a", line: 1, msgs: []string{"user@01:1"}}, {id: "b", line: 2, msgs: []string{"user@02:2"}}},
		},
		{
			name: "bad messages and conversations are skipped",
			in: `[
{"slug":"a","messages":[
  {"role":"user","content":"ok","createdAt":"2026-03-01T12:00:00Z"},
  {"role":"robot","content":"x","createdAt":"2026-03-01T12:00:00Z"},
  {"role":"user","content":"x"},
  "text"
]},
{"slug":"b"},
{"slug":"c","messages":{}},
{"slug":"d","messages":[{"role":"assistant","content":"hi","createdAt":"2026-03-01T12:00:00Z"}]},
42
]`,
			want: []conv{{id: "a", line: 2, msgs: []string{"user@03:ok"}}},
			problems: []string{
				`transcripts: t:4: messages[1].role: unknown role "robot" (want user, assistant or staff)`,
				`transcripts: t:5: messages[2].createdAt: missing (an RFC 3339 time, e.g. 2026-03-01T12:00:00Z)`,
				`transcripts: t:6: messages[3]: want a message object, got "text"`,
				`transcripts: t:8: messages: missing (want the conversation's messages, as GET /api/chat/conversation/{slug} returns them)`,
				`transcripts: t:9: messages: want a list of messages, got {}`,
				`transcripts: t:10: conversation "d" has no user message`,
				`transcripts: t:11: want a conversation object, got 42`,
			},
		},
		{
			name: "syntax error ends the read",
			in:   "[\n" + `{"slug":"a","messages":[{"role":"user","content":"1","createdAt":"2026-03-01T12:00:00Z"}]},` + "\n{\"slug\": oops}\n]",
			want: []conv{{id: "a", line: 2, msgs: []string{"user@02:1"}}},
			err:  `transcripts: t:3: bad JSON: invalid character 'o' looking for beginning of value`,
		},
		{
			name: "truncated",
			in:   "[\n" + `{"slug":"a","messages":[{"role":"user",` + "\n",
			err:  `transcripts: t:3: the file ends inside a JSON value (truncated?)`,
		},
		{
			name: "data after the array",
			in:   `[] {}`,
			err:  `transcripts: t:1: data after the closing ] of the array`,
		},
		{name: "empty", in: " \n ", want: nil},
		{name: "empty array", in: "[]", want: nil},
	})
}

func TestReadShareGPT(t *testing.T) {
	runCases(t, transcripts.FormatShareGPT, []readCase{
		{
			name: "array",
			in: `[
  {"id": "x1", "conversations": [
    {"from": "system", "value": "You are helpful."},
    {"from": "human", "value": "Hi"},
    {"from": "gpt", "value": "Hello"}
  ]},
  {"id": 2, "conversations": [{"from": "user", "value": "Q"}, {"from": "Assistant", "value": "A"}]}
]`,
			want: []conv{
				{id: "x1", line: 2, msgs: []string{"user@04:Hi", "assistant@05:Hello"}},
				{id: "2", line: 7, msgs: []string{"user@07:Q", "assistant@07:A"}},
			},
		},
		{
			name: "lines and bad turns",
			in: `{"conversations": [{"from": "human", "value": "a"}, {"from": "alien", "value": "b"}, {"from": "gpt", "value": 3}]}
{"id": "none"}
{"id": "no-user", "conversations": [{"from": "gpt", "value": "hi"}]}
`,
			want: []conv{{line: 1, msgs: []string{"user@01:a"}}},
			problems: []string{
				`transcripts: t:1: conversations[1].from: unknown speaker "alien" (want human or gpt)`,
				`transcripts: t:1: conversations[2].value: want a string, got 3`,
				`transcripts: t:2: conversations: missing (want a list of {"from": "human", "value": "…"} turns)`,
				`transcripts: t:3: conversation "no-user" has no user message`,
			},
		},
	})
}

func TestStrictStopsAtTheFirstBadRecord(t *testing.T) {
	in := `{"conversation":"a","role":"user","content":"1","at":"2026-03-01T12:00:00Z"}
{"conversation":"b","role":"user","content":"2","at":"2026-03-01T12:00:00Z"}
{"conversation":"b","role":"user","content":"3","at":"noon"}
`
	got, r, err := readAll(t, in, transcripts.FormatJSONL, transcripts.WithStrict())
	var re *transcripts.RecordError
	if !errors.As(err, &re) || re.Line != 3 || re.Field != "at" {
		t.Fatalf("strict read: error %v, want a *RecordError at line 3, field at", err)
	}
	if len(got) != 1 || r.Skipped() != 0 {
		t.Errorf("strict read returned %d conversations and skipped %d; want 1 (a) and 0", len(got), r.Skipped())
	}
	if _, again := r.Next(); again != err {
		t.Errorf("Next after the error = %v, want the same error again", again)
	}
}

func TestSummaryAndProblemCap(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"conversation":"a","role":"user","content":"1","at":"2026-03-01T12:00:00Z"}` + "\n")
	for i := 0; i < 15; i++ {
		b.WriteString(`{"conversation":"a","role":"user"}` + "\n")
	}
	got, r, err := readAll(t, b.String(), transcripts.FormatJSONL)
	if err != nil || len(got) != 1 {
		t.Fatalf("read: %d conversations, err %v; want 1, nil", len(got), err)
	}
	if r.Skipped() != 15 || len(r.Problems()) != transcripts.MaxProblems {
		t.Errorf("Skipped() = %d, len(Problems()) = %d; want 15, %d", r.Skipped(), len(r.Problems()), transcripts.MaxProblems)
	}
	want := "t: 15 bad records skipped (first: transcripts: t:2: content: empty user message)"
	if s := r.Summary(); s != want {
		t.Errorf("Summary() = %q, want %q", s, want)
	}
}

func TestLongLineIsSkipped(t *testing.T) {
	in := `{"conversation":"a","role":"user","content":"` + strings.Repeat("x", 200) + `","at":"2026-03-01T12:00:00Z"}
{"conversation":"a","role":"user","content":"short","at":"2026-03-01T12:00:00Z"}
`
	r := transcripts.NewReader(strings.NewReader(in), transcripts.FormatJSONL, transcripts.WithMaxLine(100))
	c, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Messages) != 1 || c.Messages[0].Content != "short" || c.Messages[0].Line != 2 {
		t.Errorf("messages = %+v, want only the short one, at line 2", c.Messages)
	}
	if r.Skipped() != 1 || r.Problems()[0].Msg != "line longer than 100 bytes" {
		t.Errorf("problems = %v, want one long line", problems(r))
	}
}

func TestUnknownFormat(t *testing.T) {
	r := transcripts.NewReader(strings.NewReader("{}"), "csv")
	if _, err := r.Next(); err == nil || !strings.Contains(err.Error(), `unknown format "csv"`) {
		t.Errorf("Next() with format csv: %v, want an unknown format error", err)
	}
}

func TestTimesAreKept(t *testing.T) {
	in := `{"conversation":"a","role":"user","content":"1","at":"2026-03-01T12:00:00.123456789+02:00"}`
	c, err := transcripts.NewReader(strings.NewReader(in), transcripts.FormatJSONL).Next()
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC)
	if !c.Messages[0].At.Equal(want) || !c.Start().Equal(want) {
		t.Errorf("At = %v, Start() = %v; want %v", c.Messages[0].At, c.Start(), want)
	}
}
