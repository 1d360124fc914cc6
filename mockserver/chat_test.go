package mockserver

import (
	"bufio"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestChatErrors(t *testing.T) {
	m := startMock(t, Config{})
	ann := m.session("ann@example.com")
	bob := m.session("bob@example.com")
	slug := m.conversation(ann, `{}`)
	tests := []struct {
		name     string
		token    string
		body     string
		wantCode int
		wantBody string
	}{
		{"not JSON", ann, `hello`, 500, ``},
		{"empty body", ann, ``, 500, ``},
		{"no message", ann, `{"conversationSlug":"` + slug + `"}`, 500, ``},
		{"no slug", ann, `{"message":{"content":"hi"}}`, 500, ``},
		{"content a number", ann, `{"conversationSlug":"` + slug + `","message":{"content":5}}`, 500, ``},
		{"unknown conversation", ann, chatBody("nope", "hi"), 500, ``},
		{"foreign conversation", bob, chatBody(slug, "hi"), 500, ``},
		{"no token", "", chatBody(slug, "hi"), 401, `{"error":"Missing authorization header"}`},
		{"bad token", "x.y.z", chatBody(slug, "hi"), 401, `{"error":"Invalid session token"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, h, body := m.do("POST", "/api/chat", tt.token, tt.body)
			if code != tt.wantCode || body != tt.wantBody {
				t.Errorf("POST /api/chat %s: %d %q, want %d %q", tt.body, code, body, tt.wantCode, tt.wantBody)
			}
			if code == 500 && h.Get("Content-Type") != "" {
				t.Errorf("500 Content-Type = %q, want none", h.Get("Content-Type"))
			}
		})
	}
	st := m.srv.Stats()
	if st.Rejections.UnknownConversation != 1 || st.Rejections.ForeignConversation != 1 || st.Rejections.InvalidRequest != 5 {
		t.Errorf("Stats().Rejections = %+v, want 1 unknown, 1 foreign, 5 invalid", st.Rejections)
	}
	if st.Messages.StreamStarted != 0 {
		t.Errorf("Stats().Messages.StreamStarted = %d, want 0", st.Messages.StreamStarted)
	}
}

// modelShape matches a model reply's prefixes (see prefixes).
var modelShape = regexp.MustCompile(`^(2 )?(f 9 e )?f 0\+? e d( h)* 8$`)

func TestChatModelStream(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		shape string // exact prefixes
	}{
		{"plain", Config{Tokens: Range{5, 5}}, "f 0+ e d 8"},
		{"one token", Config{Tokens: Range{1, 1}}, "f 0 e d 8"},
		{"data part first", Config{Tokens: Range{5, 5}, DataPart: 1}, "2 f 0+ e d 8"},
		{"tool step", Config{Tokens: Range{5, 5}, ToolStep: 1}, "f 9 e f 0+ e d 8"},
		{"sources", Config{Tokens: Range{5, 5}, Sources: 2}, "f 0+ e d h h 8"},
		{"everything", Config{Tokens: Range{5, 5}, DataPart: 1, ToolStep: 1, Sources: 1}, "2 f 9 e f 0+ e d h 8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := startMock(t, tt.cfg)
			ann := m.session("ann@example.com")
			slug := m.conversation(ann, `{}`)
			code, h, body := m.chat(ann, slug, "Where is my \"order\"?")
			if code != 200 {
				t.Fatalf("chat: %d %s", code, body)
			}
			if got := h.Get("Content-Type"); got != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type = %q, want text/plain; charset=utf-8", got)
			}
			if got := h.Get("X-Vercel-AI-Data-Stream"); got != "v1" {
				t.Errorf("X-Vercel-AI-Data-Stream = %q, want v1", got)
			}
			parts := parseParts(t, body)
			if got := prefixes(parts); got != tt.shape || !modelShape.MatchString(got) {
				t.Fatalf("parts %q, want %q\n%s", got, tt.shape, body)
			}
			checkModelReply(t, m, ann, slug, parts, tt.cfg.Tokens.Min)
		})
	}
}

// checkModelReply checks a model reply's payloads against what the server stored.
func checkModelReply(t *testing.T, m *mock, token, slug string, parts []part, tokens int) {
	t.Helper()
	var texts, steps int
	var finish struct {
		FinishReason string
		Usage        struct{ PromptTokens, CompletionTokens int }
	}
	var annotation []struct{ ID, TraceID string }
	var stepSum struct{ PromptTokens, CompletionTokens int } // e: parts carry each step's usage, d: their sum
	for _, p := range parts {
		switch p.prefix {
		case "0":
			texts++
		case "f":
			var f struct{ MessageID string }
			json.Unmarshal([]byte(p.payload), &f)
			if !regexp.MustCompile(`^msg-[0-9A-Za-z]{24}$`).MatchString(f.MessageID) {
				t.Errorf("f: %s, want messageId msg-<24 chars>", p.payload)
			}
			steps++
		case "e":
			var e struct {
				FinishReason string
				IsContinued  *bool
				Usage        struct{ PromptTokens, CompletionTokens int }
			}
			json.Unmarshal([]byte(p.payload), &e)
			stepSum.PromptTokens += e.Usage.PromptTokens
			stepSum.CompletionTokens += e.Usage.CompletionTokens
			want := "stop"
			if steps == 1 && strings.Contains(prefixes(parts), "9") {
				want = "tool-calls"
			}
			if e.FinishReason != want || e.IsContinued == nil || *e.IsContinued {
				t.Errorf("e: %s, want finishReason %s, isContinued false", p.payload, want)
			}
		case "d":
			json.Unmarshal([]byte(p.payload), &finish)
		case "8":
			if err := json.Unmarshal([]byte(p.payload), &annotation); err != nil || len(annotation) != 1 {
				t.Errorf("8: %s, want one annotation", p.payload)
			}
		case "9":
			var c struct {
				ToolCallID, ToolName string
				Args                 map[string]string
			}
			json.Unmarshal([]byte(p.payload), &c)
			if c.ToolCallID == "" || c.ToolName != "knowledge_base" || c.Args["query"] == "" {
				t.Errorf("9: %s, want toolCallId, toolName knowledge_base, args.query", p.payload)
			}
		}
	}
	if texts != tokens {
		t.Errorf("%d text parts, want %d", texts, tokens)
	}
	wantCompletion := tokens
	if strings.Contains(prefixes(parts), "9") {
		wantCompletion += toolStepTokens
	}
	if finish.FinishReason != "stop" || finish.Usage.CompletionTokens != wantCompletion || finish.Usage.PromptTokens <= 0 {
		t.Errorf("d: %+v, want finishReason stop, completionTokens %d, promptTokens > 0", finish, wantCompletion)
	}
	if stepSum != finish.Usage {
		t.Errorf("usage of the e: parts sums to %+v, d: usage %+v; want equal (each e: is one step's usage)", stepSum, finish.Usage)
	}
	msgs := m.conversationMessages(token, slug)
	last := msgs[len(msgs)-1]
	if len(annotation) == 1 && (annotation[0].ID != last.ID || annotation[0].TraceID == "") {
		t.Errorf("8: id %q traceId %q, want the stored message id %q and a traceId", annotation[0].ID, annotation[0].TraceID, last.ID)
	}
	if got := text(t, parts); got != last.Content || last.Role != "assistant" {
		t.Errorf("streamed text %q, stored %s %q; want equal", got, last.Role, last.Content)
	}
}

func TestChatStats(t *testing.T) {
	m := startMock(t, Config{Tokens: Range{3, 3}})
	ann := m.session("ann@example.com")
	slug := m.conversation(ann, `{}`)
	for range 3 {
		m.chat(ann, slug, "hi")
	}
	st := m.srv.Stats()
	if st.Messages.StreamStarted != 3 || st.Messages.StreamCompleted != 3 || st.Replies.Model != 3 || st.InFlight != 0 {
		t.Errorf("Stats() = %+v, want 3 started, 3 completed, 3 model replies, none in flight", st)
	}
}

// singleShot matches a single-shot reply: 8:[{"id":"N"}] then one 0: part.
var singleShot = regexp.MustCompile(`^8:\[\{"id":"(\d+)"\}\]\n0:(".*")\n$`)

func TestChatCachedReply(t *testing.T) {
	m := startMock(t, Config{Tokens: Range{4, 4}})
	ann := m.session("ann@example.com")
	const prompt = "How do I reset my password?"

	first := m.conversation(ann, `{"isPrompt":true}`)
	_, _, body := m.chat(ann, first, prompt)
	if got := prefixes(parseParts(t, body)); got != "f 0+ e d 8" {
		t.Fatalf("first prompt: parts %q, want a model reply", got)
	}
	replies := map[string]string{prompt: text(t, parseParts(t, body))}

	steps := []struct {
		name      string
		isPrompt  bool
		content   string
		advance   time.Duration
		wantCache bool
	}{
		{"same prompt, new isPrompt conversation", true, prompt, 0, true},
		{"same prompt, 23 h later (a hit does not refresh the entry)", true, prompt, 23 * time.Hour, true},
		{"not isPrompt: never read", false, prompt, 0, false},
		{"not isPrompt, new text: written all the same", false, "Where is my parcel?", 0, false},
		{"that text as a prompt", true, "Where is my parcel?", 0, true},
		{"same prompt, 25 h after its last write", true, prompt, 25 * time.Hour, false},
	}
	for _, st := range steps {
		m.clock.Advance(st.advance)
		ann = m.session("ann@example.com") // the clock may have passed the token's expiry
		slug := m.conversation(ann, `{"isPrompt":`+strconv.FormatBool(st.isPrompt)+`}`)
		_, _, body := m.chat(ann, slug, st.content)
		match := singleShot.FindStringSubmatch(body)
		if (match != nil) != st.wantCache {
			t.Errorf("%s: body %q, want cached single-shot %v", st.name, body, st.wantCache)
			continue
		}
		if match == nil {
			replies[st.content] = text(t, parseParts(t, body))
			continue
		}
		var got string
		json.Unmarshal([]byte(match[2]), &got)
		msgs := m.conversationMessages(ann, slug)
		if want := replies[st.content]; got != want || match[1] != msgs[1].ID || msgs[1].Content != want {
			t.Errorf("%s: cached text %q id %s, stored %+v; want the first reply %q with the stored id", st.name, got, match[1], msgs[1], want)
		}
		// A later message in the same conversation is a model reply, and is
		// not cached: only first messages are.
		_, _, body = m.chat(ann, slug, "A follow-up")
		if got := prefixes(parseParts(t, body)); got != "f 0+ e d 8" {
			t.Errorf("%s: second message parts %q, want a model reply", st.name, got)
		}
	}
	slug := m.conversation(ann, `{"isPrompt":true}`)
	if _, _, body := m.chat(ann, slug, "A follow-up"); singleShot.MatchString(body) {
		t.Errorf("a follow-up's reply was cached: %q", body)
	}
	if got := m.srv.Stats().Replies.Cached; got != 3 {
		t.Errorf("Stats().Replies.Cached = %d, want 3", got)
	}
}

func TestChatEscalation(t *testing.T) {
	tests := []struct {
		name     string
		isPrompt bool
		want     []string // the single-shot texts after the escalating reply
	}{
		{"typed chat", false, []string{"", ""}},
		// respondWithAI: the second user message of a prompt conversation
		// gets the canned text, later ones nothing.
		{"prompt button", true, []string{"A human will reply — soon.", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := startMock(t, Config{HumanShare: 1, Tokens: Range{3, 3}, CannedText: "A human will reply — soon."})
			ann := m.session("ann@example.com")
			slug := m.conversation(ann, `{"isPrompt":`+strconv.FormatBool(tt.isPrompt)+`}`)
			_, _, body := m.chat(ann, slug, "I want a person")
			parts := parseParts(t, body)
			if got := prefixes(parts); got != "f 9 e f 0+ e d 8" || !strings.Contains(parts[1].payload, `"toolName":"request_human_support","args":{"reason":"I want a person"}`) {
				t.Fatalf("first message: %q, want a model reply calling request_human_support", body)
			}
			if msgs := m.conversationMessages(ann, slug); msgs[1].Content != escalatedText {
				t.Errorf("stored reply %q, want %q", msgs[1].Content, escalatedText)
			}
			for i, want := range tt.want {
				_, h, body := m.chat(ann, slug, "hello?")
				match := singleShot.FindStringSubmatch(body)
				if h.Get("X-Vercel-AI-Data-Stream") != "v1" || match == nil || match[2] != strconv.Quote(want) {
					t.Fatalf("message %d after the escalation: %q, want 8:[{id}] then 0:%q", i+2, body, want)
				}
				if want == "" {
					// Helper stores no reply and annotates the empty one with Date.now().
					if now := strconv.FormatInt(m.clock.Now().UnixMilli(), 10); match[1] != now {
						t.Errorf("empty reply's 8: id %s, want the time in Unix milliseconds %s", match[1], now)
					}
				} else if msgs := m.conversationMessages(ann, slug); match[1] != msgs[len(msgs)-1].ID {
					t.Errorf("canned reply's 8: id %s, want the stored reply's id %s", match[1], msgs[len(msgs)-1].ID)
				}
			}
			_, _, conv := m.do("GET", "/api/chat/conversation/"+slug+"?markRead=false", ann, "")
			if !strings.Contains(conv, `"isEscalated":true`) {
				t.Errorf("conversation %s, want isEscalated true", conv)
			}
			// An escalated first message is not cached.
			other := m.conversation(ann, `{"isPrompt":true}`)
			if _, _, body := m.chat(ann, other, "I want a person"); singleShot.MatchString(body) {
				t.Errorf("an escalating reply was cached: %q", body)
			}
			st := m.srv.Stats()
			wantHuman := int64(0)
			if tt.isPrompt {
				wantHuman = 1
			}
			if st.Escalations != 2 || st.Replies.Model != 2 || st.Replies.Human != wantHuman || st.Replies.Human+st.Replies.Empty != 2 {
				t.Errorf("Stats(): escalations %d, replies %+v; want 2, 2 model, %d canned, 2 single-shot in all", st.Escalations, st.Replies, wantHuman)
			}
		})
	}
}

func TestSplitParts(t *testing.T) {
	m := startMock(t, Config{Tokens: Range{10, 10}, SplitParts: 1})
	ann := m.session("ann@example.com")
	slug := m.conversation(ann, `{}`)
	resp := m.request("POST", "/api/chat", ann, chatBody(slug, "hi"))
	defer resp.Body.Close()
	var body strings.Builder
	splitReads := 0
	buf := make([]byte, 64<<10)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			body.Write(buf[:n])
			if buf[n-1] != '\n' {
				splitReads++
			}
		}
		if err != nil {
			break
		}
	}
	if splitReads == 0 {
		t.Errorf("no read ended inside a line, want some")
	}
	if got := prefixes(parseParts(t, body.String())); got != "f 0+ e d 8" {
		t.Errorf("parts %q, want a whole model reply", got)
	}
}

func TestStreamTiming(t *testing.T) {
	const ttft, interval = 100 * time.Millisecond, 20 * time.Millisecond
	m := startMock(t, Config{TTFT: Fixed(ttft), TokenInterval: Fixed(interval), Tokens: Range{4, 4}, DataPart: 1})
	ann := m.session("ann@example.com")
	slug := m.conversation(ann, `{}`)
	start := time.Now()
	resp := m.request("POST", "/api/chat", ann, chatBody(slug, "hi"))
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	var firstLine, firstText time.Duration
	var lines []string
	var textAt []time.Duration
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			break
		}
		at := time.Since(start)
		if len(lines) == 0 {
			firstLine = at
		}
		if strings.HasPrefix(line, "0:") {
			textAt = append(textAt, at)
			if firstText == 0 {
				firstText = at
			}
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "2:") {
		t.Fatalf("first line %q, want the data part", lines)
	}
	if firstText < ttft {
		t.Errorf("first text part after %v, want ≥ TTFT %v", firstText, ttft)
	}
	if firstLine >= firstText {
		t.Errorf("first line after %v, first text after %v; want the data part first", firstLine, firstText)
	}
	// Reads can be late but never early: the last part left no sooner than
	// TTFT plus three intervals after the request.
	if len(textAt) != 4 || textAt[3] < ttft+3*interval {
		t.Errorf("text parts at %v, want 4, the last after ≥ %v", textAt, ttft+3*interval)
	}
}
