//go:build !race

package capacity_test

import "testing"

// TestAccuracy is the algorithm's acceptance test (issue 14): 200 seeds of
// the M/M/8 model, each a whole sweep in virtual time (about 3.6 minutes of
// simulated probes, some 80 000 simulated messages per seed). It takes a
// few seconds of CPU without the race detector, which slows its tight loops
// some tenfold; make test runs it without -race (TestAccuracyRace keeps a
// few seeds under it).
func TestAccuracy(t *testing.T) {
	if testing.Short() {
		t.Skip("200 sweeps")
	}
	checkSeeds(t, searchSeeds(t, 200))
}
