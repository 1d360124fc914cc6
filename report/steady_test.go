package report_test

import (
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/resultfile"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/results/resultstest"
	"github.com/loadgen/loadgen/stats"
)

// queueRun makes a run of one-message sessions arriving every 1/rate s for
// dur, served in order by one server that takes 125 ms each (8/s): below
// 8/s it keeps up, above it a backlog grows and so does TTFT.
func queueRun(rate float64, dur time.Duration) []resultstest.Event {
	var evs []resultstest.Event
	free := resultstest.T0
	for i := 0; ; i++ {
		at := resultstest.T0.Add(time.Duration(float64(i) / rate * float64(time.Second)))
		if at.Sub(resultstest.T0) >= dur {
			break
		}
		start := at
		if free.After(start) {
			start = free
		}
		free = start.Add(125 * time.Millisecond)
		u := uint64(i + 1)
		evs = append(evs,
			resultstest.Event{At: at, User: u, Start: "chat"},
			resultstest.Event{At: free, User: u, Result: &results.Result{User: u, Session: u, Conversation: "chat",
				Step: results.StepMessage, Turn: 1, Intended: at, Start: at, Code: 200,
				TTFT: start.Sub(at) + 10*time.Millisecond, Latency: free.Sub(at), Parts: 1, Tokens: 1}},
			resultstest.Event{At: free, User: u, End: results.EndCompleted})
	}
	// In time order, as a run records them.
	for i := 1; i < len(evs); i++ {
		for j := i; j > 0 && evs[j].At.Before(evs[j-1].At); j-- {
			evs[j], evs[j-1] = evs[j-1], evs[j]
		}
	}
	return evs
}

// longSessionRun makes a run of sessions arriving every 1/rate s for dur
// against an idle target: each asks one question (TTFT 300 ms, answered in
// 1 s), then its user reads for an exponential time of mean think before
// the session ends; the run's stop cancels those still in flight. With a
// delay of its own (late, growing by that much per second of the run)
// added to every answer, the target slows down as a backlog would make it.
// With signIn, each session signs in (5 ms) instead of asking, as page
// views do.
func longSessionRun(rate float64, think, dur time.Duration, late float64, signIn bool, seed uint64) []resultstest.Event {
	rng := rand.New(rand.NewPCG(seed, 1))
	var evs []resultstest.Event
	for i := 0; ; i++ {
		at := resultstest.T0.Add(time.Duration(float64(i) / rate * float64(time.Second)))
		if at.Sub(resultstest.T0) >= dur {
			break
		}
		wait := time.Duration(late * at.Sub(resultstest.T0).Seconds() * float64(time.Second))
		answered := at.Add(wait + time.Second)
		u := uint64(i + 1)
		r := &results.Result{User: u, Session: u, Conversation: "chat",
			Step: results.StepMessage, Turn: 1, Intended: at, Start: at, Code: 200,
			TTFT: wait + 300*time.Millisecond, Latency: answered.Sub(at), Parts: 1, Tokens: 1}
		if signIn {
			answered = at.Add(wait + 5*time.Millisecond)
			r = &results.Result{User: u, Session: u, Conversation: "chat",
				Step: results.StepSession, Intended: at, Start: at, Code: 200, Latency: answered.Sub(at)}
		}
		evs = append(evs,
			resultstest.Event{At: at, User: u, Start: "chat"},
			resultstest.Event{At: answered, User: u, Result: r})
		end, how := answered.Add(time.Duration(rng.ExpFloat64()*float64(think))), results.EndCompleted
		if end.Sub(resultstest.T0) >= dur {
			end, how = resultstest.T0.Add(dur), results.EndCanceled
		}
		evs = append(evs, resultstest.Event{At: end, User: u, End: how, Conv: "chat"})
	}
	slices.SortStableFunc(evs, func(a, b resultstest.Event) int { return a.At.Compare(b.At) })
	return evs
}

// TestLongSessionsSteady: sessions that last long against the run fill up
// for as long as the run goes on: sessions in flight climb at the arrival
// rate times the share still in their first run. That is no backlog — the
// target answers every question in the same time — and the check must not
// call it one (the widget scenario, 2 minutes of 40 s visits against an
// idle mock, printed "not steady: in flight +0.8/s"). The same sessions
// against a target that slows down (answers 50 ms later per second of the
// run, as a backlog makes them) must still be caught, by their latency —
// of sign-ins when the sessions send no message.
func TestLongSessionsSteady(t *testing.T) {
	tests := []struct {
		name       string
		think      time.Duration
		dur        time.Duration
		late       float64
		signIn     bool
		wantSteady bool
	}{
		{"sessions of 30 s in a 60 s run", 30 * time.Second, time.Minute, 0, false, true},
		{"sessions of 30 s in a 2 min run", 30 * time.Second, 2 * time.Minute, 0, false, true},
		{"sessions of 5 s in a 20 s run", 5 * time.Second, 20 * time.Second, 0, false, true},
		{"sessions of 2 s in a 2 min run", 2 * time.Second, 2 * time.Minute, 0, false, true},
		{"page views of 30 s in a 60 s run", 30 * time.Second, time.Minute, 0, true, true},
		{"sessions of 30 s, target slowing down", 30 * time.Second, time.Minute, 0.05, false, false},
		{"sessions of 2 s, target slowing down", 2 * time.Second, time.Minute, 0.05, false, false},
		{"page views of 30 s, sign-in slowing down", 30 * time.Second, time.Minute, 0.05, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for seed := range uint64(20) {
				agg := stats.New()
				resultstest.Replay(agg, longSessionRun(5, tt.think, tt.dur, tt.late, tt.signIn, seed))
				run := results.Run{Start: resultstest.T0, Duration: tt.dur, TargetRate: 5}
				sc := report.Build(run, agg.Snapshot()).Schedule
				if sc.Steady == nil || *sc.Steady != tt.wantSteady {
					t.Fatalf("seed %d: Schedule.Steady = %v (%+v), want %v", seed, fmtSteady(sc.Steady), sc.SteadyState, tt.wantSteady)
				}
			}
		})
	}
}

func TestSummarySteady(t *testing.T) {
	tests := []struct {
		name       string
		rate       float64
		hold       time.Duration
		wantKnown  bool
		wantSteady bool
	}{
		{"below capacity", 6, 0, true, true},
		{"above capacity", 8.5, 0, true, false},
		{"no hold (ends on a ramp)", 8.5, 20 * time.Second, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			agg := stats.New()
			resultstest.Replay(agg, queueRun(tt.rate, 20*time.Second))
			run := results.Run{Start: resultstest.T0, Duration: 20 * time.Second, TargetRate: tt.rate, Hold: tt.hold}
			sum := report.Build(run, agg.Snapshot())
			sc := sum.Schedule
			if (sc.Steady != nil) != tt.wantKnown || tt.wantKnown && *sc.Steady != tt.wantSteady {
				t.Fatalf("Schedule.Steady = %v (%+v), want known %v, steady %v", sc.Steady, sc.SteadyState, tt.wantKnown, tt.wantSteady)
			}
			var text strings.Builder
			if err := report.WriteText(&text, sum); err != nil {
				t.Fatal(err)
			}
			says := strings.Contains(text.String(), "not steady: TTFT +")
			if says != (tt.wantKnown && !tt.wantSteady) {
				t.Errorf("summary text says not steady: %v; want %v:\n%s", says, tt.wantKnown && !tt.wantSteady, text.String())
			}
			th, err := report.ParseThreshold("schedule.steady == true")
			if err != nil {
				t.Fatal(err)
			}
			if v := th.Eval(sum); v.Pass != (tt.wantKnown && tt.wantSteady) {
				t.Errorf("schedule.steady == true: %+v; want pass only for a steady run", v)
			}
		})
	}
}

// TestSteadyFromFiles: a report made from a run's results files (loadgen
// report, loadgen collect) checks steadiness over the same window as the
// live summary: from the hold the header records, not over the ramp before
// it, where sessions in flight grow by design. Here the whole run is a
// ramp at 8.5/s over a server of 8/s: the live summary cannot tell (no
// constant load), and neither may the report from its file.
func TestSteadyFromFiles(t *testing.T) {
	for _, hold := range []time.Duration{0, 20 * time.Second} {
		evs := queueRun(8.5, 20*time.Second)
		run := results.Run{ID: "r", Scenario: "queue", Start: resultstest.T0, Duration: 20 * time.Second, TargetRate: 8.5, Hold: hold}
		agg := stats.New()
		resultstest.Replay(agg, evs)
		live := report.Build(run, agg.Snapshot()).Schedule.Steady

		p := filepath.Join(t.TempDir(), "r.jsonl")
		w, err := resultfile.Create(p, run)
		if err != nil {
			t.Fatal(err)
		}
		resultstest.Replay(w, evs)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		s, _, err := report.Load(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Schedule.Steady; (got == nil) != (live == nil) || got != nil && *got != *live {
			t.Errorf("hold %v: steady from the file = %v (%+v), live %v", hold, fmtSteady(got), s.Schedule.SteadyState, fmtSteady(live))
		}
	}
}

func fmtSteady(b *bool) string {
	if b == nil {
		return "unknown"
	}
	return strconv.FormatBool(*b)
}
