package capacity

import (
	"math"
	"testing"
	"time"
)

// TestThroughput: a saturated pipeline that needs 2 s to fill and then
// completes 100/s is measured at 100/s from the first completion to the
// last, where the whole-run average reads 80/s (GuideLLM issue #93).
func TestThroughput(t *testing.T) {
	var recs []Record
	for i := range 800 {
		end := 2*time.Second + time.Duration(i)*10*time.Millisecond
		recs = append(recs, Record{Intended: 0, End: end})
	}
	recs = append(recs, Record{Intended: time.Second, End: Pending})
	iv, first, last, ok := throughput(recs, 0, 10*time.Second, 0.95)
	if !ok || math.Abs(iv.Est-100) > 0.5 || first != 2*time.Second || last != 9990*time.Millisecond {
		t.Errorf("throughput = %+v, %v, %v, %v; want 100/s from 2s to 9.99s", iv, first, last, ok)
	}
	if whole := float64(len(recs)-1) / 10; math.Abs(whole-80) > 0.5 {
		t.Errorf("whole-run average %v, want 80 (the bias the window avoids)", whole)
	}
	if _, _, _, ok := throughput(recs[:5], 0, 10*time.Second, 0.95); ok {
		t.Errorf("throughput of 5 completions: ok, want too few")
	}
}

func TestAttainment(t *testing.T) {
	var msgs []Record
	for i := range 1000 {
		m := Record{Intended: time.Duration(i) * 10 * time.Millisecond, End: time.Duration(i)*10*time.Millisecond + 5*time.Millisecond, Good: i%10 != 0}
		if !m.Good {
			m.Missed = 0b10
		}
		msgs = append(msgs, m)
	}
	msgs = append(msgs, Record{Intended: 5 * time.Second, End: Pending}) // in flight: not counted
	sh := attainment(msgs, time.Second, 9*time.Second, 2)
	n, good := sh.count()
	if n != 800 || good != 720 || sh.missed[0] != 0 || sh.missed[1] != 80 {
		t.Errorf("attainment over [1s, 9s) = %d messages, %d good, missed %v; want 800, 720, [0 80]", n, good, sh.missed)
	}
	iv := sh.interval(0.95)
	if math.Abs(iv.Est-0.9) > 1e-12 || !(iv.Lo < 0.9 && 0.9 < iv.Hi) {
		t.Errorf("interval = %+v, want 0.9 inside", iv)
	}
	// The same share from strongly correlated messages (failures in runs of
	// 50) has a much wider interval.
	for i := range msgs[:1000] {
		msgs[i].Good = (i/50)%10 != 0
	}
	wide := attainment(msgs, time.Second, 9*time.Second, 2).interval(0.95)
	if !(wide.Hi-wide.Lo > 3*(iv.Hi-iv.Lo)) {
		t.Errorf("interval with failures in runs of 50 = %+v; want it far wider than %+v", wide, iv)
	}
}
