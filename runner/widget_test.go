package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/loadgen/loadgen/mockserver"
	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/runner"
	"github.com/loadgen/loadgen/scenarios"
	"github.com/loadgen/loadgen/scenarios/examples"
	"github.com/loadgen/loadgen/stats"
)

const widgetScenario = `
version: 1
name: w
target: {base_url: "http://unused"}
users: {email: "u-{{.Seq}}@example.com", anonymous: 50%}
widget: {sdk: 100%, preflight: true, unread: 100%}
load: {arrival_rate: 20/s, duration: 1s}
conversations:
  - name: browse
    visit: {page_views: 3, think: 100ms}
  - name: chat
    page_views: 2
    guide_enabled: true
    turns:
      - message: "Why was I charged twice? {{.Seq}}"
        attachments: [{type: image, size: 3KB}]
      - react: {}
      - open: {}
      - history: {pages: 2}
      - mark_read: {}
      - message: "Thanks"
      - unread: {}
        share: 0%
`

// TestWidgetJourney runs visits and chats with every widget step against
// the mock and holds the results per step against the mock's routes.
func TestWidgetJourney(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mock, srv := startMock(t, func(c *mockserver.Config) { c.SDKSize = 2000 })
		sc := parseScenario(t, widgetScenario)
		rec, out := run(t, context.Background(), sc, srv, runner.WithSeed(7))
		if out.Sessions != 20 || rec.ends[results.EndCompleted] != 20 {
			t.Fatalf("sessions %d, ends %v; want 20 completed", out.Sessions, rec.ends)
		}
		visits, chats := 0, 0
		sessions := map[uint64]string{}
		for _, r := range rec.results {
			sessions[r.Session] = r.Conversation
		}
		for _, c := range sessions {
			if c == "browse" {
				visits++
			} else {
				chats++
			}
		}
		// A visit: 3 page views. A chat: 2 page views (the second, after its
		// second message, reopens), 2 messages, react, open, 1 history page
		// (one conversation: no next page), mark_read; the 0% unread never
		// runs. Its new conversation is loaded once created: a third open.
		pageViews := 3*visits + 2*chats
		want := map[results.Step]int{
			results.StepSDK: pageViews, results.StepPreflight: pageViews, results.StepSession: pageViews,
			results.StepUnread: pageViews, results.StepConversation: chats, results.StepMessage: 2 * chats,
			results.StepReact: chats, results.StepOpen: 3 * chats, results.StepHistory: chats, results.StepMarkRead: chats,
			results.StepPoll: 0,
		}
		for step, n := range want {
			if got, errs, kinds := rec.count(step); got != n || errs != 0 {
				t.Errorf("%s: %d results, %d errors %v; want %d, 0", step, got, errs, kinds, n)
			}
		}
		routes := mock.Stats().Routes
		for step, rt := range map[results.Step]mockserver.Route{
			results.StepSDK: mockserver.RouteSDK, results.StepPreflight: mockserver.RouteSessionPreflight,
			results.StepSession: mockserver.RouteSession, results.StepUnread: mockserver.RouteUnread,
			results.StepConversation: mockserver.RouteCreateConversation, results.StepMessage: mockserver.RouteChat,
			results.StepReact: mockserver.RouteReact, results.StepOpen: mockserver.RouteOpen,
			results.StepHistory: mockserver.RouteList, results.StepMarkRead: mockserver.RouteMarkRead,
		} {
			if got := routes[rt].Requests; got != int64(want[step]) {
				t.Errorf("mock %s: %d requests, want %d (the %s steps)", rt, got, want[step], step)
			}
		}
		st := mock.Stats()
		if st.DefaultSubject != int64(chats) || st.Chat.GuideEnabled != int64(2*chats) || st.Attachments.Files != int64(chats) || st.Attachments.Bytes != int64(3000*chats) {
			t.Errorf("mock: %d default subjects, %d guideEnabled, %d files of %d bytes; want %d, %d, %d, %d",
				st.DefaultSubject, st.Chat.GuideEnabled, st.Attachments.Files, st.Attachments.Bytes, chats, 2*chats, chats, 3000*chats)
		}
		// Anonymous visitors keep their identity across page views: the
		// reopen after a chat's second page view found the conversation.
		if st.Sessions.Email+st.Sessions.Anonymous != int64(pageViews) {
			t.Errorf("mock sessions %+v, want %d", st.Sessions, pageViews)
		}
		// A session's first page view is turn 0, its later ones are not.
		firsts := 0
		for _, r := range rec.results {
			if r.Step == results.StepSession && r.Turn == 0 {
				firsts++
			}
		}
		if firsts != 20 {
			t.Errorf("%d session steps with turn 0, want one per session (20)", firsts)
		}
		if visits == 0 || chats == 0 {
			t.Errorf("%d visits, %d chats; want both in the mix", visits, chats)
		}
	})
}

// TestWidgetExampleCountsMatchMock runs scenarios/examples/widget.yaml, whole
// (two minutes, on the bubble's virtual clock), against the mock with its
// default latency model, and holds the summary's count of every step against
// the mock's count of the route it calls: they must agree exactly.
func TestWidgetExampleCountsMatchMock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := mockserver.DefaultConfig()
		cfg.Secret, cfg.PreciseDelays = testSecret, false // timerfds do not run on the bubble's clock
		mock := newMock(t, cfg)
		srv := serve(t, mock)
		sc, err := examples.Load("widget.yaml", scenarios.WithLookupEnv(func(string) (string, bool) { return "", false }))
		if err != nil {
			t.Fatal(err)
		}
		client, tr := newClient(t, srv)
		defer tr.CloseIdleConnections()
		rn, err := runner.New(sc, client, runner.WithClock(runner.GoClock{}), runner.WithSeed(13), runner.WithGrace(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		agg := stats.New(stats.WithClock(time.Now))
		out, err := rn.Run(context.Background(), agg)
		if err != nil {
			t.Fatal(err)
		}
		sum := report.Build(results.Run{ID: "widget", Scenario: sc.Name, Duration: out.Duration}, agg.Snapshot())
		routes := mock.Stats().Routes
		pairs := []struct {
			step  results.Step
			route mockserver.Route
		}{
			{results.StepSDK, mockserver.RouteSDK}, {results.StepPreflight, mockserver.RouteSessionPreflight},
			{results.StepSession, mockserver.RouteSession}, {results.StepUnread, mockserver.RouteUnread},
			{results.StepConversation, mockserver.RouteCreateConversation}, {results.StepMessage, mockserver.RouteChat},
			{results.StepOpen, mockserver.RouteOpen}, {results.StepHistory, mockserver.RouteList},
			{results.StepReact, mockserver.RouteReact}, {results.StepMarkRead, mockserver.RouteMarkRead},
		}
		for _, p := range pairs {
			st := sum.Steps.Get(p.step)
			if got := routes[p.route]; st.Count != got.Requests || st.Codes["200"]+st.Codes["204"] != got.Codes["200"]+got.Codes["204"] {
				t.Errorf("%s: summary %d (codes %v), mock %s %d (codes %v); want equal", p.step, st.Count, st.Codes, p.route, got.Requests, got.Codes)
			}
		}
		if got := routes[mockserver.RoutePoll].Requests; got != 0 || sum.Steps.Get(results.StepPoll).Count != 0 {
			t.Errorf("polls: %d, want none (a widget never polls)", got)
		}
		// Every new step ran; the mix came out as written.
		for _, step := range []results.Step{results.StepSDK, results.StepPreflight, results.StepOpen, results.StepHistory,
			results.StepReact, results.StepMarkRead} {
			if sum.Steps.Get(step).Count == 0 {
				t.Errorf("%s never ran", step)
			}
		}
		ms := mock.Stats()
		if ms.DefaultSubject != sum.Steps.Get(results.StepConversation).Count || ms.Attachments.Files == 0 ||
			ms.Attachments.Bytes != ms.Attachments.Files*300_000 {
			t.Errorf("mock: %d conversations without a subject of %d, %d files, %d bytes; want all without one, 300 KB files",
				ms.DefaultSubject, sum.Steps.Get(results.StepConversation).Count, ms.Attachments.Files, ms.Attachments.Bytes)
		}
		t.Logf("%d sessions: %v", sum.Sessions.Started, stepCounts(sum))
	})
}

func stepCounts(s *report.Summary) map[results.Step]int64 {
	m := map[results.Step]int64{}
	for _, st := range s.Steps {
		if st.Count > 0 {
			m[st.Step] = st.Count
		}
	}
	return m
}

// TestReactFollowsTheWidget: no thumbs-up once a reply handed the
// conversation to a human (the widget hides the button), nor on an empty
// reply (its id is not a message's).
func TestReactFollowsTheWidget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mock, srv := startMock(t, func(c *mockserver.Config) { c.HumanShare = 1 })
		sc := parseScenario(t, `
version: 1
name: r
target: {base_url: "http://unused"}
load: {arrival_rate: 10/s, duration: 1s}
conversations:
  - name: c
    turns:
      - message: I need a person
      - react: {}
      - message: hello?
      - react: {}
`)
		rec, _ := run(t, context.Background(), sc, srv, runner.WithSeed(3))
		if n, _, _ := rec.count(results.StepReact); n != 0 || mock.Stats().Routes[mockserver.RouteReact].Requests != 0 {
			t.Errorf("%d react steps after escalations, want none", n)
		}
		if n, errs, _ := rec.count(results.StepMessage); n != 20 || errs != 0 {
			t.Errorf("%d messages, %d errors; want 20, 0", n, errs)
		}
	})
}

// TestAttachmentNames: an attachment's name: goes in the message body (a
// template, rendered per message); without one, a lone PNG is the widget's
// screenshot.png and others are file-N.EXT.
func TestAttachmentNames(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mock, _ := startMock(t, nil)
		var mu sync.Mutex
		var names [][]string
		srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/chat" {
				body, _ := io.ReadAll(r.Body)
				var req struct {
					Message struct {
						Files []struct{ Name string } `json:"experimental_attachments"`
					}
				}
				json.Unmarshal(body, &req)
				var got []string
				for _, f := range req.Message.Files {
					got = append(got, f.Name)
				}
				mu.Lock()
				names = append(names, got)
				mu.Unlock()
				r.Body = io.NopCloser(bytes.NewReader(body))
			}
			mock.ServeHTTP(w, r)
		}))
		sc := parseScenario(t, `
version: 1
name: n
target: {base_url: "http://unused"}
load: {users: 1, duration: 1s}
conversations:
  - name: c
    turns:
      - message: my invoice
        attachments: [{type: pdf, size: 1KB, name: "invoice-{{.Seq}}.pdf"}]
      - message: two scans
        attachments: [{type: png, size: 1KB, count: 2}]
      - message: a screenshot
        attachments: [{type: image, size: 1KB}]
`)
		run(t, context.Background(), sc, srv, runner.WithSeed(1))
		want := [][]string{{"invoice-1.pdf"}, {"file-1.png", "file-2.png"}, {"screenshot.png"}}
		mu.Lock()
		defer mu.Unlock()
		if len(names) < 3 || !slices.EqualFunc(names[:3], want, slices.Equal) {
			t.Errorf("attachment names %q, want %q first", names[:min(3, len(names))], want)
		}
	})
}

// TestReactHiddenOnAnEscalatedReopen: a returning visitor's widget learns
// from the reopen (isEscalated) that a human has the conversation and shows
// no "helpful" button, even under the canned reply of a prompt
// conversation's second message, which has a real id.
func TestReactHiddenOnAnEscalatedReopen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mock, srv := startMock(t, func(c *mockserver.Config) { c.HumanShare = 1 })
		sc := parseScenario(t, `
version: 1
name: r
target: {base_url: "http://unused"}
users: {anonymous: 100%, returning: 100%}
load: {users: 1, duration: 1s}
conversations:
  - name: c
    is_prompt: true
    turns:
      - message: "Can I talk to a person?"
      - react: {}
`)
		rec, out := run(t, context.Background(), sc, srv, runner.WithSeed(3))
		if out.Sessions < 3 {
			t.Fatalf("%d sessions, want at least 3", out.Sessions)
		}
		if n, _, _ := rec.count(results.StepReact); n != 0 || mock.Stats().Routes[mockserver.RouteReact].Requests != 0 {
			t.Errorf("%d react steps on an escalated conversation, want none", n)
		}
		if st := mock.Stats().Replies; st.Human != 1 {
			t.Errorf("replies %+v, want the one canned reply of the second message", st)
		}
	})
}

// TestHistoryOpensAnEarlierConversation: the widget creates a conversation
// when its first message is sent, not before, and a History click opens one
// the list shows. A visitor with none sees an empty History, has nothing to
// open, and its message starts the conversation; back later, it finds that
// conversation in History, opens it and writes in it.
func TestHistoryOpensAnEarlierConversation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mock, srv := startMock(t, nil)
		sc := parseScenario(t, `
version: 1
name: h
target: {base_url: "http://unused"}
users: {email: "h-{{.Seq}}@example.com"}
load: {users: 1, duration: 1s}
conversations:
  - name: returning
    turns:
      - history: {}
      - open: {}
      - mark_read: {}
      - message: "Any news?"
`)
		rec, out := run(t, context.Background(), sc, srv, runner.WithSeed(5))
		n := int(out.Sessions)
		if n < 2 {
			t.Fatalf("%d sessions, want the user to come back", n)
		}
		// Its first message creates the conversation and loads it (an open).
		want := map[results.Step]int{results.StepConversation: 1, results.StepHistory: n,
			results.StepOpen: n, results.StepMarkRead: n - 1, results.StepMessage: n}
		for step, w := range want {
			if got, errs, kinds := rec.count(step); got != w || errs != 0 {
				t.Errorf("%s: %d results, %d errors %v; want %d, 0", step, got, errs, kinds, w)
			}
		}
		if st := mock.Stats(); st.Conversations != 1 {
			t.Errorf("mock created %d conversations, want 1", st.Conversations)
		}
	})
}

// TestNewConversationIsLoaded: the widget's conversation view loads a
// conversation as soon as it has its slug (Conversation.tsx's useQuery),
// so a streamed chat's first message brings a GET of the new conversation,
// marking it read. The headless SDK's paths (tools, mode: async) do not, and
// widget.open_created: false leaves it out.
func TestNewConversationIsLoaded(t *testing.T) {
	for _, tc := range []struct {
		name, widget, conv string
		want               []results.Step
	}{
		{"widget", "", "", []results.Step{results.StepSession, results.StepConversation, results.StepOpen, results.StepMessage, results.StepMessage}},
		{"switched off", "widget: {open_created: false}", "", []results.Step{results.StepSession, results.StepConversation, results.StepMessage, results.StepMessage}},
		{"sdk tools", "", "tools: {lookup: {parameters: {id: {type: string}}}}",
			[]results.Step{results.StepSession, results.StepConversation, results.StepMessage, results.StepMessage}},
		{"async", "", "mode: async",
			[]results.Step{results.StepSession, results.StepConversation, results.StepAck, results.StepPoll, results.StepAck, results.StepPoll}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				mock, srv := startMock(t, func(c *mockserver.Config) { c.AsyncNoReply = 0; c.HumanShare = 0 })
				sc := parseScenario(t, `
version: 1
name: l
target: {base_url: "http://unused"}
`+tc.widget+`
load: {arrival_rate: 1/s, duration: 1s}
conversations:
  - name: c
    `+tc.conv+`
    turns:
      - message: first
      - message: second
`)
				rec, _ := run(t, context.Background(), sc, srv, runner.WithSeed(1))
				var got []results.Step
				for _, r := range rec.results {
					got = append(got, r.Step)
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("steps %v, want %v", got, tc.want)
				}
				opens := int64(len(slices.DeleteFunc(slices.Clone(tc.want), func(s results.Step) bool { return s != results.StepOpen })))
				if n := mock.Stats().Routes[mockserver.RouteOpen].Requests; n != opens {
					t.Errorf("mock: %d GETs marking read, want %d", n, opens)
				}
			})
		})
	}
}

// TestReactOncePerReply: the widget hides its "helpful" button once it is
// clicked, so a second react on the same reply is not sent (Helper would
// take it as a toggle and clear the reaction).
func TestReactOncePerReply(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mock, srv := startMock(t, func(c *mockserver.Config) { c.HumanShare = 0 })
		sc := parseScenario(t, `
version: 1
name: r
target: {base_url: "http://unused"}
load: {arrival_rate: 10/s, duration: 1s}
conversations:
  - name: c
    turns:
      - message: thanks
      - react: {}
      - react: {}
      - message: one more
      - react: {}
`)
		rec, _ := run(t, context.Background(), sc, srv, runner.WithSeed(3))
		st := mock.Stats().Reactions
		if n, errs, _ := rec.count(results.StepReact); n != 20 || errs != 0 || st.ThumbsUp != 20 || st.Cleared != 0 {
			t.Errorf("%d react steps (%d errors), mock %+v; want 20 thumbs-up (one per reply), none cleared", n, errs, st)
		}
	})
}
