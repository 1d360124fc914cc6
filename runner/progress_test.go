package runner

import (
	"testing"
	"time"
)

func TestSlope(t *testing.T) {
	p, err := NewStagesPacer(Ramp{Duration: 10 * time.Second, From: 0, To: 10},
		Ramp{Duration: 10 * time.Second, From: 10, To: 10}, Ramp{Duration: 10 * time.Second, From: 10, To: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		at   time.Duration
		want Phase
	}{{time.Second, PhaseRampingUp}, {15 * time.Second, PhaseSteady}, {25 * time.Second, PhaseRampingDown}} {
		if got := slope(p, tt.at); got != tt.want {
			t.Errorf("slope at %v = %q, want %q", tt.at, got, tt.want)
		}
	}
}
