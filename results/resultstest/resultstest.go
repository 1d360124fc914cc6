// Package resultstest makes deterministic synthetic runs for tests of the
// packages that consume results: a stream of Sink calls with timestamps, and
// a comparison of two stats snapshots.
package resultstest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/stats"
)

// Event is one Sink call of a synthetic run, at time At: exactly one of
// Start (SessionStarted with that conversation), End (SessionEnded of
// conversation Conv) or Result (Record) is set. User is the virtual user it
// belongs to.
type Event struct {
	At     time.Time
	User   uint64
	Start  string
	End    results.End
	Conv   string // the conversation an End ends
	Result *results.Result
}

// Split deals the events into n shards by user, as a distributed run does,
// keeping their order.
func Split(evs []Event, n int) [][]Event {
	out := make([][]Event, n)
	for _, e := range evs {
		i := int(e.User % uint64(n))
		out[i] = append(out[i], e)
	}
	return out
}

// Replay sends the events to s in order, with their own timestamps.
func Replay(s results.TimedSink, evs []Event) {
	for _, e := range evs {
		switch {
		case e.Result != nil:
			s.Record(e.Result)
		case e.Start != "":
			s.SessionStartedAt(e.Start, e.At)
		default:
			s.SessionEndedAt(e.Conv, e.End, e.At)
		}
	}
}

// T0 is the default start of a generated run.
var T0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Config describes a synthetic run.
type Config struct {
	Seed     uint64        // random seed; the same Config gives the same run
	Sessions int           // sessions to generate
	Rate     float64       // session arrivals per second
	Start    time.Time     // first arrival (default T0)
	TTFT     time.Duration // typical time to first token (default 100 ms)
	Turns    int           // messages per session (default 2)
}

// Generate makes a run: sessions arriving at cfg.Rate, each session →
// conversation → cfg.Turns streamed messages, with schedule lag, limiter
// waits, about 5 % failed messages (truncated streams and 5xx), single-shot
// replies, and the last session canceled. Events come in time order.
func Generate(cfg Config) []Event {
	if cfg.Start.IsZero() {
		cfg.Start = T0
	}
	if cfg.TTFT == 0 {
		cfg.TTFT = 100 * time.Millisecond
	}
	if cfg.Turns == 0 {
		cfg.Turns = 2
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed+1))
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	var evs []Event
	for i := range cfg.Sessions {
		user := uint64(i + 1)
		conv := []string{"faq", "long"}[i%2]
		intended := cfg.Start.Add(time.Duration(float64(i) / cfg.Rate * float64(time.Second)))
		t := intended.Add(ms(rng.Float64() * 3))
		evs = append(evs, Event{At: t, User: user, Start: conv})
		end := results.EndCompleted
		add := func(r *results.Result) {
			r.User, r.Session, r.Conversation = user, user, conv
			t = r.Start.Add(r.Latency)
			evs = append(evs, Event{At: t, User: user, Result: r})
		}
		add(&results.Result{Step: results.StepSession, Intended: intended, Start: t, Code: 200, BytesIn: 300,
			BytesOut: 60, Latency: ms(5 + rng.ExpFloat64()*5)})
		add(&results.Result{Step: results.StepConversation, Intended: t, Start: t, Code: 200, BytesIn: 120,
			BytesOut: 40, Latency: ms(8 + rng.ExpFloat64()*4), Wait: ms(rng.Float64())})
		for turn := 1; turn <= cfg.Turns; turn++ {
			r := message(rng, t.Add(ms(200+rng.Float64()*100)), turn, cfg.TTFT)
			if r.Error == "" && i == cfg.Sessions-1 && turn == cfg.Turns {
				r.Error, r.Detail, r.Shape, r.Good = results.KindCanceled, "run stopped", "", false
			}
			if r.Error != "" {
				end = results.EndFailed
				if r.Error == results.KindCanceled {
					end = results.EndCanceled
				}
			}
			add(r)
			if r.Error != "" {
				break
			}
		}
		evs = append(evs, Event{At: t, User: user, End: end, Conv: conv})
	}
	slices.SortStableFunc(evs, func(a, b Event) int { return a.At.Compare(b.At) })
	return evs
}

func message(rng *rand.Rand, intended time.Time, turn int, ttft time.Duration) *results.Result {
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	r := &results.Result{Step: results.StepMessage, Turn: turn, Intended: intended,
		Start: intended.Add(ms(rng.Float64())), Code: 200}
	r.TTFB = ms(20 + rng.ExpFloat64()*10)
	r.TTFT = r.TTFB + time.Duration(float64(ttft)*(0.6+rng.ExpFloat64()*0.4))
	r.Tokens = 5 + rng.IntN(20)
	r.Parts, r.Chars = r.Tokens, r.Tokens*4
	r.Latency = r.TTFT
	for range r.Tokens - 1 {
		g := ms(10 + rng.ExpFloat64()*5)
		r.Gaps = append(r.Gaps, g)
		r.Latency += g
	}
	r.Latency += ms(1)
	r.BytesIn, r.BytesOut = int64(r.Chars*3), 90
	r.Shape = results.ShapeModel
	switch rng.IntN(40) {
	case 0:
		r.Error, r.Detail, r.Shape = results.KindStreamTruncated, "began with f: and ended without d:", ""
	case 1:
		r.Code, r.Error, r.Detail, r.Shape = 500, results.KindHTTP5xx, "internal error", ""
		r.Gaps, r.TTFT, r.Tokens, r.Parts, r.Chars, r.Latency = nil, 0, 0, 0, 0, r.TTFB
	case 2, 3:
		r.Shape, r.Gaps, r.Tokens, r.Parts, r.Latency = results.ShapeSingleShot, nil, 1, 1, r.TTFT+ms(1)
	}
	r.Good = r.Error == "" && r.TTFT < 2*ttft
	return r
}

// Diff describes the first difference between two snapshots, "" when they
// are equal: counts, every histogram bucket, sessions, and each interval of
// the time series.
func Diff(a, b *stats.Snapshot) string {
	for i := range a.Steps {
		if d := stepDiff(a.Steps[i], b.Steps[i]); d != "" {
			return string(a.Steps[i].Step) + ": " + d
		}
	}
	if fmt.Sprint(a.Errors, a.Sessions, a.Unknown) != fmt.Sprint(b.Errors, b.Sessions, b.Unknown) {
		return fmt.Sprintf("errors/sessions differ: %v %+v vs %v %+v", a.Errors, a.Sessions, b.Errors, b.Sessions)
	}
	if !a.Lag.Equal(&b.Lag) || !a.Wait.Equal(&b.Wait) {
		return "lag/wait histograms differ"
	}
	if len(a.Conversations) != len(b.Conversations) {
		return fmt.Sprintf("%d conversations vs %d", len(a.Conversations), len(b.Conversations))
	}
	for name, ca := range a.Conversations {
		cb := b.Conversations[name]
		if cb == nil {
			return "conversation " + name + " missing"
		}
		if fmt.Sprint(ca.Sessions, ca.Requests, ca.Errors, ca.Sent, ca.Good, ca.Tokens) != fmt.Sprint(cb.Sessions, cb.Requests, cb.Errors, cb.Sent, cb.Good, cb.Tokens) ||
			!ca.Latency.Equal(&cb.Latency) || !ca.TTFT.Equal(&cb.TTFT) {
			return "conversation " + name + " differs"
		}
	}
	if !a.First.Equal(b.First) || !a.Last.Equal(b.Last) {
		return fmt.Sprintf("first/last differ: %v..%v vs %v..%v", a.First, a.Last, b.First, b.Last)
	}
	return seriesDiff(&a.Series, &b.Series)
}

func stepDiff(sa, sb *stats.StepStats) string {
	if sa.Count != sb.Count || sa.Errors != sb.Errors || sa.BytesIn != sb.BytesIn || sa.BytesOut != sb.BytesOut ||
		sa.Tokens != sb.Tokens || sa.Parts != sb.Parts || sa.Chars != sb.Chars || sa.Good != sb.Good || sa.Polls != sb.Polls {
		return fmt.Sprintf("counts differ: %d/%d/%d vs %d/%d/%d", sa.Count, sa.Errors, sa.Tokens, sb.Count, sb.Errors, sb.Tokens)
	}
	if fmt.Sprint(sa.Kinds, sa.Codes, sa.Shapes) != fmt.Sprint(sb.Kinds, sb.Codes, sb.Shapes) {
		return fmt.Sprintf("kinds/codes/shapes differ: %v %v %v vs %v %v %v", sa.Kinds, sa.Codes, sa.Shapes, sb.Kinds, sb.Codes, sb.Shapes)
	}
	for _, h := range []struct {
		n    string
		x, y *stats.Histogram
	}{
		{"latency", &sa.Latency, &sb.Latency}, {"from_intended", &sa.FromIntended, &sb.FromIntended},
		{"lag", &sa.Lag, &sb.Lag}, {"ttfb", &sa.TTFB, &sb.TTFB}, {"ttft", &sa.TTFT, &sb.TTFT},
		{"gap", &sa.Gap, &sb.Gap}, {"tpot", &sa.TPOT, &sb.TPOT},
		{"cut", &sa.Cut, &sb.Cut}, {"cut_ttfb", &sa.CutTTFB, &sb.CutTTFB}, {"cut_ttft", &sa.CutTTFT, &sb.CutTTFT},
	} {
		if !h.x.Equal(h.y) {
			return h.n + " histograms differ"
		}
	}
	return ""
}

func seriesDiff(sa, sb *stats.Series) string {
	if sa.Width != sb.Width || !sa.Start().Equal(sb.Start()) || len(sa.Intervals) != len(sb.Intervals) {
		return fmt.Sprintf("series shape differs: %v %v %d vs %v %v %d",
			sa.Width, sa.Start(), len(sa.Intervals), sb.Width, sb.Start(), len(sb.Intervals))
	}
	for i := range sa.Intervals {
		x, y := &sa.Intervals[i], &sb.Intervals[i]
		if x.Arrivals != y.Arrivals || x.Started != y.Started || x.ActiveNanos != y.ActiveNanos || x.TTFT.Count() != y.TTFT.Count() ||
			x.Good != y.Good || x.Finished != y.Finished {
			return fmt.Sprintf("interval %d differs: arrivals %d/%d started %d/%d active %d/%d ttft %d/%d finished %d/%d", i,
				x.Arrivals, y.Arrivals, x.Started, y.Started, x.ActiveNanos, y.ActiveNanos, x.TTFT.Count(), y.TTFT.Count(), x.Finished, y.Finished)
		}
		for _, q := range []float64{0.5, 0.95, 0.99} {
			if x.TTFT.Quantile(q) != y.TTFT.Quantile(q) {
				return fmt.Sprintf("interval %d: ttft q%v differs", i, q)
			}
		}
		for j := range x.Steps {
			p, q := &x.Steps[j], &y.Steps[j]
			if p.Count != q.Count || p.Errors != q.Errors || p.Latency.Count() != q.Latency.Count() ||
				p.Latency.Quantile(0.95) != q.Latency.Quantile(0.95) {
				return fmt.Sprintf("interval %d step %d differs", i, j)
			}
		}
	}
	return ""
}
