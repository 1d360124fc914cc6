package stream

import (
	"reflect"
	"testing"
)

func TestSSE(t *testing.T) {
	tests := []struct {
		name string
		body string
		want parseResult
	}{
		{
			name: "docs style text events and DONE",
			body: "data: {\"type\":\"text\",\"text\":\"Hello\"}\n\ndata: {\"type\":\"text\",\"text\":\", world\"}\n\ndata: [DONE]\n\n",
			want: parseResult{Shape: ShapeModel, TextParts: 2, Chars: 12, Text: "Hello, world"},
		},
		{
			name: "AI SDK 5 UI message stream",
			body: ": ping\n\n" +
				"data: {\"type\":\"start\",\"messageId\":\"m-1\"}\n\n" +
				"data: {\"type\":\"data-status\",\"data\":{\"s\":\"searching\"}}\n\n" +
				"data: {\"type\":\"start-step\"}\n\n" +
				"data: {\"type\":\"text-start\",\"id\":\"t\"}\n\n" +
				"data: {\"type\":\"text-delta\",\"id\":\"t\",\"delta\":\"Hi \\u00e9\"}\n\n" +
				"data: {\"type\":\"tool-input-available\",\"toolCallId\":\"c\",\"toolName\":\"s\",\"input\":{}}\n\n" +
				"data: {\"type\":\"text-end\",\"id\":\"t\"}\n\n" +
				"data: {\"type\":\"finish-step\"}\n\n" +
				"data: {\"type\":\"finish\",\"finishReason\":\"stop\",\"usage\":{\"inputTokens\":4,\"outputTokens\":2}}\n\n" +
				"data: [DONE]\n\n",
			want: parseResult{Shape: ShapeModel, TextParts: 1, Chars: 4, DataParts: 1, ToolCalls: 1, Steps: 1,
				Usage: Usage{4, 2}, HasUsage: true, FinishReason: "stop", MessageID: "m-1", Text: "Hi é"},
		},
		{
			name: "CRLF and CR line ends, multi-line data, unknown fields",
			body: "id: 1\r\nretry: 10\r\ndata: {\"type\":\"text\",\r\ndata: \"text\":\"a\"}\r\n\r\nevent: message\rdata:{\"type\":\"text\",\"text\":\"b\"}\r\rdata: [DONE]\r\n\r\n",
			want: parseResult{Shape: ShapeModel, TextParts: 2, Chars: 2, Text: "ab"},
		},
		{
			name: "finish with v4 usage names",
			body: "data: {\"type\":\"text\",\"text\":\"a\"}\n\ndata: {\"type\":\"finish\",\"usage\":{\"promptTokens\":7,\"completionTokens\":1,\"outputTokens\":9}}\n\n",
			want: parseResult{Shape: ShapeModel, TextParts: 1, Chars: 1, Text: "a", Usage: Usage{7, 1}, HasUsage: true},
		},
		{
			name: "single event without DONE",
			body: "data: {\"type\":\"text\",\"text\":\"whole reply\"}\n\n",
			want: parseResult{Shape: ShapeSingleShot, TextParts: 1, Chars: 11, Text: "whole reply"},
		},
		{
			name: "started but not finished",
			body: "data: {\"type\":\"start\"}\n\ndata: {\"type\":\"text-delta\",\"delta\":\"a\"}\n\n",
			want: parseResult{Fault: Truncated, Msg: "a step started but the message did not finish",
				TextParts: 1, Chars: 1, Text: "a"},
		},
		{
			name: "event cut off by EOF is discarded",
			body: "data: {\"type\":\"text\",\"text\":\"a\"}\n\ndata: {\"type\":\"text\",\"text\":\"b\"}\n",
			want: parseResult{Shape: ShapeSingleShot, TextParts: 1, Chars: 1, Text: "a"},
		},
		{
			name: "error event",
			body: "data: {\"type\":\"text\",\"text\":\"a\"}\n\ndata: {\"type\":\"error\",\"errorText\":\"model overloaded\"}\n\n",
			want: parseResult{Fault: ErrorPart, Msg: "model overloaded", TextParts: 1, Chars: 1, Text: "a"},
		},
		{
			name: "error event type with plain data",
			body: "event: error\ndata: upstream failed\n\n",
			want: parseResult{Fault: ErrorPart, Msg: "upstream failed"},
		},
		{
			name: "data that is not JSON",
			body: "data: hello\n\n",
			want: parseResult{Fault: Malformed},
		},
		{
			name: "only comments",
			body: ": keep-alive\n\n",
			want: parseResult{Fault: Malformed, Msg: "no parts in the reply"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := runParser(sseParser, []byte(tt.body), nil, true)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parse(%q)\n got %+v\nwant %+v", tt.body, got, tt.want)
			}
			if diff := splitInvariant(sseParser, []byte(tt.body)); diff != "" {
				t.Errorf("parse(%q) depends on how the body is split: %s", tt.body, diff)
			}
		})
	}
}

func FuzzSSE(f *testing.F) {
	for _, s := range []string{
		"data: {\"type\":\"text\",\"text\":\"Hello\"}\n\ndata: [DONE]\n\n",
		"data: {\"type\":\"start\"}\r\n\r\ndata: {\"type\":\"text-delta\",\"delta\":\"a\"}\r\rdata: {\"type\":\"finish\"}\n\n",
		"event: error\ndata: x\n\n",
	} {
		f.Add([]byte(s), uint16(5))
	}
	f.Fuzz(func(t *testing.T, body []byte, cut uint16) {
		_, whole := runParser(sseParser, body, nil, true)
		at := int(cut) % (len(body) + 1)
		if _, got := runParser(sseParser, body, []int{at}, true); !reflect.DeepEqual(got, whole) {
			t.Fatalf("cut at %d: got %+v, whole: %+v", at, got, whole)
		}
	})
}

func TestJSONReply(t *testing.T) {
	tests := []struct {
		name string
		body string
		want parseResult
	}{
		{
			name: "text field",
			body: `{"text":"Hello there","messageId":12,"finishReason":"stop","usage":{"promptTokens":3,"completionTokens":2}}`,
			want: parseResult{Shape: ShapeSingleShot, TextParts: 1, Chars: 11, MessageID: "12",
				FinishReason: "stop", Usage: Usage{3, 2}, HasUsage: true, Text: "Hello there"},
		},
		{
			name: "reply field",
			body: `{"reply":"r"}`,
			want: parseResult{Shape: ShapeSingleShot, TextParts: 1, Chars: 1, Text: "r"},
		},
		{
			name: "message object",
			body: `{"message":{"role":"assistant","content":"from message"}}`,
			want: parseResult{Shape: ShapeSingleShot, TextParts: 1, Chars: 12, Text: "from message"},
		},
		{
			name: "empty text",
			body: `{"content":""}`,
			want: parseResult{Shape: ShapeEmpty},
		},
		{
			name: "error field",
			body: `{"error":"Error generating AI response"}`,
			want: parseResult{Fault: ErrorPart, Msg: "Error generating AI response"},
		},
		{
			name: "no text field",
			body: `{"foo":"bar"}`,
			want: parseResult{Fault: Malformed},
		},
		{
			name: "not JSON",
			body: `Hello`,
			want: parseResult{Fault: Malformed},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, got := runParser(jsonParser, []byte(tt.body), nil, true)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parse(%q)\n got %+v\nwant %+v", tt.body, got, tt.want)
			}
			if got.TextParts > 0 && r.TTFT == 0 {
				t.Errorf("parse(%q): TTFT = 0, want the time the body ended", tt.body)
			}
			if diff := splitInvariant(jsonParser, []byte(tt.body)); diff != "" {
				t.Errorf("parse(%q) depends on how the body is split: %s", tt.body, diff)
			}
		})
	}
}
