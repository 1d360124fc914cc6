package runner

import (
	"testing"

	"github.com/loadgen/loadgen/scenarios"
)

func TestIdleConnsFollowTheLoad(t *testing.T) {
	for _, tc := range []struct {
		load scenarios.Load
		want int
	}{
		{scenarios.Load{Model: scenarios.Open}, 100},
		{scenarios.Load{Model: scenarios.Closed, Users: 20}, 100},
		{scenarios.Load{Model: scenarios.Closed, Users: 300}, 300},
		{scenarios.Load{Model: scenarios.Open, MaxSessions: 500}, 500},
		{scenarios.Load{Model: scenarios.Closed, Users: 200, MaxSessions: 50}, 200},
		{scenarios.Load{Model: scenarios.Closed, Users: 50_000}, MaxIdleConns},
	} {
		if got := idleConns(tc.load); got != tc.want {
			t.Errorf("idleConns(users %d, max_sessions %d) = %d, want %d", tc.load.Users, tc.load.MaxSessions, got, tc.want)
		}
	}
}
