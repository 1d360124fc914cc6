package mockserver

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"
)

func TestCloseStopsBackgroundWork(t *testing.T) {
	before := runtime.NumGoroutine()
	clock := newFakeClock()
	srv, err := New(Config{Secret: testSecret, Now: clock.Now, AsyncDelay: Fixed(time.Hour), TTFT: Fixed(time.Hour), Capacity: 1})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	client := &http.Client{Transport: &http.Transport{}}
	m := &mock{t: t, srv: srv, ts: ts, clock: clock, client: client}

	token := m.session("ann@example.com")
	slug := m.conversation(token, `{}`)
	for range 3 {
		if code, _, body := m.do("POST", "/api/chat/conversation/"+slug+"/message", token, `{"content":"hi"}`); code != 200 {
			t.Fatalf("POST message: %d %s", code, body)
		}
	}
	// One stream waits out its TTFT holding the slot; one waits in the queue.
	streams := make([]*http.Response, 2)
	for i := range streams {
		streams[i] = m.request("POST", "/api/chat", token, chatBody(slug, "hi"))
	}
	waitFor(t, "one stream generating, one queued", func() bool { st := srv.Stats(); return st.InFlight == 1 && st.Queued == 1 })
	if got := srv.Stats().Stored.PendingAsync; got != 3 {
		t.Fatalf("pending async replies = %d, want 3", got)
	}

	srv.Close()
	for i, resp := range streams {
		// Both streams end at once instead of after an hour.
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := prefixes(parseParts(t, string(b))); got != "" {
			t.Errorf("stream %d after Close: parts %q, want none", i, got)
		}
	}
	st := srv.Stats()
	if st.Stored.PendingAsync != 0 || st.Messages.AsyncReplied != 0 || st.InFlight != 0 || st.Queued != 0 {
		t.Errorf("after Close: %+v, want nothing pending, in flight or queued", st)
	}
	srv.Close() // idempotent
	client.CloseIdleConnections()
	ts.Close()
	waitFor(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
}

func TestServeShutsDownOnCancel(t *testing.T) {
	srv, err := New(Config{Secret: testSecret, TTFT: Fixed(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	ln := listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	resp, err := client.Get("http://" + ln.Addr().String() + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET /stats: %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve = %v, want nil after cancel", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
}
