package stream

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/helperapi/internal/streamtest"
)

const (
	modelReply = streamtest.ModelReply
	toolReply  = `f:{"messageId":"msg-1"}
9:{"toolCallId":"t1","toolName":"search","args":{"q":"order"}}
e:{"finishReason":"tool-calls","usage":{"promptTokens":5,"completionTokens":1},"isContinued":false}
f:{"messageId":"msg-1"}
0:"Found it."
e:{"finishReason":"stop","usage":{"promptTokens":9,"completionTokens":2},"isContinued":false}
d:{"finishReason":"stop","usage":{"promptTokens":14,"completionTokens":3}}
`
)

func TestDataStream(t *testing.T) {
	tests := []struct {
		name  string
		parse func(*Recorder) Parser
		body  string
		want  parseResult
	}{
		{
			name: "model reply with parts after d",
			body: modelReply,
			want: parseResult{Shape: ShapeModel, TextParts: 3, Chars: 25, Steps: 1,
				Usage: Usage{10, 3}, HasUsage: true, FinishReason: "stop", MessageID: "43",
				Text: "Sure, your order shipped."},
		},
		{
			name: "tool steps",
			body: toolReply,
			want: parseResult{Shape: ShapeModel, TextParts: 1, Chars: 9, Steps: 2, ToolCalls: 1,
				Usage: Usage{14, 3}, HasUsage: true, FinishReason: "stop", Text: "Found it."},
		},
		{
			name: "escalation: a request_human_support call",
			body: strings.Replace(toolReply, `"toolName":"search"`, `"toolName":"request_human_support"`, 1),
			want: parseResult{Shape: ShapeModel, TextParts: 1, Chars: 9, Steps: 2, ToolCalls: 1, Escalated: true,
				Usage: Usage{14, 3}, HasUsage: true, FinishReason: "stop", Text: "Found it."},
		},
		{
			name: "data part before f",
			body: "2:[{\"status\":\"searching\"}]\nf:{}\n0:\"ok\"\nd:{\"finishReason\":\"stop\"}\n",
			want: parseResult{Shape: ShapeModel, TextParts: 1, Chars: 2, DataParts: 1, Steps: 1,
				FinishReason: "stop", Text: "ok"},
		},
		{
			name: "single shot",
			body: "8:[{\"id\":\"7\"}]\n0:\"Our team will respond soon.\"\n",
			want: parseResult{Shape: ShapeSingleShot, TextParts: 1, Chars: 27, MessageID: "7",
				Text: "Our team will respond soon."},
		},
		{
			name: "single shot without final newline",
			body: "8:[{\"id\":7}]\n0:\"cached\"",
			want: parseResult{Shape: ShapeSingleShot, TextParts: 1, Chars: 6, MessageID: "7", Text: "cached"},
		},
		{
			name: "empty reply",
			body: "8:[{\"id\":\"9\"}]\n0:\"\"\n",
			want: parseResult{Shape: ShapeEmpty, MessageID: "9"},
		},
		{
			name: "model reply without text",
			body: "f:{}\ne:{\"finishReason\":\"stop\"}\nd:{\"finishReason\":\"stop\",\"usage\":{\"promptTokens\":null,\"completionTokens\":null}}\n",
			want: parseResult{Shape: ShapeEmpty, Steps: 1, FinishReason: "stop"},
		},
		{
			name: "escaped text",
			body: `f:{}` + "\n" + `0:"line\nnext \"q\" \\ \/ \u00e9 \ud83d\ude00 \t"` + "\n" + `0:"caf\u00C9 ü"` + "\nd:{}\n",
			want: parseResult{Shape: ShapeModel, TextParts: 2, Chars: 29, Steps: 1,
				Text: "line\nnext \"q\" \\ / é 😀 \tcafÉ ü"},
		},
		{
			name: "lone surrogate and invalid UTF-8 become U+FFFD",
			body: "f:{}\n0:\"a\\ud800b\xffc\"\nd:{}\n",
			want: parseResult{Shape: ShapeModel, TextParts: 1, Chars: 5, Steps: 1, Text: "a\uFFFDb\uFFFDc"},
		},
		{
			name: "unknown types, blank lines and CRLF",
			body: "x:anything at all\r\nzz:{\"a\":1}\r\n\r\nf:{}\r\n0:\"hi\"\r\nd:{}\r\n",
			want: parseResult{Shape: ShapeModel, TextParts: 1, Chars: 2, Steps: 1, Text: "hi"},
		},
		{
			name: "other known parts",
			body: "f:{}\ng:\"thinking\"\nb:{\"toolCallId\":\"t\"}\nc:{\"toolCallId\":\"t\",\"argsTextDelta\":\"x\"}\na:{\"toolCallId\":\"t\",\"result\":1}\ni:{\"data\":\"x\"}\nj:{\"signature\":\"s\"}\nk:{\"data\":\"x\",\"mimeType\":\"text/plain\"}\n0:\"ok\"\nd:{}\n",
			want: parseResult{Shape: ShapeModel, TextParts: 1, Chars: 2, Steps: 1, Text: "ok"},
		},
		{
			name: "truncated after f",
			body: "f:{}\n0:\"half a \"\n0:\"reply\"\n",
			want: parseResult{Fault: Truncated, Msg: "a step started but the message did not finish",
				TextParts: 2, Chars: 12, Steps: 1, Text: "half a reply"},
		},
		{
			name: "cut inside a part",
			body: "8:[{\"id\":\"1\"}]\n0:\"Our te",
			want: parseResult{Fault: Truncated, MessageID: "1"},
		},
		{
			name: "error part",
			body: "f:{}\n0:\"par\"\n3:\"Error generating AI response\"\n",
			want: parseResult{Fault: ErrorPart, Msg: "Error generating AI response",
				TextParts: 1, Chars: 3, Steps: 1, Text: "par"},
		},
		{
			name: "error part after d",
			body: "f:{}\n0:\"x\"\nd:{}\n3:\"late failure\"\n",
			want: parseResult{Fault: ErrorPart, Msg: "late failure", TextParts: 1, Chars: 1, Steps: 1, Text: "x"},
		},
		{
			name: "text part that is not a string",
			body: "f:{}\n0:hello\nd:{}\n",
			want: parseResult{Fault: Malformed, Steps: 1},
		},
		{
			name: "text part with a raw control character",
			body: "f:{}\n0:\"a\tb\"\nd:{}\n",
			want: parseResult{Fault: Malformed, Steps: 1},
		},
		{
			name: "line without separator",
			body: "f:{}\nnonsense\n",
			want: parseResult{Fault: Malformed, Steps: 1},
		},
		{
			name: "f part that is not an object",
			body: "f:[1]\n",
			want: parseResult{Fault: Malformed},
		},
		{
			name: "d part with invalid JSON",
			body: "f:{}\nd:{\"finishReason\":}\n",
			want: parseResult{Fault: Malformed, Steps: 1},
		},
		{
			name: "empty body",
			body: "",
			want: parseResult{Fault: Malformed, Msg: "no parts in the reply"},
		},
		{
			name: "data part then a clean end, no text and no d",
			body: "2:[{\"status\":\"searching\"}]\n",
			want: parseResult{Fault: Truncated, Msg: "the reply ended before any text or finish part", DataParts: 1},
		},
		{
			name: "annotation without its text part",
			body: "8:[{\"id\":\"4\"}]\n",
			want: parseResult{Fault: Truncated, Msg: "the reply ended before any text or finish part", MessageID: "4"},
		},
		{
			name: "only unknown parts",
			body: "x:1\ny:2\n",
			want: parseResult{Fault: Malformed, Msg: "no parts in the reply"},
		},
		{
			name:  "sniffed data stream",
			parse: sniffDataStream,
			body:  "8:[{\"id\":\"5\"}]\n0:\"plain\"\n",
			want:  parseResult{Shape: ShapeSingleShot, TextParts: 1, Chars: 5, MessageID: "5", Text: "plain"},
		},
		{
			name:  "sniffed plain text without a final newline is not a cut part",
			parse: sniffDataStream,
			body:  "Service Unavailable",
			want:  parseResult{Fault: Malformed},
		},
		{
			name: "garbage last line without a newline is not a cut part",
			body: "8:[{\"id\":\"1\"}]\n0:\"ok\"\nnot a part",
			want: parseResult{Fault: Malformed, TextParts: 1, Chars: 2, MessageID: "1", Text: "ok"},
		},
		{
			name: "cut right after the part type",
			body: "f:{}\n0:\"ok\"\nd",
			want: parseResult{Fault: Truncated, TextParts: 1, Chars: 2, Steps: 1, Text: "ok"},
		},
		{
			name:  "sniffed plain text is not a data stream",
			parse: sniffDataStream,
			body:  "Hello there: how are you?\n",
			want:  parseResult{Fault: Malformed},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parse := tt.parse
			if parse == nil {
				parse = strictDataStream
			}
			_, got := runParser(parse, []byte(tt.body), nil, true)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parse(%q)\n got %+v\nwant %+v", tt.body, got, tt.want)
			}
			if diff := splitInvariant(parse, []byte(tt.body)); diff != "" {
				t.Errorf("parse(%q) depends on how the body is split: %s", tt.body, diff)
			}
		})
	}
}

func TestDataStreamTiming(t *testing.T) {
	chunks := []struct {
		at   time.Duration
		data string
	}{
		{1 * time.Millisecond, "2:[{\"status\":\"searching\"}]\n"},
		{2 * time.Millisecond, "f:{\"messageId\":\"m\"}\n"},
		{3 * time.Millisecond, "0:\"\"\n"}, // empty text is not a token
		{4 * time.Millisecond, "0:\"He"},   // a part split across reads ...
		{5 * time.Millisecond, "llo\"\n"},  // ... is stamped when its line completes
		{7 * time.Millisecond, "0:\" wor\"\n0:\"ld\"\n"},
		{10 * time.Millisecond, "d:{\"finishReason\":\"stop\"}\n"},
	}
	r := &Parts{}
	rc := NewRecorder(r, false)
	p := newDataStream(rc, false)
	for _, c := range chunks {
		if err := p.Feed([]byte(c.data), c.at); err != nil {
			t.Fatalf("Feed(%q) = %v, want nil", c.data, err)
		}
	}
	if err := p.End(10 * time.Millisecond); err != nil {
		t.Fatalf("End() = %v, want nil", err)
	}
	if e := rc.Close(false, nil); e != nil {
		t.Fatalf("Close() = %v, want nil", e)
	}
	if got, want := r.TTFT, 5*time.Millisecond; got != want {
		t.Errorf("TTFT = %v, want %v (the data part, f: and the empty part must not count)", got, want)
	}
	if got, want := r.Gaps, []time.Duration{2 * time.Millisecond, 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("Gaps = %v, want %v", got, want)
	}
	if r.Text != "" {
		t.Errorf("Text = %q without KeepText, want empty", r.Text)
	}
	if got, want := r.TPOT(), time.Millisecond; got != want {
		t.Errorf("TPOT() = %v, want %v", got, want)
	}
}

func TestDataStreamLineTooLong(t *testing.T) {
	body := append([]byte(`0:"`), bytes.Repeat([]byte("a"), maxLineBytes)...)
	body = append(body, "\"\n"...)
	for _, chunk := range []int{len(body), 64 << 10} {
		r := &Parts{}
		p := newDataStream(NewRecorder(r, false), false)
		var err error
		for off := 0; off < len(body) && err == nil; off += chunk {
			err = p.Feed(body[off:min(off+chunk, len(body))], time.Millisecond)
		}
		if err == nil || !strings.Contains(err.Error(), "longer than") {
			t.Errorf("Feed(%d-byte line in %d-byte chunks) = %v, want a line too long error", len(body), chunk, err)
		}
	}
}

// referenceText decodes the 0: parts of a data stream body with encoding/json,
// independently of the parser.
func referenceText(body []byte) (string, bool) {
	var sb strings.Builder
	for _, line := range bytes.Split(body, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if !bytes.HasPrefix(line, []byte("0:")) {
			continue
		}
		var s string
		if json.Unmarshal(line[2:], &s) != nil {
			return "", false
		}
		sb.WriteString(s)
	}
	return sb.String(), true
}

func FuzzDataStream(f *testing.F) {
	for _, s := range []string{
		modelReply, toolReply,
		"8:[{\"id\":\"7\"}]\n0:\"cached\"\n",
		"8:[{\"id\":\"9\"}]\n0:\"\"\n",
		"f:{}\n0:\"a\\ud83d\\ude00\\n\"\n3:\"boom\"\n",
		"2:[1]\r\nf:{}\r\n0:\"x\"\r\nd:{}",
		"f:{}\n0:\"cut",
	} {
		f.Add([]byte(s), uint16(3))
	}
	f.Fuzz(func(t *testing.T, body []byte, cut uint16) {
		_, whole := runParser(strictDataStream, body, nil, true)
		bytewise := make([]int, len(body))
		for i := range bytewise {
			bytewise[i] = i + 1
		}
		if _, got := runParser(strictDataStream, body, bytewise, true); !reflect.DeepEqual(got, whole) {
			t.Fatalf("byte by byte: got %+v, whole: %+v", got, whole)
		}
		at := int(cut) % (len(body) + 1)
		if _, got := runParser(strictDataStream, body, []int{at}, true); !reflect.DeepEqual(got, whole) {
			t.Fatalf("cut at %d: got %+v, whole: %+v", at, got, whole)
		}
		if whole.Fault == 0 {
			ref, ok := referenceText(body)
			if !ok || ref != whole.Text {
				t.Fatalf("text = %q, encoding/json reference = %q (ok %v)", whole.Text, ref, ok)
			}
		}
	})
}

func BenchmarkDataStream(b *testing.B) {
	const parts = 256
	body := streamtest.BenchReply(parts)
	for _, chunk := range []int{64, 1500, 8 << 10} {
		b.Run(fmt.Sprintf("chunk=%d", chunk), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				r := &Parts{}
				rc := NewRecorder(r, false)
				p := newDataStream(rc, false)
				for off := 0; off < len(body); off += chunk {
					if err := p.Feed(body[off:min(off+chunk, len(body))], time.Millisecond); err != nil {
						b.Fatal(err)
					}
				}
				if err := p.End(time.Millisecond); err != nil {
					b.Fatal(err)
				}
				if r.TextParts != parts {
					b.Fatalf("TextParts = %d, want %d", r.TextParts, parts)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*parts), "ns/part")
		})
	}
}
