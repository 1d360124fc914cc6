package mockserver

import (
	"net/http"
	"strconv"
	"strings"
)

// The conversation list and the unread count
// (app/api/chat/conversations/route.ts, …/unread/route.ts).

// Limits of the conversation list's page size.
const (
	defaultListLimit = 20
	maxListLimit     = 100
)

// summaryView is one row of the conversation list.
type summaryView struct {
	Slug            string  `json:"slug"`
	Subject         string  `json:"subject"`
	CreatedAt       string  `json:"createdAt"`
	LatestMessage   *string `json:"latestMessage"`
	LatestMessageAt *string `json:"latestMessageAt"`
	MessageCount    int     `json:"messageCount"`
	IsEscalated     bool    `json:"isEscalated"`
	IsUnread        bool    `json:"isUnread"`
}

// issue is one zod-style validation issue of a 400 body.
type issue struct {
	Code    string   `json:"code"`
	Path    []string `json:"path"`
	Message string   `json:"message"`
}

// parseLimit reads limit as Helper does: JavaScript's parseInt (default
// 20), then 1–100; a failure is a zod issue.
func parseLimit(text string) (int, []issue) {
	if text == "" {
		return defaultListLimit, nil
	}
	n, ok := jsParseInt(text)
	switch {
	case !ok:
		return 0, []issue{{"invalid_type", []string{"limit"}, "Expected number, received nan"}}
	case n < 1:
		return 0, []issue{{"too_small", []string{"limit"}, "Number must be greater than or equal to 1"}}
	case n > maxListLimit:
		return 0, []issue{{"too_big", []string{"limit"}, "Number must be less than or equal to 100"}}
	}
	return n, nil
}

// parseCursor reads cursor as Helper does, without validating it: the
// offset is parseInt(cursor) when cursor is non-empty, else 0. ok is false
// when the database would refuse that offset (NaN, or negative): Helper's
// query throws.
func parseCursor(text string) (offset int, ok bool) {
	if text == "" {
		return 0, true
	}
	n, isNum := jsParseInt(text)
	return n, isNum && n >= 0
}

// jsParseInt mimics JavaScript's parseInt(s, 10): leading white space, an
// optional sign, then the longest run of digits; no digits is NaN (false).
// Values beyond the int range saturate.
func jsParseInt(s string) (int, bool) {
	s = strings.TrimLeft(s, " \t\n\r\v\f")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n, digits := 0, 0
	for ; digits < len(s) && s[digits] >= '0' && s[digits] <= '9'; digits++ {
		if n < 1<<31 {
			n = n*10 + int(s[digits]-'0')
		}
	}
	if digits == 0 {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// handleListConversations serves GET /api/chat/conversations as Helper
// does: the visitor's conversations, newest activity first, a page of limit
// rows from the cursor's offset; nextCursor is set when rows remain past the
// page. Conversations without messages are dropped from the page after
// paging, so a page can hold fewer rows than limit (even none) while
// nextCursor is set. latestMessage and isUnread come from user and staff
// messages only: an AI reply never makes a conversation unread here.
func (s *Server) handleListConversations(w http.ResponseWriter, r *http.Request, v visitor) {
	q := r.URL.Query()
	limit, issues := parseLimit(q.Get("limit"))
	if len(issues) > 0 {
		s.reject(r, &s.counts.invalidRequest, "invalid_request")
		writeJSON(w, http.StatusBadRequest, struct {
			Error   string  `json:"error"`
			Details []issue `json:"details"`
		}{"Invalid search parameters", issues})
		return
	}
	cursor := q.Get("cursor")
	offset, valid := parseCursor(cursor)
	if !valid {
		s.reject(r, &s.counts.invalidRequest, "invalid_request")
		unhandled(w)
		return
	}
	all := s.store.list(v.owner)
	page := struct {
		Conversations []summaryView `json:"conversations"`
		NextCursor    *string       `json:"nextCursor"`
	}{Conversations: []summaryView{}}
	if offset < len(all) {
		for _, c := range all[offset:min(len(all), offset+limit)] {
			if c.count == 0 {
				continue
			}
			row := summaryView{
				Slug: c.slug, Subject: c.subject, CreatedAt: iso(c.createdAt), MessageCount: c.count,
				IsEscalated: c.escalated, IsUnread: c.unread,
			}
			if c.recent != "" {
				row.LatestMessage = &c.recent
			}
			if !c.recentAt.IsZero() {
				at := iso(c.recentAt)
				row.LatestMessageAt = &at
			}
			page.Conversations = append(page.Conversations, row)
		}
	}
	if len(all) > offset+limit {
		// (parseInt(cursor ?? "0") + limit).toString(): an empty cursor
		// parameter makes it "NaN", as it does on Helper.
		next := "NaN"
		if !q.Has("cursor") {
			next = strconv.Itoa(limit)
		} else if n, isNum := jsParseInt(cursor); isNum {
			next = strconv.Itoa(n + limit)
		}
		page.NextCursor = &next
	}
	s.counts.lists.Add(1)
	ok(w, page)
}

// handleUnread serves GET /api/chat/conversations/unread: {"count": n}, the
// visitor's conversations with a message newer than their last read (any
// role: here AI replies do count) or never read.
func (s *Server) handleUnread(w http.ResponseWriter, r *http.Request, v visitor) {
	n := s.store.unread(v.owner)
	s.counts.unreadCounts.Add(1)
	ok(w, struct {
		Count int `json:"count"`
	}{n})
}
