package mockserver

import (
	"net/http"
	"strconv"
	"sync/atomic"
)

// Route names one endpoint of the mock as GET /stats and the
// helpermock_requests_total metric label it: the method and Helper's path
// pattern. The set is fixed, so it is a bounded label set. Each is a route
// handler of Helper's app/ tree (antiwork/helper: app/widget/[name]/route.tsx,
// app/api/widget/session/route.ts, app/api/chat/**/route.ts).
type Route string

// The routes, in the order Routes lists them.
const (
	RouteSDK                Route = "GET /widget/sdk.js"
	RouteSDKPreflight       Route = "OPTIONS /widget/sdk.js"
	RouteSessionPreflight   Route = "OPTIONS /api/widget/session"
	RouteSession            Route = "POST /api/widget/session"
	RouteCreateConversation Route = "POST /api/chat/conversation"
	RouteChat               Route = "POST /api/chat"
	RoutePostMessage        Route = "POST /api/chat/conversation/{slug}/message"
	RouteOpen               Route = "GET /api/chat/conversation/{slug}"                // markRead absent or not "false": a write
	RoutePoll               Route = "GET /api/chat/conversation/{slug}?markRead=false" // a read only
	RouteMarkRead           Route = "PATCH /api/chat/conversation/{slug}"
	RouteReact              Route = "POST /api/chat/conversation/{slug}/message/{id}"
	RouteList               Route = "GET /api/chat/conversations"
	RouteUnread             Route = "GET /api/chat/conversations/unread"
	RouteChatPreflight      Route = "OPTIONS /api/chat/**" // every /api/chat route's preflight
)

// allRoutes is the fixed route set; a route's index is its counter's.
var allRoutes = [...]Route{RouteSDK, RouteSDKPreflight, RouteSessionPreflight, RouteSession,
	RouteCreateConversation, RouteChat, RoutePostMessage, RouteOpen, RoutePoll, RouteMarkRead, RouteReact,
	RouteList, RouteUnread, RouteChatPreflight}

// Routes returns every route, in a fixed order.
func Routes() []Route { return append([]Route(nil), allRoutes[:]...) }

func routeIndex(rt Route) int {
	for i, r := range allRoutes {
		if r == rt {
			return i
		}
	}
	panic("mockserver: unknown route " + string(rt))
}

// Status codes counted one by one; others share the last slot, as does 0
// (the handler wrote nothing, as when a stream's connection was reset).
const (
	minCountedCode = 100
	maxCountedCode = 599
	otherCodeSlot  = maxCountedCode - minCountedCode + 1
)

// routeCounter counts one route's requests, by status code. Lock-free.
type routeCounter struct {
	requests atomic.Int64
	codes    [otherCodeSlot + 1]atomic.Int64
}

func (c *routeCounter) code(code int) {
	if code < minCountedCode || code > maxCountedCode {
		c.codes[otherCodeSlot].Add(1)
		return
	}
	c.codes[code-minCountedCode].Add(1)
}

// snapshot returns the counts as RouteStats.
func (c *routeCounter) snapshot() RouteStats {
	st := RouteStats{Requests: c.requests.Load(), Codes: map[string]int64{}}
	for i := range c.codes {
		if n := c.codes[i].Load(); n != 0 {
			key := "other"
			if i != otherCodeSlot {
				key = strconv.Itoa(i + minCountedCode)
			}
			st.Codes[key] = n
		}
	}
	return st
}

// counted wraps h so each request counts under rt: the request when it
// arrives, its status code when the handler returns.
func (s *Server) counted(rt Route, h http.HandlerFunc) http.HandlerFunc {
	c := &s.routeCounts[routeIndex(rt)]
	return func(w http.ResponseWriter, r *http.Request) { serveCounted(c, w, r, h) }
}

func serveCounted(c *routeCounter, w http.ResponseWriter, r *http.Request, h http.HandlerFunc) {
	c.requests.Add(1)
	sw := statusWriter{ResponseWriter: w}
	h(&sw, r)
	c.code(sw.status)
}

// statusWriter records the status code a handler sends. It passes Flush
// on (the stream writer asserts http.Flusher) and Unwrap (so
// http.ResponseController reaches the connection, for hijacking).
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// routes registers every handler.
func (s *Server) routes() {
	m := s.mux
	handle := func(pattern string, rt Route, h http.HandlerFunc) { m.HandleFunc(pattern, s.counted(rt, h)) }

	// The widget's loader script and its session: every page view of the host site.
	handle("GET /widget/{name}", RouteSDK, s.handleSDK)
	handle("OPTIONS /widget/{name}", RouteSDKPreflight, handleSDKOptions)
	handle("OPTIONS /api/widget/session", RouteSessionPreflight, corsOptions())
	handle("POST /api/widget/session", RouteSession, s.api(s.handleSession))

	handle("POST /api/chat/conversation", RouteCreateConversation, s.api(s.authed(s.handleCreateConversation)))
	handle("POST /api/chat", RouteChat, s.api(s.authed(s.handleChat)))
	handle("POST /api/chat/conversation/{slug}/message", RoutePostMessage, s.api(s.authed(s.handlePostMessage)))
	open := s.counted(RouteOpen, s.api(s.authed(s.handleGetConversation)))
	poll := s.counted(RoutePoll, s.api(s.authed(s.handleGetConversation)))
	m.HandleFunc("GET /api/chat/conversation/{slug}", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("markRead") == "false" {
			poll(w, r)
			return
		}
		open(w, r)
	})
	handle("PATCH /api/chat/conversation/{slug}", RouteMarkRead, s.api(s.authed(s.handleMarkRead)))
	handle("POST /api/chat/conversation/{slug}/message/{id}", RouteReact, s.api(s.authed(s.handleReact)))
	handle("GET /api/chat/conversations", RouteList, s.api(s.authed(s.handleListConversations)))
	handle("GET /api/chat/conversations/unread", RouteUnread, s.api(s.authed(s.handleUnread)))

	// Each /api/chat route's OPTIONS export, naming its own methods
	// (corsOptions in app/api/widget/utils.ts).
	for _, p := range []struct {
		path    string
		methods []string
	}{
		{"/api/chat", []string{"POST"}},
		{"/api/chat/conversation", []string{"POST"}},
		{"/api/chat/conversation/{slug}", []string{"GET", "PATCH"}},
		{"/api/chat/conversation/{slug}/message", []string{"POST"}},
		{"/api/chat/conversation/{slug}/message/{id}", []string{"POST"}},
		{"/api/chat/conversations", []string{"GET"}},
		{"/api/chat/conversations/unread", []string{"GET"}},
	} {
		handle("OPTIONS "+p.path, RouteChatPreflight, corsOptions(p.methods...))
	}

	m.HandleFunc("GET /stats", s.handleStats)
	m.Handle("GET /metrics", s.metrics.handler)
}
