package main

import (
	"math"
	"strings"
	"testing"

	"github.com/loadgen/loadgen/scenarios"
	"github.com/loadgen/loadgen/scenarios/examples"
)

func TestSpeedOverridesEveryTranscript(t *testing.T) {
	noEnv := scenarios.WithLookupEnv(func(string) (string, bool) { return "", false })
	tests := []struct {
		speed float64
		want  float64 // the transcript's speed after apply; 0: an error
	}{
		{0, 2}, // unset: replay.yaml's own speed
		{10, 10},
		{0.5, 0.5},
		{-1, 0},
		{math.NaN(), 0},
		{math.Inf(1), 0},
	}
	for _, tc := range tests {
		sc, err := examples.Load("replay.yaml", noEnv)
		if err != nil {
			t.Fatal(err)
		}
		o := runOptions{speed: tc.speed}
		err = o.apply(sc)
		switch {
		case tc.want == 0 && (err == nil || !strings.HasPrefix(err.Error(), "--speed: ")):
			t.Errorf("apply(--speed %g) error = %v, want a --speed error", tc.speed, err)
		case tc.want != 0 && err != nil:
			t.Errorf("apply(--speed %g) error = %v", tc.speed, err)
		case tc.want != 0 && sc.Conversations[0].Transcript.Speed != tc.want:
			t.Errorf("apply(--speed %g): transcript speed %g, want %g", tc.speed, sc.Conversations[0].Transcript.Speed, tc.want)
		}
	}
}
