package runner_test

import (
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/loadgen/loadgen/mockserver"
	"github.com/loadgen/loadgen/runner"
)

func TestSaturationReason(t *testing.T) {
	tests := []struct {
		name string
		s    runner.Saturation
		want string // "" or a part of the reason
	}{
		{"idle", runner.Saturation{Sessions: 1000, Arrivals: 1000, CPU: 0.5, CPUs: 2}, ""},
		{"a few slot waits", runner.Saturation{Sessions: 1000, SlotWaits: 10, SlotWait: time.Second, MaxSessions: 50}, ""},
		{"slots", runner.Saturation{Sessions: 1000, SlotWaits: 300, SlotWait: 30 * time.Second, MaxSessions: 50},
			"300 of 1000 sessions (30%) waited for one of the 50 session slots, 100ms on average"},
		{"too few to judge", runner.Saturation{Sessions: 15, SlotWaits: 15, SlotWait: time.Second}, ""},
		{"late arrivals", runner.Saturation{Arrivals: 1000, LateArrivals: 50}, "50 of 1000 arrivals (5%) started late, by over 10ms and half their spacing: the scheduler fell behind"},
		{"late arrivals with an slo", runner.Saturation{Arrivals: 1000, LateArrivals: 50, MaxLate: 100 * time.Millisecond}, "started late, by over 10ms and half their spacing or 100ms (5% of the slo)"},
		{"local errors", runner.Saturation{LocalErrors: 3}, "3 requests failed on loadgen's own limits"},
		{"cpu", runner.Saturation{CPU: 1.9, CPUs: 2}, "loadgen used 95% of its 2 CPUs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.s.Reason()
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("Reason() = %q, want %q", got, tt.want)
			}
		})
	}
}

// Undelivered is the part of saturation that is loadgen's own limits for
// certain: its own resources ran out, or the cap its file limit sets held
// sessions back. A user's max_sessions, late arrivals and CPU are not (the
// first is the scenario's choice, the others are a busy machine's jitter
// as often as not).
func TestSaturationUndelivered(t *testing.T) {
	tests := []struct {
		name string
		s    runner.Saturation
		want string // "" or a part of the reason
	}{
		{"idle", runner.Saturation{Sessions: 1000, Arrivals: 1000, CPU: 0.5, CPUs: 2}, ""},
		{"the file limit's slots", runner.Saturation{Sessions: 298, SlotWaits: 202, SlotWait: 449 * time.Second, MaxSessions: 96, CapIsFileLimit: true},
			"202 of 298 sessions (68%) waited for one of the 96 session slots its file limit allows"},
		{"a few waits for the file limit's slots", runner.Saturation{Sessions: 1000, SlotWaits: 10, SlotWait: time.Second, MaxSessions: 96, CapIsFileLimit: true}, ""},
		{"max_sessions' slots", runner.Saturation{Sessions: 1000, SlotWaits: 300, SlotWait: 30 * time.Second, MaxSessions: 50}, ""},
		{"local errors", runner.Saturation{LocalErrors: 3}, "3 requests failed on loadgen's own limits"},
		{"late arrivals", runner.Saturation{Arrivals: 1000, LateArrivals: 500}, ""},
		{"cpu", runner.Saturation{CPU: 1.9, CPUs: 2}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.s.Undelivered()
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("Undelivered() = %q, want %q", got, tt.want)
			}
		})
	}
}

// A schedule that asks for more sessions at once than loadgen may hold
// (here a file limit that leaves room for 10) saturates the generator, and
// it says so: the slots, not the target, bounded the load offered.
func TestSaturatedBySessionSlots(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, func(c *mockserver.Config) { c.TTFT = mockserver.Fixed(500 * time.Millisecond) })
		sc := parseScenario(t, fmt.Sprintf(twoTurns, "{arrival_rate: 100/s, duration: 2s}"))
		_, out := run(t, t.Context(), sc, srv, runner.WithFDLimit(64+20)) // 20 usable: 10 idle, 10 sessions
		s := out.Saturation
		if s.MaxSessions != 10 || !strings.Contains(s.Reason(), "waited for one of the 10 session slots") {
			t.Errorf("saturation %+v: reason %q; want the 10 slots named", s, s.Reason())
		}
		if s.LateArrivals != 0 {
			t.Errorf("%d late arrivals: the slots' wait was counted as the scheduler's", s.LateArrivals)
		}
		if !s.CapIsFileLimit || s.Undelivered() == "" {
			t.Errorf("saturation %+v: the cap is the file limit's, and the load it held back is undelivered (%q)", s, s.Undelivered())
		}
	})
}

// The same slots set by the scenario's max_sessions are its choice: the
// generator says it was saturated, but it delivered what the scenario
// allowed.
func TestMaxSessionsSlotsAreNotUndelivered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, func(c *mockserver.Config) { c.TTFT = mockserver.Fixed(500 * time.Millisecond) })
		sc := parseScenario(t, fmt.Sprintf(twoTurns, "{arrival_rate: 100/s, duration: 2s, max_sessions: 10}"))
		_, out := run(t, t.Context(), sc, srv)
		if s := out.Saturation; s.Reason() == "" || s.CapIsFileLimit || s.Undelivered() != "" {
			t.Errorf("saturation %+v: reason %q, undelivered %q; want saturated by max_sessions, not undelivered", s, s.Reason(), s.Undelivered())
		}
	})
}

// The same schedule with room for every session in flight is not saturated.
func TestNotSaturated(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, nil)
		sc := parseScenario(t, fmt.Sprintf(twoTurns, "{arrival_rate: 100/s, duration: 2s}"))
		_, out := run(t, t.Context(), sc, srv)
		if r := out.Saturation.Reason(); r != "" || out.Saturation.Sessions != 200 || out.Saturation.Arrivals != 200 {
			t.Errorf("saturation %+v: %q; want 200 sessions and arrivals, not saturated", out.Saturation, r)
		}
	})
}
