package mockserver

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestStatsEndpointAndMetrics(t *testing.T) {
	m := startMock(t, Config{Tokens: Range{2, 2}, AsyncNoReply: 1})
	ann := m.session("ann@example.com")
	m.session("")
	slug := m.conversation(ann, `{}`)
	m.chat(ann, slug, "hi")
	m.do("POST", "/api/chat/conversation/"+slug+"/message", ann, `{"content":"hi"}`)
	m.do("GET", "/api/chat/conversations", "", "")
	m.do("POST", "/api/widget/session", "", `{"email":"x@example.com","emailHash":"00","timestamp":1}`)
	waitFor(t, "the async job", func() bool { return m.srv.Stats().Messages.AsyncNoReply == 1 })

	code, h, body := m.do("GET", "/stats", "", "")
	if code != 200 || h.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /stats: %d %s", code, h.Get("Content-Type"))
	}
	var got Stats
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	wantRoutes := map[Route]RouteStats{
		RouteSession:            {3, map[string]int64{"200": 2, "401": 1}},
		RouteCreateConversation: {1, map[string]int64{"200": 1}},
		RouteChat:               {1, map[string]int64{"200": 1}},
		RoutePostMessage:        {1, map[string]int64{"200": 1}},
		RouteList:               {1, map[string]int64{"401": 1}},
	}
	for _, rt := range Routes() {
		want, ok := wantRoutes[rt]
		if !ok {
			want = RouteStats{Codes: map[string]int64{}}
		}
		if got := got.Routes[rt]; !reflect.DeepEqual(got, want) {
			t.Errorf("GET /stats routes[%q] = %+v, want %+v", rt, got, want)
		}
	}
	got.Routes = nil
	want := Stats{
		Sessions:       SessionStats{Email: 1, Anonymous: 1},
		Conversations:  1,
		DefaultSubject: 1,
		Messages:       MessageStats{StreamStarted: 1, StreamCompleted: 1, AsyncStarted: 1, AsyncNoReply: 1},
		Replies:        ReplyStats{Model: 1},
		Rejections:     RejectionStats{MissingToken: 1, StaleTimestamp: 1},
		Stored:         StoreStats{Conversations: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GET /stats = %+v\nwant %+v", got, want)
	}
	for _, key := range []string{`"sessions":{"email":1,"anonymous":1}`, `"stream_started":1`, `"missing_token":1`, `"in_flight":0`} {
		if !strings.Contains(body, key) {
			t.Errorf("GET /stats = %s, want %s", body, key)
		}
	}

	const exposition = `
# HELP helpermock_sessions_total Sessions created, by type.
# TYPE helpermock_sessions_total counter
helpermock_sessions_total{type="anonymous"} 1
helpermock_sessions_total{type="email"} 1
# HELP helpermock_messages_started_total User messages accepted, by path (stream, async).
# TYPE helpermock_messages_started_total counter
helpermock_messages_started_total{path="async"} 1
helpermock_messages_started_total{path="stream"} 1
# HELP helpermock_replies_total Streamed replies begun, by shape (model, cached, human, empty).
# TYPE helpermock_replies_total counter
helpermock_replies_total{shape="cached"} 0
helpermock_replies_total{shape="empty"} 0
helpermock_replies_total{shape="human"} 0
helpermock_replies_total{shape="model"} 1
`
	if err := testutil.GatherAndCompare(m.srv.Gatherer(), strings.NewReader(exposition),
		"helpermock_sessions_total", "helpermock_messages_started_total", "helpermock_replies_total"); err != nil {
		t.Error(err)
	}
	code, _, metricsText := m.do("GET", "/metrics", "", "")
	if code != 200 {
		t.Fatalf("GET /metrics: %d", code)
	}
	for _, line := range []string{
		`helpermock_rejections_total{reason="stale_timestamp"} 1`,
		`helpermock_faults_total{kind="reset"} 0`,
		`helpermock_queue_wait_seconds_count 1`,
		`helpermock_generation_seconds_count 1`,
		`helpermock_generations_in_flight 0`,
		`helpermock_requests_total{code="401",route="POST /api/widget/session"} 1`,
		`helpermock_requests_total{code="200",route="POST /api/chat"} 1`,
	} {
		if !strings.Contains(metricsText, line) {
			t.Errorf("GET /metrics lacks %q", line)
		}
	}
	for _, line := range strings.Split(metricsText, "\n") {
		if line != "" && !strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "helpermock_") {
			t.Errorf("metric %q is not prefixed helpermock_", line)
		}
	}
	if n, err := testutil.GatherAndCount(m.srv.Gatherer()); err != nil || n == 0 {
		t.Errorf("GatherAndCount = %d, %v", n, err)
	}
}
