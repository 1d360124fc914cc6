package mockserver

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestReactions(t *testing.T) {
	m := startMock(t, Config{Tokens: Range{1, 1}})
	ann := m.session("ann@example.com")
	bob := m.session("bob@example.com")
	slug := m.conversation(ann, `{}`)
	_, _, stream := m.chat(ann, slug, "hi")
	var ann8 []struct{ ID string }
	for _, p := range parseParts(t, stream) {
		if p.prefix == "8" {
			json.Unmarshal([]byte(p.payload), &ann8)
		}
	}
	if len(ann8) != 1 {
		t.Fatalf("no 8: annotation in %q", stream)
	}
	reply := "/api/chat/conversation/" + slug + "/message/" + ann8[0].ID
	tests := []struct {
		name      string
		token     string
		path      string
		body      string
		wantCode  int
		wantBody  string
		wantState string // the reply's reactionType and reactionFeedback after, as "type/feedback"
	}{
		{"thumbs-up", ann, reply, `{"type":"thumbs-up"}`, 200, `{"reaction":{"type":"thumbs-up"}}`, "thumbs-up/"},
		{"the same again clears it", ann, reply, `{"type":"thumbs-up","x":1}`, 200, `{"reaction":null}`, "/"},
		{"thumbs-down without feedback", ann, reply, `{"type":"thumbs-down"}`, 200, `{"reaction":{"type":"thumbs-down"}}`, "thumbs-down/"},
		{"then its feedback", ann, reply, `{"type":"thumbs-down","feedback":"too short"}`, 200, `{"reaction":{"type":"thumbs-down","feedback":"too short"}}`, "thumbs-down/too short"},
		{"thumbs-down again clears it", ann, reply, `{"type":"thumbs-down","feedback":"x"}`, 200, `{"reaction":null}`, "/"},
		{"unknown type", ann, reply, `{"type":"heart"}`, 400, `{"error":"Invalid reaction"}`, "/"},
		{"feedback a number", ann, reply, `{"type":"thumbs-down","feedback":5}`, 400, `{"error":"Invalid reaction"}`, "/"},
		{"array", ann, reply, `[]`, 400, `{"error":"Invalid reaction"}`, "/"},
		{"not JSON", ann, reply, `thumbs`, 400, `{"error":"Invalid JSON body"}`, "/"},
		{"id not a number", ann, "/api/chat/conversation/" + slug + "/message/abc", `{"type":"thumbs-up"}`, 400, `{"error":"Invalid message ID"}`, "/"},
		{"unknown message", ann, "/api/chat/conversation/" + slug + "/message/0x7fff", `{"type":"thumbs-up"}`, 500, ``, "/"}, // takeUniqueOrThrow throws before the route's 404
		{"an empty reply's Date.now() id", ann, "/api/chat/conversation/" + slug + "/message/1764115200000", `{"type":"thumbs-up"}`, 500, ``, "/"},
		{"unknown conversation", ann, "/api/chat/conversation/nope/message/1", `{"type":"thumbs-up"}`, 500, ``, "/"},
		{"foreign conversation", bob, reply, `{"type":"thumbs-up"}`, 500, ``, "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := m.do("POST", tt.path, tt.token, tt.body)
			if code != tt.wantCode || body != tt.wantBody {
				t.Errorf("POST %s %s: %d %s, want %d %s", tt.path, tt.body, code, body, tt.wantCode, tt.wantBody)
			}
			_, _, conv := m.do("GET", "/api/chat/conversation/"+slug+"?markRead=false", ann, "")
			var c struct {
				Messages []struct {
					ReactionType, ReactionFeedback, ReactionCreatedAt *string
				}
			}
			json.Unmarshal([]byte(conv), &c)
			r := c.Messages[1]
			got := deref(r.ReactionType) + "/" + deref(r.ReactionFeedback)
			if got != tt.wantState || (r.ReactionType != nil) != (r.ReactionCreatedAt != nil) {
				t.Errorf("reply's reaction = %s (created %v), want %s", got, deref(r.ReactionCreatedAt), tt.wantState)
			}
		})
	}
	if st := m.srv.Stats().Reactions; st != (ReactionStats{ThumbsUp: 1, ThumbsDown: 2, Cleared: 2}) {
		t.Errorf("Stats().Reactions = %+v, want 1 up, 2 down, 2 cleared", st)
	}
}

func TestParseMessageID(t *testing.T) {
	tests := []struct {
		in     string
		want   int64
		wantOK bool
	}{
		{"42", 42, true}, {" 42 ", 42, true}, {"+7", 7, true}, {"-7", -7, true}, {"0x1f", 31, true},
		{"0o17", 15, true}, {"0b101", 5, true}, {"", 0, true}, {"00012", 12, true},
		{"1.5", 0, false}, {"1e3", 0, false}, {"abc", 0, false}, {"--1", 0, false}, {"-0x1", 0, false},
		{"0x", 0, false}, {"1_000", 0, false}, {"99999999999999999999", 0, true}, // valid, matches no message
	}
	for _, tt := range tests {
		got, ok := parseMessageID(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseMessageID(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func FuzzParseReaction(f *testing.F) {
	for _, s := range []string{`{"type":"thumbs-up"}`, `{"type":"thumbs-down","feedback":null}`, `[]`, `null`, `"x"`, `{"type":5}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, ok := parseReaction(body)
		if !ok {
			return
		}
		if r.Type != "thumbs-up" && r.Type != "thumbs-down" || r.Type == "thumbs-up" && len(r.Feedback) > 0 {
			t.Errorf("parseReaction(%q) = %+v, ok", body, r)
		}
		if b, err := json.Marshal(r); err != nil || !strings.Contains(string(b), r.Type) {
			t.Errorf("parseReaction(%q) = %+v does not encode: %v", body, r, err)
		}
	})
}
