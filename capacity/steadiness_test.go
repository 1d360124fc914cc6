package capacity

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/loadgen/loadgen/steady"
)

// longSessions is a probe of sessions arriving at rate for dur, each one
// message answered at once (TTFT 300 ms, plus late per second of the
// probe: a target slowing down as a backlog makes it) and then a think of
// exponential time of mean think before it ends; sampled every 100 ms.
func longSessions(rate float64, think, dur time.Duration, late float64, seed uint64) *Measurement {
	rng := rand.New(rand.NewPCG(seed, 3))
	const step = 100 * time.Millisecond
	out := &Measurement{Stopped: dur, InFlight: steady.Samples{Step: step, Values: make([]float64, dur/step)}}
	for i := 0; ; i++ {
		at := time.Duration(float64(i) / rate * float64(time.Second))
		if at >= dur {
			break
		}
		ttft := 300*time.Millisecond + time.Duration(late*at.Seconds()*float64(time.Second))
		answered := at + ttft + 700*time.Millisecond
		end := answered + time.Duration(rng.ExpFloat64()*float64(think))
		out.Messages = append(out.Messages, Record{Intended: at, End: answered, TTFT: ttft, Good: true})
		sess := Record{Intended: at, End: end}
		if end >= dur {
			sess.End = Pending
		}
		out.Sessions = append(out.Sessions, sess)
		for j := at / step; j < min(end, dur)/step; j++ {
			out.InFlight.Values[j]++
		}
	}
	return out
}

// TestSteadinessOfLongSessions: a probe of a scenario whose sessions think
// for 20 s, at a load the target answers in a constant time, sees its
// sessions in flight climb for the whole 30 s probe as they fill up; that
// is not a backlog (which would mark the probe unstable and push the
// SLO-max down), and the same sessions against a target that slows down
// still are one.
func TestSteadinessOfLongSessions(t *testing.T) {
	for _, tt := range []struct {
		late       float64
		wantSteady bool
	}{{0, true}, {0.05, false}} {
		for seed := range uint64(20) {
			out := longSessions(5, 20*time.Second, 30*time.Second, tt.late, seed)
			spec := Spec{Control: Rate, Load: 5, Duration: 30 * time.Second, Warmup: 2 * time.Second}
			v := (&search{}).steadiness(spec, out, spec.Warmup, out.Stopped, 0.95)
			if v.Steady != tt.wantSteady {
				t.Fatalf("slowing %v/s, seed %d: steady %v (%s), want %v", tt.late, seed, v.Steady, v.Reason(), tt.wantSteady)
			}
		}
	}
}
