package runner_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/loadgen/loadgen/mockserver"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/runner"
)

const createOnly = `
version: 1
name: t
target: {base_url: "http://unused"}
users: {email: "u-{{.Seq}}@example.com", reuse_session: true}
load: {users: 3, duration: 300ms}
conversations:
  - name: create
    turns: []
`

func TestReuseSessionSignsInOncePerUser(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mock, srv := startMock(t, nil)
		sc := parseScenario(t, createOnly)
		rec, _ := run(t, context.Background(), sc, srv, runner.WithSeed(3))

		if n, errs, _ := rec.count(results.StepSession); n != 3 || errs != 0 {
			t.Errorf("session steps = %d (%d errors), want 3: one per user", n, errs)
		}
		convs, errs, kinds := rec.count(results.StepConversation)
		if convs != rec.started || errs != 0 {
			t.Errorf("conversation steps = %d (%d errors %v), want one per session (%d)", convs, errs, kinds, rec.started)
		}
		if rec.started <= 3 {
			t.Errorf("started %d sessions; want users to loop", rec.started)
		}
		if n, _, _ := rec.count(results.StepMessage); n != 0 {
			t.Errorf("message steps = %d, want 0 for turns: []", n)
		}
		st := mock.Stats()
		if got := st.Sessions.Email; got != 3 {
			t.Errorf("mock counted %d sessions, want 3", got)
		}
		if got := st.Conversations; got != int64(convs) {
			t.Errorf("mock counted %d conversations, want %d", got, convs)
		}
	})
}

func TestReuseSessionSignsInAgainAfter401(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := newMock(t, mockserver.Config{Secret: testSecret})
		var refused atomic.Bool
		srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/chat/conversation" && refused.CompareAndSwap(false, true) {
				http.Error(w, `{"error":"Invalid session token"}`, http.StatusUnauthorized)
				return
			}
			m.ServeHTTP(w, r)
		}))

		sc := parseScenario(t, createOnly)
		sc.Load.Users, sc.Load.Duration = 1, 200*time.Millisecond
		rec, _ := run(t, context.Background(), sc, srv, runner.WithSeed(4))
		if n, errs, _ := rec.count(results.StepSession); n != 2 || errs != 0 {
			t.Errorf("session steps = %d (%d errors), want 2: the refused token is dropped once", n, errs)
		}
		if _, errs, kinds := rec.count(results.StepConversation); errs != 1 || kinds["auth"] != 1 {
			t.Errorf("conversation errors = %d %v, want 1 auth", errs, kinds)
		}
	})
}
