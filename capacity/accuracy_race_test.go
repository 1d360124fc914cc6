//go:build race

package capacity_test

import "testing"

// TestAccuracyRace runs a few of TestAccuracy's sweeps under the race
// detector (the 200 run without it: see accuracy_test.go and make test).
func TestAccuracyRace(t *testing.T) {
	for i, res := range searchSeeds(t, 4) {
		if res == nil || !res.SLOMax.Found || res.Capacity.Load <= 0 {
			t.Errorf("seed %d: %+v, want both answers", i+1, res)
		}
	}
}
