package stats_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/results/resultstest"
	"github.com/loadgen/loadgen/stats"
)

func TestAggregateRecord(t *testing.T) {
	t0 := resultstest.T0
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	s := stats.New()
	s.SessionStartedAt("faq", t0)
	s.Record(&results.Result{Step: results.StepSession, Intended: t0, Start: t0.Add(ms(10)), Latency: ms(20), Code: 200, BytesIn: 100, BytesOut: 10})
	s.Record(&results.Result{Step: results.StepConversation, Start: t0.Add(ms(30)), Latency: ms(5), Code: 200, Wait: ms(2)})
	s.Record(&results.Result{Step: results.StepMessage, Turn: 1, Intended: t0.Add(ms(40)), Start: t0.Add(ms(40)), Code: 200,
		Latency: ms(400), TTFB: ms(50), TTFT: ms(100), Gaps: []time.Duration{ms(100), ms(200)}, Tokens: 3, Parts: 3,
		Chars: 12, Shape: "model", Good: true})
	s.Record(&results.Result{Step: results.StepMessage, Turn: 2, Start: t0.Add(ms(1500)), Code: 200, Latency: ms(30), TTFB: ms(29),
		TTFT: ms(30), Tokens: 1, Parts: 1, Shape: "single_shot"})
	s.Record(&results.Result{Step: results.StepMessage, Turn: 3, Start: t0.Add(ms(1600)), Code: 0, Latency: ms(9000), Error: "timeout", Detail: "deadline"})
	s.Record(&results.Result{Step: results.StepMessage, Turn: 4, Start: t0.Add(ms(1700)), Code: 0, Latency: ms(1), Error: "canceled"})
	s.Record(&results.Result{Step: "bogus"})
	s.SessionEndedAt("faq", results.EndCanceled, t0.Add(ms(11000)))
	d := s.Snapshot()

	sess, msg := d.Step(results.StepSession), d.Step(results.StepMessage)
	tests := []struct {
		name      string
		got, want any
	}{
		{"session count", sess.Count, int64(1)},
		{"session lag p99", sess.Lag.Quantile(0.99), ms(10)},
		{"session latency p50", sess.Latency.Quantile(0.5), ms(20)},
		{"session latency from intended", sess.FromIntended.Quantile(0.5), ms(30)},
		{"session codes", fmt.Sprint(sess.Codes), "map[200:1]"},
		{"session bytes", [2]int64{sess.BytesIn, sess.BytesOut}, [2]int64{100, 10}},
		{"message count", msg.Count, int64(4)},
		{"message errors: the target's only", msg.Errors, int64(1)},
		{"message ours: canceled by the run", msg.Ours, int64(1)},
		{"error rate over the judged steps", msg.ErrorRate(), 1.0 / 3},
		{"message kinds", fmt.Sprint(msg.Kinds), "map[canceled:1 timeout:1]"},
		{"message codes", fmt.Sprint(msg.Codes), "map[0:2 200:2]"},
		{"latency excludes canceled", msg.Latency.Count(), int64(3)},
		{"latency max is the timeout", msg.Latency.Max(), ms(9000)},
		{"ttft count", msg.TTFT.Count(), int64(2)},
		{"ttfb count", msg.TTFB.Count(), int64(2)},
		{"gaps recorded one by one", msg.Gap.Count(), int64(2)},
		{"tpot = span/(tokens-1)", msg.TPOT.Quantile(0.5), ms(150)},
		{"tpot only with 2+ tokens", msg.TPOT.Count(), int64(1)},
		{"tokens", msg.Tokens, int64(4)},
		{"shapes", fmt.Sprint(msg.Shapes), "map[model:1 single_shot:1]"},
		{"good", msg.Good, int64(1)},
		{"errors overall", fmt.Sprint(d.Errors), "map[canceled:1 timeout:1]"},
		{"first details", fmt.Sprint(d.Details), "map[timeout:[deadline]]"},
		{"sessions", d.Sessions, stats.Sessions{Started: 1, Canceled: 1}},
		{"unknown step", d.Unknown, int64(1)},
		{"requests", d.Requests(), int64(6)},
		{"wait total", d.Wait.Sum(), ms(2)},
		{"first", d.First, t0},
		{"last is the session's end", d.Last, t0.Add(ms(11000))},
		{"intervals up to the session's end", len(d.Series.Intervals), 11},
		{"interval 0 requests", d.Series.Intervals[0].Requests(), int64(3)},
		{"interval 1 requests", d.Series.Intervals[1].Requests(), int64(3)},
		{"interval 1 errors", d.Series.Intervals[1].Errors(), int64(1)},
		{"interval 0 arrivals", d.Series.Intervals[0].Arrivals, int64(1)},
		{"interval 0 started", d.Series.Intervals[0].Started, int64(1)},
		{"interval 0 ttft p50 (2 digits)", d.Series.Intervals[0].TTFT.Quantile(0.5).Round(ms(1)), ms(100)},
		{"users active in interval 0", d.Series.UsersActive(0), 1.0},
		{"users active in interval 10", d.Series.UsersActive(10), 1.0},
		{"series start", d.Series.Start(), t0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if fmt.Sprint(tt.got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestAggregateUsersActive(t *testing.T) {
	s := stats.New()
	t0 := resultstest.T0
	// Two sessions: one in flight over [0.5 s, 2.5 s), one over [1 s, 1.5 s).
	s.SessionStartedAt("a", t0.Add(500*time.Millisecond))
	s.SessionStartedAt("a", t0.Add(time.Second))
	s.SessionEndedAt("a", results.EndCompleted, t0.Add(1500*time.Millisecond))
	s.SessionEndedAt("a", results.EndFailed, t0.Add(2500*time.Millisecond))
	d := s.Snapshot()
	want := []float64{0.5, 1.5, 0.5}
	if len(d.Series.Intervals) != len(want) {
		t.Fatalf("got %d intervals, want %d", len(d.Series.Intervals), len(want))
	}
	for i, w := range want {
		if got := d.Series.UsersActive(i); got != w {
			t.Errorf("UsersActive(%d) = %v, want %v", i, got, w)
		}
	}
	if got := d.Sessions; got != (stats.Sessions{Started: 2, Completed: 1, Failed: 1}) || got.Active() != 0 {
		t.Errorf("Sessions = %+v (active %d), want 2 started, 1 completed, 1 failed", got, got.Active())
	}
}

func TestAggregateMergeOfShardsEqualsWhole(t *testing.T) {
	evs := resultstest.Generate(resultstest.Config{Seed: 7, Sessions: 300, Rate: 50})
	whole := stats.New()
	resultstest.Replay(whole, evs)
	shards := resultstest.Split(evs, 3)
	merged := stats.New()
	for _, sh := range shards {
		s := stats.New()
		resultstest.Replay(s, sh)
		merged.Merge(s)
	}
	if diff := resultstest.Diff(merged.Snapshot(), whole.Snapshot()); diff != "" {
		t.Fatal("merged shards != whole run: " + diff)
	}
}

func TestAggregateCoarsensLongRuns(t *testing.T) {
	s := stats.New(stats.WithMaxIntervals(10))
	for i := range 25 {
		at := resultstest.T0.Add(time.Duration(i) * time.Second)
		s.Record(&results.Result{Step: results.StepSession, Intended: at, Start: at, Latency: time.Millisecond, Code: 200})
	}
	d := s.Snapshot()
	if d.Series.Width != 4*time.Second {
		t.Errorf("Width = %v, want 4s after outgrowing 10 intervals twice", d.Series.Width)
	}
	if n := len(d.Series.Intervals); n > 10 {
		t.Errorf("%d intervals, want at most 10", n)
	}
	var total, arrivals int64
	for i := range d.Series.Intervals {
		total += d.Series.Intervals[i].Requests()
		arrivals += d.Series.Intervals[i].Arrivals
	}
	if total != 25 || arrivals != 25 {
		t.Errorf("coarsened series holds %d requests and %d arrivals, want 25 and 25", total, arrivals)
	}
}

func TestAggregateMergeDifferentWidths(t *testing.T) {
	fine, coarse := stats.New(), stats.New(stats.WithMaxIntervals(4))
	for i := range 12 {
		at := resultstest.T0.Add(time.Duration(i) * time.Second)
		r := &results.Result{Step: results.StepSession, Intended: at, Start: at, Latency: time.Millisecond, Code: 200}
		if i%2 == 0 {
			fine.Record(r)
		} else {
			coarse.Record(r)
		}
	}
	fine.Merge(coarse)
	d := fine.Snapshot()
	if d.Series.Width != 4*time.Second {
		t.Errorf("merged Width = %v, want the coarser 4s", d.Series.Width)
	}
	var total int64
	for i := range d.Series.Intervals {
		total += d.Series.Intervals[i].Requests()
	}
	if total != 12 || d.Step(results.StepSession).Count != 12 {
		t.Errorf("merged series holds %d requests (count %d), want 12", total, d.Step(results.StepSession).Count)
	}
}

func TestAggregateConcurrent(t *testing.T) {
	s := stats.New()
	evs := resultstest.Generate(resultstest.Config{Seed: 3, Sessions: 200, Rate: 100})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i, e := range evs {
				if i%4 == w {
					if e.Result != nil {
						s.Record(e.Result)
					} else if e.Start != "" {
						s.SessionStarted(e.Start)
					} else {
						s.SessionEnded("", e.End)
					}
				}
			}
		})
	}
	wg.Go(func() { // readers run alongside
		for range 5 {
			_ = s.Snapshot()
		}
	})
	wg.Wait()
	want := stats.New()
	resultstest.Replay(want, evs)
	got, w := s.Snapshot(), want.Snapshot()
	if got.Requests() != w.Requests() || got.Sessions != w.Sessions {
		t.Errorf("concurrent: %d requests %+v, want %d %+v", got.Requests(), got.Sessions, w.Requests(), w.Sessions)
	}
	if !got.Step(results.StepMessage).TTFT.Equal(&w.Step(results.StepMessage).TTFT) {
		t.Error("concurrent: TTFT histogram differs from a sequential replay")
	}
}

func TestSnapshotIsIndependent(t *testing.T) {
	s := stats.New()
	resultstest.Replay(s, resultstest.Generate(resultstest.Config{Seed: 1, Sessions: 10, Rate: 10}))
	a := s.Snapshot()
	before := a.Step(results.StepMessage).Latency.Count()
	resultstest.Replay(s, resultstest.Generate(resultstest.Config{Seed: 2, Sessions: 10, Rate: 10}))
	if got := a.Step(results.StepMessage).Latency.Count(); got != before {
		t.Errorf("snapshot changed after more records: %d, want %d", got, before)
	}
}

func ExampleAggregate() {
	s := stats.New()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 100 {
		start := t0.Add(time.Duration(i) * 10 * time.Millisecond)
		s.Record(&results.Result{Step: results.StepMessage, Intended: start, Start: start, Code: 200,
			Latency: 2 * time.Second, TTFT: time.Duration(100+i) * time.Millisecond, Tokens: 1, Shape: "model"})
	}
	d := s.Snapshot()
	msg := d.Step(results.StepMessage)
	fmt.Println("messages:", msg.Count, "errors:", msg.Errors)
	// Percentiles are exact to three significant digits.
	fmt.Println("ttft p50:", msg.TTFT.Quantile(0.5).Round(time.Millisecond), "p99:", msg.TTFT.Quantile(0.99).Round(time.Millisecond))
	// Output:
	// messages: 100 errors: 0
	// ttft p50: 149ms p99: 198ms
}

func BenchmarkAggregateRecord(b *testing.B) {
	evs := resultstest.Generate(resultstest.Config{Seed: 5, Sessions: 500, Rate: 100})
	var rs []*results.Result
	for _, e := range evs {
		if e.Result != nil {
			rs = append(rs, e.Result)
		}
	}
	s := stats.New()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			s.Record(rs[i%len(rs)])
			i++
		}
	})
}

// BenchmarkSummarySnapshot measures the copy that a progress line or an
// --abort-on-fail check takes every second.
func BenchmarkAggregateSnapshot(b *testing.B) {
	s := stats.New()
	resultstest.Replay(s, resultstest.Generate(resultstest.Config{Seed: 5, Sessions: 2000, Rate: 20}))
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Snapshot()
	}
}

func TestAggregatePeekSeesLiveCounts(t *testing.T) {
	s := stats.New()
	s.SessionStarted("c")
	s.Record(&results.Result{Step: results.StepMessage, Conversation: "c", Latency: time.Millisecond, TTFT: time.Millisecond})
	var started, messages int64
	s.Peek(func(d *stats.Snapshot) { started, messages = d.Sessions.Started, d.Step(results.StepMessage).Count })
	if started != 1 || messages != 1 {
		t.Errorf("Peek saw %d sessions and %d messages, want 1 and 1", started, messages)
	}
}
