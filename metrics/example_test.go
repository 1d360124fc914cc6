package metrics_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/loadgen/loadgen/metrics"
	"github.com/loadgen/loadgen/results"
)

// A runner tees its results into Metrics and serves them at /metrics.
func Example() {
	reg := metrics.NewRegistry()
	m := metrics.New("demo", metrics.WithRunID("20260101-abc"), metrics.WithConversations("greeting"))
	if err := m.Register(reg); err != nil {
		panic(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := metrics.Serve(ctx, "127.0.0.1:0", reg)
	if err != nil {
		panic(err)
	}

	var sink results.Sink = m // usually results.Tee(m, file, summary)
	sink.SessionStarted("greeting")
	sink.Record(&results.Result{Conversation: "greeting", Step: results.StepMessage, Code: 200,
		Latency: 900 * time.Millisecond, TTFT: 200 * time.Millisecond, Tokens: 12, Shape: "model"})
	sink.SessionEnded("greeting", results.EndCompleted)

	resp, err := http.Get(srv.URL())
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "loadgen_requests_total") || strings.HasPrefix(line, "loadgen_tokens_total") {
			fmt.Println(line)
		}
	}
	cancel()
	<-srv.Done()
	// Output:
	// loadgen_requests_total{code="200",conversation="greeting",scenario="demo",step="message"} 1
	// loadgen_tokens_total{conversation="greeting",scenario="demo"} 12
}

// A short CI run pushes its metrics to a Pushgateway every 5 s and once at
// the end, grouped by job and instance (host:pid by default); the group is
// deleted 10 s after the final push (WithPushKeep keeps it).
func ExampleNewPusher() {
	m := metrics.New("smoke", metrics.WithRunID("ci-1234"))
	p, err := metrics.NewPusher(m, "http://127.0.0.1:9091", metrics.WithPushInterval(5*time.Second))
	if err != nil {
		panic(err) // a malformed URL
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		_ = p.Run(ctx) // failures are logged; they never fail the run
		close(done)
	}()

	// ... the run records results into m ...

	stop() // after the last result
	<-done // the final push is done, and the group deleted
}
