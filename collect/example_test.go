package collect_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/loadgen/loadgen/collect"
	"github.com/loadgen/loadgen/resultfile"
	"github.com/loadgen/loadgen/results"
)

// A collector for a run of one shard, and the shard: it reports in, sleeps
// until the start instant, runs, and sends its results file.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "collect-example")
	defer os.RemoveAll(dir)
	const hash = "sha256:5eed"

	// The collector (loadgen collect).
	coord, err := collect.New(collect.Config{Shards: 1, ScenarioHash: hash, RunID: "run-1", Dir: dir, Margin: 10 * time.Millisecond})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(coord.Handler())
	defer srv.Close()

	// The shard (loadgen run --shard 0/1 --collector URL).
	shard, _ := collect.NewClient(srv.URL)
	resp, received, err := shard.Join(ctx, collect.JoinRequest{Shard: 0, Shards: 1, ScenarioHash: hash, Duration: time.Second})
	if err != nil {
		panic(err)
	}
	time.Sleep(time.Until(resp.LocalStart(received)))
	started := time.Now()
	path := filepath.Join(dir, "shard-0.jsonl")
	w, _ := resultfile.Create(path, results.Run{ID: resp.RunID, ScenarioHash: hash, Shard: 0, Shards: 1, Start: resp.StartAt})
	w.Record(&results.Result{Step: results.StepSession, Start: started, Code: 200, Latency: time.Millisecond})
	w.Close()
	if _, err := shard.Upload(ctx, 0, path, started, false); err != nil {
		panic(err)
	}

	out, err := coord.Wait(ctx)
	fmt.Println(resp.RunID, out, err)
	fmt.Println(out.Received[0].Records, "record(s) in", filepath.Base(out.Received[0].Path))
	// Output:
	// run-1 complete: 1 of 1 shards' results received <nil>
	// 1 record(s) in run-1.shard-0-of-1.jsonl
}
