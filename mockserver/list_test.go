package mockserver

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

type listPage struct {
	Conversations []struct {
		Slug            string
		Subject         string
		CreatedAt       string
		LatestMessage   *string
		LatestMessageAt *string
		MessageCount    int
		IsEscalated     bool
		IsUnread        bool
	}
	NextCursor *string
}

func (m *mock) list(token, query string) listPage {
	m.t.Helper()
	code, _, body := m.do("GET", "/api/chat/conversations"+query, token, "")
	if code != 200 {
		m.t.Fatalf("list %s: %d %s", query, code, body)
	}
	var p listPage
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		m.t.Fatal(err)
	}
	return p
}

func TestListConversations(t *testing.T) {
	m := startMock(t, Config{Tokens: Range{2, 2}})
	ann := m.session("ann@example.com")
	bob := m.session("bob@example.com")
	var slugs []string // in creation order
	for i := range 5 {
		slugs = append(slugs, m.conversation(ann, fmt.Sprintf(`{"subject":"c%d"}`, i)))
		m.clock.Advance(time.Second)
	}
	m.conversation(bob, `{"subject":"bob's"}`)
	// Activity order, oldest first: c1, c3, (empty: created, no messages), c0, c4, c2.
	for _, i := range []int{1, 3, -1, 0, 4, 2} {
		if i < 0 {
			m.conversation(ann, `{"subject":"empty"}`)
		} else {
			m.chat(ann, slugs[i], fmt.Sprintf("message to c%d", i))
		}
		m.clock.Advance(time.Second)
	}
	// Pages of 2 over c2 c4 | c0 (empty) | c3 c1: the empty conversation is
	// dropped after paging, so the second page is short and still has a cursor.
	wantPages := [][]string{{slugs[2], slugs[4]}, {slugs[0]}, {slugs[3], slugs[1]}}
	wantCursors := []string{"2", "4", ""}
	cursor := ""
	for i, want := range wantPages {
		query := "?limit=2"
		if cursor != "" {
			query += "&cursor=" + cursor
		}
		p := m.list(ann, query)
		var got []string
		for _, c := range p.Conversations {
			got = append(got, c.Slug)
			if c.MessageCount != 2 || c.LatestMessage == nil || !strings.HasPrefix(*c.LatestMessage, "message to ") ||
				c.LatestMessageAt == nil || c.IsUnread || c.IsEscalated {
				t.Errorf("row %s = %+v, want 2 messages, the user's message as latest, read, not escalated", c.Subject, c)
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("page %d = %v, want %v", i, got, want)
		}
		next := ""
		if p.NextCursor != nil {
			next = *p.NextCursor
		}
		if next != wantCursors[i] {
			t.Errorf("page %d nextCursor = %q, want %q", i, next, wantCursors[i])
		}
		cursor = next
	}

	if p := m.list(ann, ""); len(p.Conversations) != 5 || p.NextCursor != nil {
		t.Errorf("default page: %d rows, nextCursor %v; want 5, null", len(p.Conversations), p.NextCursor)
	}
	for _, tt := range []struct{ token, query, want string }{
		{bob, "", `{"conversations":[],"nextCursor":null}`}, // his conversation has no messages
		{ann, "?cursor=40", `{"conversations":[],"nextCursor":null}`},
		{ann, "?cursor=3&limit=1", `{"conversations":[],"nextCursor":"4"}`}, // the empty one alone: dropped, the cursor kept
	} {
		if _, _, body := m.do("GET", "/api/chat/conversations"+tt.query, tt.token, ""); body != tt.want {
			t.Errorf("list %s = %s, want %s", tt.query, body, tt.want)
		}
	}

	// A staff message is the latest message and makes the row unread; an
	// AI reply does neither.
	m.staffReply(slugs[1], "A human here.")
	p := m.list(ann, "?limit=1")
	if row := p.Conversations[0]; row.Slug != slugs[1] || *row.LatestMessage != "A human here." || !row.IsUnread {
		t.Errorf("after a staff reply, first row = %+v, want c1, its text, unread", row)
	}
}

func TestListParams(t *testing.T) {
	m := startMock(t, Config{Tokens: Range{1, 1}})
	ann := m.session("ann@example.com")
	for range 3 {
		m.chat(ann, m.conversation(ann, `{}`), "hi")
	}
	tests := []struct {
		query    string
		wantCode int
		wantPath string // path of the first issue (400)
		wantNext string // nextCursor ("": null)
	}{
		{"limit=1", 200, "", "1"},
		{"limit=100", 200, "", ""},
		{"limit=1abc", 200, "", "1"}, // parseInt reads the leading digits
		{"limit=", 200, "", ""},
		{"cursor=1&limit=1", 200, "", "2"},
		{"cursor=1e9&limit=1", 200, "", "2"}, // no validation of cursor: parseInt("1e9") is 1
		{"cursor=&limit=1", 200, "", "NaN"},  // parseInt("") + limit
		{"limit=0", 400, "limit", ""},
		{"limit=101", 400, "limit", ""},
		{"limit=-3", 400, "limit", ""},
		{"limit=abc", 400, "limit", ""},
		{"cursor=abc", 500, "", ""}, // OFFSET NaN: the query throws
		{"cursor=-1", 500, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			code, _, body := m.do("GET", "/api/chat/conversations?"+tt.query, ann, "")
			if code != tt.wantCode {
				t.Fatalf("GET ?%s: %d %s, want %d", tt.query, code, body, tt.wantCode)
			}
			switch code {
			case 200:
				var p listPage
				json.Unmarshal([]byte(body), &p)
				next := ""
				if p.NextCursor != nil {
					next = *p.NextCursor
				}
				if next != tt.wantNext {
					t.Errorf("nextCursor = %q, want %q", next, tt.wantNext)
				}
			case 400:
				var r struct {
					Error   string
					Details []struct{ Path []string }
				}
				if err := json.Unmarshal([]byte(body), &r); err != nil {
					t.Fatal(err)
				}
				if r.Error != "Invalid search parameters" || len(r.Details) == 0 || r.Details[0].Path[0] != tt.wantPath {
					t.Errorf("body = %s, want Invalid search parameters with details on %s", body, tt.wantPath)
				}
			case 500:
				if body != "" {
					t.Errorf("500 body = %q, want empty", body)
				}
			}
		})
	}
}

func FuzzListParams(f *testing.F) {
	for _, s := range [][2]string{{"", ""}, {"40", "20"}, {"x", "1e3"}, {" 1", " +7px"}, {"99999999999999999999", "-0"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, cursor, limit string) {
		n, issues := parseLimit(limit)
		if len(issues) == 0 && (n < 1 || n > maxListLimit) {
			t.Errorf("parseLimit(%q) = %d with no issues; want 1–100", limit, n)
		}
		if offset, ok := parseCursor(cursor); ok && offset < 0 {
			t.Errorf("parseCursor(%q) = %d, ok; want offset ≥ 0", cursor, offset)
		}
	})
}

func TestUnreadCount(t *testing.T) {
	m := startMock(t, Config{Tokens: Range{1, 1}})
	ann := m.session("ann@example.com")
	count := func() string {
		code, h, body := m.do("GET", "/api/chat/conversations/unread", ann, "")
		if code != 200 || h.Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("GET unread: %d %s", code, body)
		}
		return body
	}
	a := m.conversation(ann, `{}`)
	b := m.conversation(ann, `{}`)
	steps := []struct {
		name string
		do   func()
		want string
	}{
		{"no messages", func() {}, `{"count":0}`},
		{"own messages read", func() { m.chat(ann, a, "hi"); m.chat(ann, b, "hi") }, `{"count":0}`},
		// Unlike the list, the count includes AI replies newer than the last read.
		{"a later AI reply", func() { m.srv.storeReply(m.srv.store.get(a), roleAssistant, "later") }, `{"count":1}`},
		{"a staff reply", func() { m.staffReply(b, "human") }, `{"count":2}`},
		{"one opened", func() { m.do("GET", "/api/chat/conversation/"+a, ann, "") }, `{"count":1}`},
		{"one polled", func() { m.do("GET", "/api/chat/conversation/"+b+"?markRead=false", ann, "") }, `{"count":1}`},
		{"one marked read", func() { m.do("PATCH", "/api/chat/conversation/"+b, ann, `{"markRead":true}`) }, `{"count":0}`},
	}
	for _, st := range steps {
		m.clock.Advance(time.Second)
		st.do()
		if got := count(); got != st.want {
			t.Errorf("%s: unread = %s, want %s", st.name, got, st.want)
		}
	}
	if got := m.srv.Stats().Reads.Unread; got != int64(len(steps)) {
		t.Errorf("Stats().Reads.Unread = %d, want %d", got, len(steps))
	}
}
