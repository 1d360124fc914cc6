package collect

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loadgen/loadgen/resultfile"
	"github.com/loadgen/loadgen/results"
)

const testHash = "sha256:0123456789abcdef0123456789abcdef"

// harness is a Coordinator on a loopback HTTP server.
type harness struct {
	c   *Coordinator
	srv *httptest.Server
	dir string
}

func newHarness(t *testing.T, shards int, timeout time.Duration) *harness {
	t.Helper()
	dir := t.TempDir()
	c, err := New(Config{Shards: shards, ScenarioHash: testHash, RunID: "run-1", Dir: dir, Margin: 50 * time.Millisecond, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c.Handler())
	t.Cleanup(srv.Close)
	return &harness{c: c, srv: srv, dir: dir}
}

func (h *harness) client(t *testing.T) *Client {
	t.Helper()
	cl, err := NewClient(h.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

func joinReq(shard, shards int) JoinRequest {
	return JoinRequest{Shard: shard, Shards: shards, ScenarioHash: testHash, Duration: 100 * time.Millisecond, Grace: 0, Version: "test"}
}

// shardFile writes a results file for a shard of run-1 with n results.
func shardFile(t *testing.T, run results.Run, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), fmt.Sprintf("shard-%d.jsonl", run.Shard))
	w, err := resultfile.Create(path, run)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	for i := range n {
		w.Record(&results.Result{Shard: run.Shard, User: uint64(i + 1), Step: results.StepSession,
			Intended: t0, Start: t0, Code: 200, Latency: time.Duration(i+1) * time.Millisecond})
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func runOf(shard, shards int) results.Run {
	return results.Run{ID: "run-1", Scenario: "s", ScenarioHash: testHash, Shard: shard, Shards: shards}
}

// TestRun is a whole run: three shards join concurrently, get one start
// instant, upload their files, and Wait reports a complete run.
func TestRun(t *testing.T) {
	h := newHarness(t, 3, 20*time.Second)
	ctx := context.Background()
	var wg sync.WaitGroup
	starts := make([]time.Time, 3)
	for i := range 3 {
		wg.Go(func() {
			cl := h.client(t)
			resp, received, err := cl.Join(ctx, joinReq(i, 3))
			if err != nil {
				t.Errorf("shard %d: join: %v", i, err)
				return
			}
			if resp.RunID != "run-1" {
				t.Errorf("shard %d: run id %q, want the collector's run-1", i, resp.RunID)
			}
			starts[i] = resp.StartAt
			if ls := resp.LocalStart(received); ls.Before(received) {
				t.Errorf("shard %d: local start %v before the answer arrived %v", i, ls, received)
			}
			got, err := cl.Upload(ctx, i, shardFile(t, runOf(i, 3), 10+i), resp.StartAt, false)
			if err != nil {
				t.Errorf("shard %d: upload: %v", i, err)
				return
			}
			if got.Records != int64(10+i) || !got.Closed {
				t.Errorf("shard %d: collector read %d records (closed %v), want %d and closed", i, got.Records, got.Closed, 10+i)
			}
		})
	}
	out, err := h.c.Wait(ctx)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if !starts[0].Equal(starts[1]) || !starts[1].Equal(starts[2]) {
		t.Errorf("start instants %v, want one for every shard", starts)
	}
	if !out.Complete() || len(out.Received) != 3 || out.String() != "complete: 3 of 3 shards' results received" {
		t.Fatalf("outcome %s: %+v", out, out)
	}
	for i, r := range out.Received {
		if r.Shard != i || filepath.Base(r.Path) != FileName("run-1", i, 3) {
			t.Errorf("received[%d] = shard %d at %s", i, r.Shard, r.Path)
		}
		if _, err := os.Stat(r.Path); err != nil {
			t.Error(err)
		}
	}
	if s := out.StartSkew(); s != 0 { // every shard sent the same StartAt
		t.Errorf("StartSkew = %v, want 0", s)
	}
	leftovers, _ := filepath.Glob(filepath.Join(h.dir, ".upload-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

// TestRefusals drives the refusals a shard can meet, each with its HTTP
// status and reason.
func TestRefusals(t *testing.T) {
	h := newHarness(t, 2, 20*time.Second)
	ctx := context.Background()
	c0, c1 := h.client(t), h.client(t)
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, _, err := c1.Join(ctx, joinReq(1, 2)); err != nil {
			t.Error(err)
		}
	})
	if _, _, err := c0.Join(ctx, joinReq(0, 2)); err != nil {
		t.Fatal(err)
	}
	wg.Wait()

	// Too late: another process for shard 1 after the start.
	time.Sleep(60 * time.Millisecond) // past the 50 ms margin
	_, _, err := h.client(t).Join(ctx, joinReq(1, 2))
	wantRefusal(t, "late join", err, http.StatusGone, ReasonTooLate)
	if IsMismatch(err) {
		t.Error("IsMismatch(too late) = true, want false: a late shard fails the run (exit 1), it is not a usage error")
	}

	// Results from a process that did not join as shard 1.
	_, err = h.client(t).Upload(ctx, 1, shardFile(t, runOf(1, 2), 3), time.Now(), false)
	wantRefusal(t, "stranger's upload", err, http.StatusConflict, ReasonNotMember)

	// A file of another run.
	other := runOf(0, 2)
	other.ID = "run-2"
	_, err = c0.Upload(ctx, 0, shardFile(t, other, 3), time.Now(), false)
	wantRefusal(t, "another run's file", err, http.StatusUnprocessableEntity, ReasonBadFile)
	if err == nil || !strings.Contains(err.Error(), `run_id run-2 (want run-1)`) {
		t.Errorf("another run's file: %v, want it to name the run ids", err)
	}

	// A file of shard 1 sent as shard 0.
	_, err = c0.Upload(ctx, 0, shardFile(t, runOf(1, 2), 3), time.Now(), false)
	wantRefusal(t, "the wrong shard's file", err, http.StatusUnprocessableEntity, ReasonBadFile)

	// Not a results file at all.
	junk := filepath.Join(t.TempDir(), "junk")
	os.WriteFile(junk, []byte("hello\n"), 0o644)
	_, err = c0.Upload(ctx, 0, junk, time.Now(), false)
	wantRefusal(t, "junk", err, http.StatusUnprocessableEntity, ReasonBadFile)

	// A file cut short: its writer failed (a full disk) before the end.
	whole, _ := os.ReadFile(shardFile(t, runOf(0, 2), 4))
	cut := filepath.Join(t.TempDir(), "cut.jsonl")
	os.WriteFile(cut, whole[:bytes.LastIndex(whole[:len(whole)-1], []byte("\n"))+1], 0o644) // without the closing record
	_, err = c0.Upload(ctx, 0, cut, time.Now(), false)
	wantRefusal(t, "a file without its closing record", err, http.StatusUnprocessableEntity, ReasonBadFile)
	if err == nil || !strings.Contains(err.Error(), "without its closing record, after 4 records") {
		t.Errorf("a file without its closing record: %v, want it to say so", err)
	}
	os.WriteFile(cut, whole[:len(whole)-5], 0o644) // its last line cut in the middle
	_, err = c0.Upload(ctx, 0, cut, time.Now(), false)
	wantRefusal(t, "a file cut in its last line", err, http.StatusUnprocessableEntity, ReasonBadFile)

	// A body that does not match its digest.
	good := shardFile(t, runOf(0, 2), 5)
	b, _ := os.ReadFile(good)
	sum := sha256.Sum256(append(b, '\n'))
	req, _ := http.NewRequest(http.MethodPut, h.srv.URL+PathResults+"0", bytes.NewReader(b))
	req.Header.Set(HeaderDigest, ContentDigest(sum[:]))
	req.Header.Set(HeaderInstance, c0.Instance())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var p Problem
	json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || p.Reason != ReasonChecksum {
		t.Errorf("corrupted upload: %s %+v, want 400 checksum", resp.Status, p)
	}

	// The good file, twice (a retry after a lost answer), then another.
	for range 2 {
		if _, err := c0.Upload(ctx, 0, good, time.Now(), false); err != nil {
			t.Fatalf("good upload: %v", err)
		}
	}
	_, err = c0.Upload(ctx, 0, shardFile(t, runOf(0, 2), 6), time.Now(), false)
	wantRefusal(t, "a second, different file", err, http.StatusConflict, ReasonDuplicate)

	st := h.c.Status()
	if st.State != "started" || len(st.Received) != 1 || len(st.Late) != 1 || st.Late[0].Shard != 1 {
		t.Errorf("status %+v: want started, 1 received, 1 late join of shard 1", st)
	}
}

// TestMismatchAbortsEveryShard: a shard with another scenario makes every
// shard, waiting or not, exit with the reason, and Wait report it.
func TestMismatchAbortsEveryShard(t *testing.T) {
	h := newHarness(t, 3, 20*time.Second)
	ctx := context.Background()
	errs := make(chan error, 1)
	go func() {
		_, _, err := h.client(t).Join(ctx, joinReq(0, 3))
		errs <- err
	}()
	waitFor(t, func() bool { return len(h.c.Status().Joined) == 1 })
	bad := joinReq(1, 3)
	bad.ScenarioHash = "sha256:ffff"
	_, _, err := h.client(t).Join(ctx, bad)
	wantRefusal(t, "the mismatched shard", err, http.StatusConflict, ReasonMismatch)
	wantRefusal(t, "the waiting shard", <-errs, http.StatusConflict, ReasonMismatch)
	_, _, err = h.client(t).Join(ctx, joinReq(2, 3))
	wantRefusal(t, "a shard after the abort", err, http.StatusConflict, ReasonMismatch)
	if !IsMismatch(err) {
		t.Error("IsMismatch = false, want true (exit 2)")
	}
	out, err := h.c.Wait(ctx)
	wantRefusal(t, "Wait", err, http.StatusConflict, ReasonMismatch)
	// All three had their final answer, so WaitTold returns at once: what
	// it waits for is already there (checked, not timed).
	select {
	case <-h.c.allTold:
	default:
		t.Error("every shard was told, but the collector does not know it: WaitTold would wait its whole minute")
	}
	h.c.WaitTold(ctx, time.Minute)
	if !strings.Contains(out.Problem, "is not the collector's") {
		t.Errorf("outcome problem %q", out.Problem)
	}
}

// TestShardThatGoesAwayIsWaitedFor: a shard that reports in and then goes
// away before the start (Ctrl-C, a killed pod) no longer counts as ready:
// the run does not start without it, and starts once it reports in again.
func TestShardThatGoesAwayIsWaitedFor(t *testing.T) {
	h := newHarness(t, 2, 20*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	gone, leave := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, _, err := h.client(t).Join(gone, joinReq(0, 2))
		done <- err
	}()
	waitFor(t, func() bool { return len(h.c.Status().Joined) == 1 })
	leave()
	<-done
	waitFor(t, func() bool { return len(h.c.Status().Joined) == 0 })

	starts := make(chan time.Time, 2)
	join := func(shard int) {
		resp, _, err := h.client(t).Join(ctx, joinReq(shard, 2))
		if err != nil {
			t.Errorf("shard %d: %v", shard, err)
			starts <- time.Time{}
			return
		}
		starts <- resp.StartAt
	}
	go join(1)
	waitFor(t, func() bool { return len(h.c.Status().Joined) == 1 })
	if st := h.c.Status(); st.State != "waiting" {
		t.Fatalf("state %q with shard 0 gone, want waiting", st.State)
	}
	go join(0) // shard 0 again, a new process
	if a, b := <-starts, <-starts; a.IsZero() || !a.Equal(b) {
		t.Errorf("start instants %v and %v, want one for both", a, b)
	}
}

// TestSecondProcessForAShardIsRefused: two processes started as one shard
// (a typo in --shard) are told at once, instead of the second silently
// taking the first's place while the run waits for the shard nobody runs.
func TestSecondProcessForAShardIsRefused(t *testing.T) {
	h := newHarness(t, 2, 20*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	first := make(chan error, 1)
	go func() {
		_, _, err := h.client(t).Join(ctx, joinReq(0, 2))
		first <- err
	}()
	waitFor(t, func() bool { return len(h.c.Status().Joined) == 1 })
	_, _, err := h.client(t).Join(ctx, joinReq(0, 2))
	wantRefusal(t, "the second process for shard 0", err, http.StatusConflict, ReasonTaken)
	if !IsMismatch(err) {
		t.Error("IsMismatch = false, want true: a shard started twice is a usage error (exit 2)")
	}
	if _, _, err := h.client(t).Join(ctx, joinReq(1, 2)); err != nil {
		t.Fatalf("shard 1: %v", err)
	}
	if err := <-first; err != nil {
		t.Errorf("the first process for shard 0: %v, want the start", err)
	}
}

// TestBarrierTimeoutNamesMissingShards: the collector gives up on shards
// that never report in, and says which.
func TestBarrierTimeoutNamesMissingShards(t *testing.T) {
	h := newHarness(t, 3, 300*time.Millisecond)
	ctx := context.Background()
	errs := make(chan error, 1)
	go func() {
		_, _, err := h.client(t).Join(ctx, joinReq(1, 3))
		errs <- err
	}()
	out, err := h.c.Wait(ctx)
	wantRefusal(t, "Wait", err, http.StatusServiceUnavailable, ReasonTimeout)
	wantRefusal(t, "the waiting shard", <-errs, http.StatusServiceUnavailable, ReasonTimeout)
	if !strings.Contains(out.Problem, "shards 0, 2 of 3 did not report in") {
		t.Errorf("problem %q, want it to name shards 0 and 2", out.Problem)
	}
}

// TestMissingResults: a shard that joined but never sends its results
// (killed) leaves the run incomplete once the results timeout passes.
func TestMissingResults(t *testing.T) {
	h := newHarness(t, 2, 300*time.Millisecond)
	ctx := context.Background()
	c0, c1 := h.client(t), h.client(t)
	go c1.Join(ctx, joinReq(1, 2)) // shard 1 joins, then "dies"
	if _, _, err := c0.Join(ctx, joinReq(0, 2)); err != nil {
		t.Fatal(err)
	}
	if _, err := c0.Upload(ctx, 0, shardFile(t, runOf(0, 2), 4), time.Now(), true); err != nil {
		t.Fatal(err)
	}
	out, err := h.c.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if out.Complete() || out.MissingText() != "shard 1 of 2 missing" || out.String() != "incomplete: shard 1 of 2 missing" {
		t.Errorf("outcome %q (missing %q), want incomplete with shard 1 missing", out, out.MissingText())
	}
	if got := out.Interrupted(); len(got) != 1 || got[0] != 0 {
		t.Errorf("Interrupted = %v, want [0]", got)
	}
}

// TestClientRetriesUntilTheCollectorListens: shards may start before the
// collector (pods do); they keep trying.
func TestClientRetriesUntilTheCollectorListens(t *testing.T) {
	dir := t.TempDir()
	c, err := New(Config{Shards: 1, ScenarioHash: testHash, RunID: "run-1", Dir: dir, Margin: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(c.Handler())
	cl, err := NewClient("http://" + srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	cl.retry = 10 * time.Millisecond
	done := make(chan error, 1)
	go func() {
		_, _, err := cl.Join(context.Background(), joinReq(0, 1))
		done <- err
	}()
	time.Sleep(50 * time.Millisecond) // the listener exists but nothing accepts: the join waits
	srv.Start()
	defer srv.Close()
	if err := <-done; err != nil {
		t.Fatalf("join: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	dead, _ := NewClient("http://127.0.0.1:1")
	dead.retry = 10 * time.Millisecond
	if _, _, err := dead.Join(ctx, joinReq(0, 1)); err == nil || !strings.Contains(err.Error(), "gave up") {
		t.Errorf("join of a collector that never answers: %v, want it to give up when ctx ends", err)
	}
}

// TestClientGivesUpOnAServerThatIsNotACollector: a collector URL that
// reaches another server, or has a path, fails at once instead of
// retrying for the whole --collector-timeout.
func TestClientGivesUpOnAServerThatIsNotACollector(t *testing.T) {
	h := newHarness(t, 1, 20*time.Second)
	other := httptest.NewServer(http.NotFoundHandler()) // e.g. the target, given as the collector
	defer other.Close()
	for _, url := range []string{h.srv.URL + "/typo", other.URL} {
		cl, err := NewClient(url)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, _, err = cl.Join(ctx, joinReq(0, 1))
		cancel()
		if !errors.Is(err, ErrNotCollector) || strings.Contains(err.Error(), "gave up") {
			t.Errorf("join at %s: %v, want ErrNotCollector at once", url, err)
		}
	}
}

func wantRefusal(t *testing.T, what string, err error, status int, reason Reason) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Status != status || e.Reason != reason {
		t.Errorf("%s: %v, want a refusal %d %s", what, err, status, reason)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
