package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"testing/synctest"
	"time"

	"github.com/loadgen/loadgen/mockserver"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/runner"
	"github.com/loadgen/loadgen/scenarios"
)

// sessionEmails serves a mock and notes the email of every session request.
type sessionEmails struct {
	mu     sync.Mutex
	emails []string
}

func (se *sessionEmails) serve(t *testing.T) target {
	t.Helper()
	m := newMock(t, mockserver.Config{Secret: testSecret, Tokens: mockserver.Range{Min: 1, Max: 1}})
	return serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/widget/session" {
			body, _ := io.ReadAll(r.Body)
			var req struct{ Email string }
			json.Unmarshal(body, &req)
			se.mu.Lock()
			se.emails = append(se.emails, req.Email)
			se.mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		m.ServeHTTP(w, r)
	}))
}

// customers is a CSV feeder of n rows.
func customers(n int) string {
	var b strings.Builder
	b.WriteString("email,name\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "c%02d@example.com,Customer %d\n", i, i)
	}
	return b.String()
}

func loadWithFeeder(t *testing.T, yaml, csv string) *scenarios.Scenario {
	t.Helper()
	fsys := fstest.MapFS{"s.yaml": {Data: []byte(yaml)}, "data/customers.csv": {Data: []byte(csv)}}
	sc, err := scenarios.LoadFile("s.yaml", scenarios.WithFS(fsys))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

const uniqueFeeder = `
version: 1
name: unique
target: {base_url: "http://unused"}
feeders: [{file: data/customers.csv, order: unique}]
users: {email: "{{.Vars.email}}"}
load: %s
conversations:
  - name: c
    turns: [{message: "I am {{.Vars.name}}"}]
`

func TestUniqueFeederNeverRepeatsARowAcrossShards(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var se sessionEmails
		srv := se.serve(t)
		const rows, shards = 10, 3
		var mu sync.Mutex
		perShard := make([]int, shards)
		var wg sync.WaitGroup
		for shard := range shards {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Each shard parses the scenario itself, as separate processes do.
				sc := loadWithFeeder(t, fmt.Sprintf(uniqueFeeder, "{arrival_rate: 100/s, duration: 5s}"), customers(rows))
				rec, out := run(t, context.Background(), sc, srv, runner.WithSeed(7), runner.WithShard(shard, shards))
				if !out.Exhausted || out.Stop.Sub(out.Start) > 4*time.Second {
					t.Errorf("shard %d: Exhausted %v after %v; want the run to stop when the feeder ran out", shard, out.Exhausted, out.Stop.Sub(out.Start))
				}
				if _, errs, kinds := rec.count(results.StepMessage); errs != 0 {
					t.Errorf("shard %d: message errors %v", shard, kinds)
				}
				mu.Lock()
				perShard[shard] = int(out.Sessions)
				mu.Unlock()
			}()
		}
		wg.Wait()
		got := slices.Sorted(slices.Values(se.emails))
		var want []string
		for i := 1; i <= rows; i++ {
			want = append(want, fmt.Sprintf("c%02d@example.com", i))
		}
		if !slices.Equal(got, want) {
			t.Errorf("sessions signed in as\n%q\nwant every row exactly once:\n%q", got, want)
		}
		if !slices.Equal(perShard, []int{4, 3, 3}) {
			t.Errorf("sessions per shard = %v, want [4 3 3] (rows i, i+3, … of 10)", perShard)
		}
	})
}

func TestUniqueFeederWrapsWhenConfigured(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var se sessionEmails
		srv := se.serve(t)
		yaml := strings.Replace(fmt.Sprintf(uniqueFeeder, "{arrival_rate: 40/s, duration: 250ms}"), "order: unique}", "order: unique, on_exhausted: wrap}", 1)
		_, out := run(t, context.Background(), loadWithFeeder(t, yaml, customers(4)), srv, runner.WithSeed(8))
		if out.Sessions != 10 || out.Exhausted {
			t.Errorf("Outcome: %d sessions, Exhausted %v; want 10 (40/s for 250ms), false", out.Sessions, out.Exhausted)
		}
		counts := map[string]int{}
		for _, e := range se.emails {
			counts[e]++
		}
		if len(counts) != 4 || counts["c01@example.com"] != 3 {
			t.Errorf("emails used %v; want the 4 rows in order, again and again", counts)
		}
	})
}

func TestClosedUsersTakeOneRowEach(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var se sessionEmails
		srv := se.serve(t)
		sc := loadWithFeeder(t, fmt.Sprintf(uniqueFeeder, "{users: 3, duration: 300ms}"), customers(2))
		rec, out := run(t, context.Background(), sc, srv, runner.WithSeed(9))
		users := map[uint64]bool{}
		for _, r := range rec.results {
			users[r.User] = true
		}
		if len(users) != 2 || out.Sessions <= 2 {
			t.Errorf("%d users ran %d sessions; want the 2 users that got a row, looping", len(users), out.Sessions)
		}
		if got := slices.Compact(slices.Sorted(slices.Values(se.emails))); !slices.Equal(got, []string{"c01@example.com", "c02@example.com"}) {
			t.Errorf("emails %q, want the two rows", got)
		}
	})
}

func TestThinkTimeCountsFromTheEndOfTheReply(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, func(c *mockserver.Config) { c.TTFT = mockserver.Fixed(30 * time.Millisecond) })
		sc := parseScenario(t, `
version: 1
name: t
target: {base_url: "http://unused"}
users: {anonymous: 100%}
load: {users: 1, duration: 200ms}
conversations:
  - name: c
    turns:
      - message: one
        think: 40ms
      - message: two
        think: 70ms
`)
		rec, _ := run(t, context.Background(), sc, srv, runner.WithSeed(10))
		rec.mu.Lock()
		defer rec.mu.Unlock()
		thinks := map[int]time.Duration{1: 40 * time.Millisecond, 2: 70 * time.Millisecond}
		var checked int
		// A turn's first step (the first message's is the conversation it
		// creates) is due its think time after the step before it ended.
		for i, r := range rec.results {
			if r.Turn == 0 || i == 0 || rec.results[i-1].Session != r.Session || rec.results[i-1].Turn == r.Turn {
				continue
			}
			prev := rec.results[i-1]
			if got := r.Intended.Sub(prev.Start.Add(prev.Latency)); got != thinks[r.Turn] {
				t.Errorf("turn %d is due %v after the previous step ended, want exactly its think time %v", r.Turn, got, thinks[r.Turn])
			}
			if lag := r.Lag(); lag != 0 {
				t.Errorf("turn %d started %v late; on the bubble's clock a turn starts when it is due", r.Turn, lag)
			}
			checked++
		}
		if checked < 2 {
			t.Fatalf("checked %d turns, want at least 2", checked)
		}
	})
}

func TestReturningUsersResumeTheirConversation(t *testing.T) {
	for _, tc := range []struct{ name, users string }{
		{"email", `email: "ret-{{.Seq}}@example.com"`},
		{"anonymous", "anonymous: 100%"}, // resumed through currentToken
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				mock, srv := startMock(t, nil)
				sc := parseScenario(t, `
version: 1
name: t
target: {base_url: "http://unused"}
users: {`+tc.users+`, returning: 100%}
load: {users: 4, duration: 400ms}
conversations:
  - name: c
    turns: [{message: "hello again"}]
`)
				rec, out := run(t, context.Background(), sc, srv, runner.WithSeed(11))
				if out.Sessions <= 4 {
					t.Fatalf("%d sessions, want users to loop", out.Sessions)
				}
				convs, errs, _ := rec.count(results.StepConversation)
				if convs != 4 || errs != 0 {
					t.Errorf("conversation steps = %d (%d errors), want 4: each user creates one, then resumes it", convs, errs)
				}
				if n, errs, kinds := rec.count(results.StepMessage); n != int(out.Sessions) || errs != 0 {
					t.Errorf("message steps = %d (%d errors %v), want one per session (%d), none refused", n, errs, kinds, out.Sessions)
				}
				if sessions, _, _ := rec.count(results.StepSession); sessions != int(out.Sessions) {
					t.Errorf("session steps = %d, want one per session (%d): a returning user signs in again", sessions, out.Sessions)
				}
				if st := mock.Stats(); st.Conversations != 4 {
					t.Errorf("mock created %d conversations, want 4", st.Conversations)
				}
				// The widget shows a conversation it comes back to (History, or
				// the next page with the widget open) by GETting it, marking it
				// read, before the user types; it also loads each one it
				// creates (widget.open_created): one GET per session.
				if n, errs, _ := rec.count(results.StepOpen); n != int(out.Sessions) || errs != 0 {
					t.Errorf("open steps = %d (%d errors), want one per session (%d): 4 loads of new conversations, then a reopen per resumed session", n, errs, out.Sessions)
				}
			})
		})
	}
}
