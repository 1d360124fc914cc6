package runner

import (
	"math"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func mustPacer(t *testing.T, stages ...Ramp) *StagesPacer {
	t.Helper()
	p, err := NewStagesPacer(stages...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestStagesPacerAt(t *testing.T) {
	sec := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	tests := []struct {
		name     string
		stages   []Ramp
		hits     uint64
		at       map[uint64]time.Duration // hit → due time
		meanRate float64
	}{
		{
			name:     "constant 5/s for 20s",
			stages:   []Ramp{{Duration: 20 * time.Second, From: 5, To: 5}},
			hits:     100,
			at:       map[uint64]time.Duration{0: 100 * time.Millisecond, 1: 300 * time.Millisecond, 99: sec(19.9)},
			meanRate: 5,
		},
		{
			name:     "ramp 0→10/s over 10s",
			stages:   []Ramp{{Duration: 10 * time.Second, From: 0, To: 10}},
			hits:     50, // ∫ t dt from 0 to 10
			at:       map[uint64]time.Duration{0: sec(1), 7: sec(math.Sqrt(15)), 49: sec(math.Sqrt(99))},
			meanRate: 5,
		},
		{
			name: "ramp then hold",
			stages: []Ramp{
				{Duration: 2 * time.Second, From: 0, To: 10},
				{Duration: 3 * time.Second, From: 10, To: 10},
			},
			hits:     40, // 10 in the ramp + 30
			at:       map[uint64]time.Duration{10: sec(2.05), 39: sec(4.95)},
			meanRate: 8,
		},
		{
			name: "pause in the middle",
			stages: []Ramp{
				{Duration: time.Second, From: 4, To: 4},
				{Duration: time.Second, From: 0, To: 0},
				{Duration: time.Second, From: 4, To: 4},
			},
			hits: 8,
			at:   map[uint64]time.Duration{3: sec(0.875), 4: sec(2.125)},
		},
		{
			name:   "ramp down to zero",
			stages: []Ramp{{Duration: 10 * time.Second, From: 10, To: 0}},
			hits:   50,
			at:     map[uint64]time.Duration{0: sec(10 - math.Sqrt(99))},
		},
		{name: "no stages", hits: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustPacer(t, tt.stages...)
			if got := p.Hits(); got != tt.hits {
				t.Errorf("Hits() = %d, want %d", got, tt.hits)
			}
			// Every hit below Hits is due, in order; the next one is not.
			prev := time.Duration(-1)
			for n := uint64(0); n < tt.hits; n++ {
				at, ok := p.At(n)
				if !ok || at < prev || at >= p.Duration() {
					t.Fatalf("At(%d) = %v, %v; want due after %v and before %v", n, at, ok, prev, p.Duration())
				}
				prev = at
			}
			if at, ok := p.At(tt.hits); ok {
				t.Errorf("At(%d) = %v, true; want past the end", tt.hits, at)
			}
			for n, want := range tt.at {
				got, ok := p.At(n)
				if !ok || (got-want).Abs() > time.Microsecond {
					t.Errorf("At(%d) = %v, %v; want %v", n, got, ok, want)
				}
			}
			if mean := p.HitsBy(p.Duration()) / p.Duration().Seconds(); tt.meanRate != 0 && math.Abs(mean-tt.meanRate) > 1e-9 {
				t.Errorf("mean rate = %g, want %g", mean, tt.meanRate)
			}
		})
	}
}

func TestStagesPacerHitsBy(t *testing.T) {
	p := mustPacer(t, Ramp{Duration: 10 * time.Second, From: 0, To: 10}, Ramp{Duration: 5 * time.Second, From: 10, To: 10})
	for _, tt := range []struct {
		at   time.Duration
		want float64
	}{{0, 0}, {4 * time.Second, 8}, {10 * time.Second, 50}, {12 * time.Second, 70}, {time.Minute, 100}} {
		if got := p.HitsBy(tt.at); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("HitsBy(%v) = %g, want %g", tt.at, got, tt.want)
		}
	}
}

func TestStagesPacerPaceMatchesAt(t *testing.T) {
	p := mustPacer(t, Ramp{Duration: 4 * time.Second, From: 1, To: 9})
	for n := uint64(0); n < p.Hits(); n++ {
		at, _ := p.At(n)
		if wait, stop := p.Pace(0, n); stop || wait != at {
			t.Errorf("Pace(0, %d) = %v, %v; want %v, false", n, wait, stop, at)
		}
		if wait, stop := p.Pace(at+time.Millisecond, n); stop || wait != 0 {
			t.Errorf("Pace(late, %d) = %v, %v; want 0, false (behind schedule)", n, wait, stop)
		}
	}
	if _, stop := p.Pace(0, p.Hits()); !stop {
		t.Errorf("Pace(0, %d) did not stop after the last hit", p.Hits())
	}
}

func TestStagesPacerRate(t *testing.T) {
	p := mustPacer(t, Ramp{Duration: 10 * time.Second, From: 0, To: 10}, Ramp{Duration: 5 * time.Second, From: 10, To: 10})
	for _, tt := range []struct {
		at   time.Duration
		want float64
	}{{0, 0}, {5 * time.Second, 5}, {12 * time.Second, 10}, {15 * time.Second, 0}} {
		if got := p.Rate(tt.at); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("Rate(%v) = %g, want %g", tt.at, got, tt.want)
		}
	}
}

// A constant stage schedules as many hits as vegeta's ConstantPacer over the
// same window.
func TestStagesPacerAgreesWithVegetaConstant(t *testing.T) {
	const d = 3 * time.Second
	ours := mustPacer(t, Ramp{Duration: d, From: 50, To: 50})
	theirs := vegeta.ConstantPacer{Freq: 50, Per: time.Second}
	var n uint64
	for {
		wait, stop := theirs.Pace(0, n)
		if stop || wait > d {
			break
		}
		n++
	}
	if got := ours.Hits(); got != n {
		t.Errorf("Hits() = %d, vegeta.ConstantPacer schedules %d in %v", got, n, d)
	}
}

func TestNewStagesPacerRejects(t *testing.T) {
	for _, s := range []Ramp{
		{Duration: 0, From: 1, To: 1},
		{Duration: time.Second, From: -1, To: 1},
		{Duration: time.Second, From: 1, To: math.Inf(1)},
	} {
		if _, err := NewStagesPacer(s); err == nil {
			t.Errorf("NewStagesPacer(%+v) = nil error, want one", s)
		}
	}
}

func TestStagesPacerHold(t *testing.T) {
	s := time.Second
	tests := []struct {
		name  string
		ramps []Ramp
		want  time.Duration
	}{
		{"constant", []Ramp{{10 * s, 5, 5}}, 0},
		{"ramp then hold", []Ramp{{10 * s, 0, 5}, {20 * s, 5, 5}}, 10 * s},
		{"two holds at one rate", []Ramp{{10 * s, 0, 5}, {5 * s, 5, 5}, {5 * s, 5, 5}}, 10 * s},
		{"holds at two rates", []Ramp{{10 * s, 3, 3}, {5 * s, 5, 5}}, 10 * s},
		{"ends on a ramp", []Ramp{{10 * s, 5, 5}, {5 * s, 5, 0}}, 15 * s},
		{"ends at zero", []Ramp{{10 * s, 5, 5}, {5 * s, 0, 0}}, 15 * s},
	}
	for _, tt := range tests {
		if got := mustPacer(t, tt.ramps...).Hold(); got != tt.want {
			t.Errorf("%s: Hold() = %v, want %v", tt.name, got, tt.want)
		}
	}
}
