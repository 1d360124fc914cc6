package accesslog

import "strings"

// Route is what a request was, in loadgen's step names where a step sends it.
type Route string

// The routes of Helper that a widget or SDK calls (antiwork/helper app/**/route.ts).
const (
	SDK            Route = "sdk"             // GET /widget/sdk.js
	Preflight      Route = "preflight"       // OPTIONS /api/widget/session
	Session        Route = "session"         // POST /api/widget/session: a page view
	Conversation   Route = "conversation"    // POST /api/chat/conversation: a chat starts
	Message        Route = "message"         // POST /api/chat: a streamed message
	AsyncMessage   Route = "async_message"   // POST /api/chat/conversation/{slug}/message
	Open           Route = "open"            // GET /api/chat/conversation/{slug}: a reopen (marks read)
	Poll           Route = "poll"            // GET /api/chat/conversation/{slug}?markRead=false
	MarkRead       Route = "mark_read"       // PATCH /api/chat/conversation/{slug}
	React          Route = "react"           // POST /api/chat/conversation/{slug}/message/{id}
	History        Route = "history"         // GET /api/chat/conversations
	Unread         Route = "unread"          // GET /api/chat/conversations/unread
	OtherPreflight Route = "preflight_other" // OPTIONS of another /api/chat route
	Other          Route = "other"           // anything else
)

// Routes returns every Route in report order.
func Routes() []Route {
	return []Route{SDK, Preflight, Session, Conversation, Message, AsyncMessage, Open, Poll, MarkRead,
		React, History, Unread, OtherPreflight, Other}
}

// Classify returns the route of a request. Paths may carry a prefix (a
// proxy's mount point): matching starts at "/api/" or "/widget/".
func Classify(method, path, query string) Route {
	if i := strings.Index(path, "/api/"); i >= 0 {
		path = path[i:]
	} else if i := strings.Index(path, "/widget/"); i >= 0 {
		path = path[i:]
	}
	path = strings.TrimSuffix(path, "/")
	seg := strings.Split(strings.TrimPrefix(path, "/"), "/")
	switch {
	case len(seg) == 2 && seg[0] == "widget" && strings.HasPrefix(seg[1], "sdk") && strings.HasSuffix(seg[1], ".js"):
		if method == "GET" || method == "HEAD" {
			return SDK
		}
	case len(seg) < 2 || seg[0] != "api":
	case method == "OPTIONS" && path == "/api/widget/session":
		return Preflight
	case method == "OPTIONS" && seg[1] == "chat":
		return OtherPreflight
	case path == "/api/widget/session":
		return only(method, "POST", Session)
	case path == "/api/chat":
		return only(method, "POST", Message)
	case path == "/api/chat/conversation":
		return only(method, "POST", Conversation)
	case path == "/api/chat/conversations":
		return only(method, "GET", History)
	case path == "/api/chat/conversations/unread":
		return only(method, "GET", Unread)
	case len(seg) == 4 && seg[1] == "chat" && seg[2] == "conversation":
		switch method {
		case "GET":
			if hasParam(query, "markRead", "false") {
				return Poll
			}
			return Open
		case "PATCH":
			return MarkRead
		}
	case len(seg) == 5 && seg[2] == "conversation" && seg[4] == "message":
		return only(method, "POST", AsyncMessage)
	case len(seg) == 6 && seg[2] == "conversation" && seg[4] == "message":
		return only(method, "POST", React)
	}
	return Other
}

func only(method, want string, r Route) Route {
	if method == want {
		return r
	}
	return Other
}

// hasParam reports whether query has key=value (no decoding: these values are plain).
func hasParam(query, key, value string) bool {
	for _, kv := range strings.Split(query, "&") {
		if kv == key+"="+value {
			return true
		}
	}
	return false
}
