package runner

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/loadgen/loadgen/helperapi"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/scenarios"
	"github.com/loadgen/loadgen/stats"
)

// cannedTransport answers every request with body, with no network.
type cannedTransport struct {
	contentType string
	body        []byte
}

func (t cannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {t.contentType}},
		Body: io.NopCloser(bytes.NewReader(t.body)), ContentLength: int64(len(t.body)), Request: req}, nil
}

// BenchmarkCreateOnlySession measures the harness's own cost of one
// iteration of bench/scenarios/create.yaml (a reused session, one
// conversation created, recorded in a Summary) without a network or a
// server: what loadgen spends per request beyond net/http's transport.
func BenchmarkCreateOnlySession(b *testing.B) {
	sc, err := scenarios.Parse("create.yaml", []byte(`version: 1
name: create
target: {base_url: "http://helper.invalid"}
users: {email: "bench-{{.Seq}}@example.com", reuse_session: true}
load: {users: 1, duration: 1h}
conversations:
  - name: create
    subject: Bench
    turns: []
`))
	if err != nil {
		b.Fatal(err)
	}
	hc := &http.Client{Transport: cannedTransport{"application/json", []byte(`{"conversationSlug":"c-0123456789abcdef"}`)}}
	client, err := helperapi.New(sc.Target.BaseURL, helperapi.WithHTTPClient(hc), helperapi.WithTimeout(time.Minute))
	if err != nil {
		b.Fatal(err)
	}
	r, err := New(sc, client, WithSeed(1))
	if err != nil {
		b.Fatal(err)
	}
	r.sink = stats.New()
	r.workers = newWorkers(r.clock)
	defer r.workers.stop()
	ctx := context.Background()
	st := &stops{schedule: ctx, sessions: ctx, turns: ctx, work: ctx} // a run that never stops
	u, _ := r.newUser(1)
	u.prev = client.ResumeSession("token", u.email)
	b.ReportAllocs()
	for b.Loop() {
		r.runSession(st, u, time.Now())
	}
	if got := r.sink.(*stats.Aggregate).Snapshot().Step(results.StepConversation); got.Count == 0 || got.Errors != 0 {
		b.Fatalf("conversation steps: %d, %d errors", got.Count, got.Errors)
	}
}
