package steady_test

import (
	"fmt"
	"time"

	"github.com/loadgen/loadgen/steady"
)

// A run whose per-second TTFT climbed from 0.5 s by about 40 ms a second while the
// sessions in flight grew by one a second: the first 2 s are warm-up.
func ExampleCheck() {
	ttft := steady.Samples{Step: time.Second}
	inFlight := steady.Samples{Step: time.Second}
	for i := range 20 {
		wobble := float64(i%3-1) * 0.01
		ttft.Values = append(ttft.Values, 0.5+0.04*float64(i)+wobble)
		inFlight.Values = append(inFlight.Values, 4+float64(i)+10*wobble)
	}
	v := steady.Check("TTFT", ttft, inFlight, 2*time.Second, 20*time.Second, steady.CheckOptions{})
	if !v.Steady {
		fmt.Println("not steady:", v.Reason())
	}
	// Output: not steady: TTFT +40 ms/s, in flight +1.0/s
}
