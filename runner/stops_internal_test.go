package runner

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestTurnsEndAfterSessions: whatever sees the turns over (a user whose
// session Ctrl-C just ended) must see new sessions over too, or a
// closed-model user would start one more session after the stop, counted as
// started and canceled though it never ran. Context cancellation reaches a
// context's children in map order, so without an explicit order the turns
// could end before the sessions.
func TestTurnsEndAfterSessions(t *testing.T) {
	const runs, watchers = 3000, 8
	var early atomic.Int64
	for range runs {
		ctx, cancel := context.WithCancel(context.Background())
		st := newStops(ctx, GoClock{}, time.Now().Add(time.Hour), 0)
		var wg sync.WaitGroup
		for range watchers {
			wg.Go(func() {
				<-st.turns.Done()
				if st.sessions.Err() == nil {
					early.Add(1)
				}
			})
		}
		cancel()
		wg.Wait()
		st.close()
	}
	if n := early.Load(); n > 0 {
		t.Errorf("%d of %d watchers saw the turns over while new sessions could still start", n, runs*watchers)
	}
}
