package results

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// event is one Sink call of a synthetic run, at time at.
type event struct {
	at    time.Time
	start string // SessionStarted(conversation)
	end   End    // SessionEnded with this outcome
	r     *Result
}

// replay sends the events to a Summary with their own timestamps.
func replay(s *Summary, evs []event) {
	for _, e := range evs {
		switch {
		case e.r != nil:
			s.Record(e.r)
		case e.start != "":
			s.SessionStartedAt(e.start, e.at)
		default:
			s.SessionEndedAt("", e.end, e.at)
		}
	}
}

var genT0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// genRun makes a deterministic run of n sessions arriving at about rate per
// second, each session → conversation → 2 messages, with some errors,
// canceled steps, lag and every reply shape. Events come in time order.
func genRun(seed uint64, n int, rate float64) []event {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	var evs []event
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	for i := range n {
		user := uint64(i + 1)
		conv := []string{"faq", "long"}[i%2]
		intended := genT0.Add(time.Duration(float64(i) / rate * float64(time.Second)))
		lag := ms(rng.Float64() * 3)
		t := intended.Add(lag)
		evs = append(evs, event{at: t, start: conv})
		end := EndCompleted
		add := func(r *Result) {
			r.User, r.Session, r.Conversation = user, user, conv
			evs = append(evs, event{at: r.Start.Add(r.Latency), r: r})
			t = r.Start.Add(r.Latency)
		}
		add(&Result{Step: StepSession, Intended: intended, Start: t, Code: 200, BytesIn: 300, BytesOut: 60,
			Latency: ms(5 + rng.ExpFloat64()*5)})
		add(&Result{Step: StepConversation, Intended: t, Start: t, Code: 200, BytesIn: 120, BytesOut: 40,
			Latency: ms(8 + rng.ExpFloat64()*4), Wait: ms(rng.Float64())})
		for turn := 1; turn <= 2; turn++ {
			think := t.Add(ms(200 + rng.Float64()*100))
			r := &Result{Step: StepMessage, Turn: turn, Intended: think, Start: think.Add(ms(rng.Float64())), Code: 200}
			r.TTFB = ms(20 + rng.ExpFloat64()*10)
			r.TTFT = r.TTFB + ms(80+rng.ExpFloat64()*40)
			r.Tokens = 5 + rng.IntN(20)
			r.Parts = r.Tokens
			r.Chars = r.Tokens * 4
			r.Latency = r.TTFT
			for range r.Tokens - 1 {
				g := ms(10 + rng.ExpFloat64()*5)
				r.Gaps = append(r.Gaps, g)
				r.Latency += g
			}
			r.Latency += ms(1)
			r.BytesIn, r.BytesOut = int64(r.Chars*3), 90
			r.Shape = "model"
			switch x := rng.IntN(20); {
			case x == 0:
				r.Error, r.Detail, r.Shape = "stream_truncated", "ended without d:", ""
			case x == 1:
				r.Code, r.Error, r.Shape, r.Gaps, r.TTFT, r.Tokens, r.Parts, r.Chars = 500, "http_5xx", "", nil, 0, 0, 0, 0
			case x == 2:
				r.Shape, r.Gaps, r.Tokens, r.Parts = "single_shot", nil, 1, 1
			case x == 3 && i == n-1:
				r.Error, r.Shape = kindCanceled, ""
			}
			r.Good = r.Error == "" && r.TTFT < 150*time.Millisecond
			if r.Error != "" {
				end = EndFailed
				if r.Error == kindCanceled {
					end = EndCanceled
				}
			}
			add(r)
			if r.Error != "" {
				break
			}
		}
		evs = append(evs, event{at: t, end: end})
	}
	slices.SortStableFunc(evs, func(a, b event) int { return a.at.Compare(b.at) })
	return evs
}

// snapshotDiff describes the first difference between two snapshots, "" if
// they are equal.
func snapshotDiff(a, b *Snapshot) string {
	for i := range a.Steps {
		sa, sb := a.Steps[i], b.Steps[i]
		name := string(sa.Step)
		if sa.Count != sb.Count || sa.Errors != sb.Errors || sa.BytesIn != sb.BytesIn || sa.BytesOut != sb.BytesOut ||
			sa.Tokens != sb.Tokens || sa.Parts != sb.Parts || sa.Chars != sb.Chars || sa.Good != sb.Good || sa.Polls != sb.Polls {
			return fmt.Sprintf("%s counts differ: %+v vs %+v", name, sa, sb)
		}
		if fmt.Sprint(sa.Kinds, sa.Codes, sa.Shapes) != fmt.Sprint(sb.Kinds, sb.Codes, sb.Shapes) {
			return fmt.Sprintf("%s kinds/codes/shapes differ", name)
		}
		for _, h := range []struct {
			n    string
			x, y *Histogram
		}{
			{"latency", &sa.Latency, &sb.Latency}, {"from_intended", &sa.FromIntended, &sb.FromIntended},
			{"lag", &sa.Lag, &sb.Lag}, {"ttfb", &sa.TTFB, &sb.TTFB}, {"ttft", &sa.TTFT, &sb.TTFT},
			{"gap", &sa.Gap, &sb.Gap}, {"tpot", &sa.TPOT, &sb.TPOT},
		} {
			if !h.x.Equal(h.y) {
				return fmt.Sprintf("%s %s histograms differ", name, h.n)
			}
		}
	}
	if fmt.Sprint(a.Errors, a.Sessions) != fmt.Sprint(b.Errors, b.Sessions) {
		return fmt.Sprintf("errors/sessions differ: %v %+v vs %v %+v", a.Errors, a.Sessions, b.Errors, b.Sessions)
	}
	if !a.Lag.Equal(&b.Lag) || !a.Wait.Equal(&b.Wait) {
		return "lag/wait histograms differ"
	}
	if !a.First.Equal(b.First) || !a.Last.Equal(b.Last) {
		return fmt.Sprintf("first/last differ: %v..%v vs %v..%v", a.First, a.Last, b.First, b.Last)
	}
	sa, sb := &a.Series, &b.Series
	if sa.Width != sb.Width || !sa.Start().Equal(sb.Start()) || len(sa.Intervals) != len(sb.Intervals) {
		return fmt.Sprintf("series shape differs: %v %v %d vs %v %v %d",
			sa.Width, sa.Start(), len(sa.Intervals), sb.Width, sb.Start(), len(sb.Intervals))
	}
	for i := range sa.Intervals {
		x, y := &sa.Intervals[i], &sb.Intervals[i]
		if x.Arrivals != y.Arrivals || x.Started != y.Started || x.ActiveNanos != y.ActiveNanos || x.TTFT.Count() != y.TTFT.Count() {
			return fmt.Sprintf("interval %d differs: %+v vs %+v", i, *x, *y)
		}
		for _, q := range []float64{0.5, 0.95} {
			if x.TTFT.Quantile(q) != y.TTFT.Quantile(q) {
				return fmt.Sprintf("interval %d ttft q%v differs", i, q)
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
