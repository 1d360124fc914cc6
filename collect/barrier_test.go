package collect

import (
	"strings"
	"testing"
	"time"
)

func TestBarrier(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	const hash = "sha256:aaaa"
	req := func(shard int, instance string) JoinRequest {
		return JoinRequest{Shard: shard, Shards: 3, ScenarioHash: hash, Duration: time.Minute, Grace: time.Second, Instance: instance}
	}
	type join struct {
		r    JoinRequest
		at   time.Duration // after t0
		want string        // "wait", "start", or a reason; "left" or "stays": r's process goes away instead
		msg  string        // in the refusal's message
	}
	for _, tc := range []struct {
		name      string
		joins     []join
		wantState barrierState
	}{
		{"all join: one start instant", []join{
			{req(0, "a"), 0, "wait", ""}, {req(2, "c"), time.Second, "wait", ""}, {req(1, "b"), 2 * time.Second, "start", ""},
		}, open},
		{"a pod replaced before the start takes the shard over", []join{
			{req(0, "a"), 0, "wait", ""}, {req(0, "a"), 0, "left", ""},
			{req(0, "a2"), time.Second, "wait", ""}, {req(1, "b"), 0, "wait", ""}, {req(2, "c"), 0, "start", ""},
			{req(0, "a"), 3 * time.Second, string(ReasonTooLate), "shard 0 cannot join"},
		}, open},
		{"a shard that went away before the start is waited for", []join{
			{req(0, "a"), 0, "wait", ""}, {req(1, "b"), 0, "wait", ""}, {req(0, "a"), 0, "left", ""},
			{req(2, "c"), 0, "wait", ""}, {req(0, "a"), time.Second, "start", ""},
		}, open},
		{"a retry overlapping its first try keeps the shard when the first goes away", []join{
			{req(0, "a"), 0, "wait", ""}, {req(0, "a"), 0, "wait", ""}, {req(0, "a"), 0, "stays", ""},
			{req(1, "b"), 0, "wait", ""}, {req(2, "c"), 0, "start", ""},
		}, open},
		{"a second process for a waiting shard is refused, the first keeps it", []join{
			{req(0, "a"), 0, "wait", ""},
			{JoinRequest{Shard: 0, Shards: 3, ScenarioHash: hash, Duration: time.Minute, Grace: time.Second, Instance: "a2", Host: "pod-x"}, 0,
				string(ReasonTaken), "shard 0/3 (pod-x): shard 0 reported in already from another process"},
			{req(1, "b"), 0, "wait", ""}, {req(2, "c"), 0, "start", ""},
		}, open},
		{"after the start, leaving changes nothing", []join{
			{req(0, "a"), 0, "wait", ""}, {req(1, "b"), 0, "wait", ""}, {req(2, "c"), 0, "start", ""},
			{req(0, "a"), 0, "stays", ""},
		}, open},
		{"a retried join before the start gets the start again", []join{
			{req(0, "a"), 0, "wait", ""}, {req(1, "b"), 0, "wait", ""}, {req(2, "c"), 0, "start", ""},
			{req(2, "c"), time.Second, "start", ""},
		}, open},
		{"a join after the start is too late", []join{
			{req(0, "a"), 0, "wait", ""}, {req(1, "b"), 0, "wait", ""}, {req(2, "c"), 0, "start", ""},
			{req(2, "c"), 10 * time.Second, string(ReasonTooLate), "started at 2026-12-01T12:00:03Z, 7s ago"},
			{req(1, "x"), 10 * time.Second, string(ReasonTooLate), "shard 1 cannot join"},
		}, open},
		{"another shard count aborts the run", []join{
			{req(0, "a"), 0, "wait", ""},
			{JoinRequest{Shard: 1, Shards: 4, ScenarioHash: hash, Instance: "b"}, 0, string(ReasonMismatch), "the run has 3 shards, this one was started as one of 4"},
			{req(2, "c"), 0, string(ReasonMismatch), "the run has 3 shards"},
		}, aborted},
		{"another scenario aborts the run", []join{
			{JoinRequest{Shard: 1, Shards: 3, ScenarioHash: "sha256:bbbb", Instance: "b", Host: "pod-1"}, 0, string(ReasonMismatch),
				"shard 1/3 (pod-1): its scenario (sha256:bbbb) is not the collector's (sha256:aaaa)"},
		}, aborted},
		{"another run id aborts the run", []join{
			{JoinRequest{RunID: "other", Shard: 1, Shards: 3, ScenarioHash: hash, Instance: "b"}, 0, string(ReasonMismatch), `run id "other", but the collector's run is "run-1"`},
		}, aborted},
		{"another duration aborts the run", []join{
			{req(0, "a"), 0, "wait", ""},
			{JoinRequest{Shard: 1, Shards: 3, ScenarioHash: hash, Duration: 2 * time.Minute, Grace: time.Second, Instance: "b"}, 0, string(ReasonMismatch), "give every shard the same --duration"},
		}, aborted},
		{"a shard number out of range aborts the run", []join{
			{JoinRequest{Shard: 3, Shards: 3, ScenarioHash: hash, Instance: "d"}, 0, string(ReasonMismatch), "shard 3 is not one of 0…2"},
		}, aborted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBarrier(3, hash, "run-1", 3*time.Second)
			var start, opened time.Time
			for i, j := range tc.joins {
				if j.want == "left" || j.want == "stays" {
					got := map[bool]string{true: "left", false: "stays"}[b.leave(j.r)]
					if got != j.want {
						t.Fatalf("leave %d (shard %d, instance %s): %s, want %s", i, j.r.Shard, j.r.Instance, got, j.want)
					}
					continue
				}
				resp, p := b.join(j.r, t0.Add(j.at))
				got := "wait"
				switch {
				case p != nil:
					got = string(p.Reason)
					if !strings.Contains(p.Message, j.msg) {
						t.Errorf("join %d: message %q, want it to contain %q", i, p.Message, j.msg)
					}
				case resp != nil:
					got = "start"
					if resp.RunID != "run-1" {
						t.Errorf("join %d: run id %q, want run-1", i, resp.RunID)
					}
					if !start.IsZero() && !resp.StartAt.Equal(start) {
						t.Errorf("join %d: start %v, want the same start %v for every shard", i, resp.StartAt, start)
					}
					if start.IsZero() {
						opened = t0.Add(j.at)
					}
					start = resp.StartAt
				}
				if got != j.want {
					t.Fatalf("join %d (shard %d, instance %s): got %s, want %s", i, j.r.Shard, j.r.Instance, got, j.want)
				}
			}
			if b.state != tc.wantState {
				t.Errorf("state %d, want %d", b.state, tc.wantState)
			}
			if tc.wantState == open && !start.Equal(opened.Add(3*time.Second)) {
				t.Errorf("start %v: want the opening join (%v) + the 3 s margin", start, opened)
			}
		})
	}
}

func TestBarrierTimeout(t *testing.T) {
	b := newBarrier(4, "sha256:aa", "run", time.Second)
	for _, i := range []int{0, 2} {
		b.join(JoinRequest{Shard: i, Shards: 4, ScenarioHash: "sha256:aa", Instance: "x"}, time.Now())
	}
	b.expire(time.Minute)
	if b.state != timedOut || b.problem.Reason != ReasonTimeout {
		t.Fatalf("after expire: state %d, problem %v; want timed out", b.state, b.problem)
	}
	if want := "the start barrier timed out after 1m0s: shards 1, 3 of 4 did not report in"; b.problem.Message != want {
		t.Errorf("message %q, want %q", b.problem.Message, want)
	}
	// Late joiners learn the same.
	if _, p := b.join(JoinRequest{Shard: 1, Shards: 4, ScenarioHash: "sha256:aa", Instance: "y"}, time.Now()); p == nil || p.Reason != ReasonTimeout {
		t.Errorf("a join after the timeout: %v, want the timeout", p)
	}
}

func TestLocalStart(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	r := JoinResponse{StartAt: t0.Add(2 * time.Second), Now: t0}
	for _, tc := range []struct {
		name     string
		received time.Time
		want     time.Time
	}{
		{"the same clock, a slow delivery: still T", t0.Add(300 * time.Millisecond), t0.Add(2 * time.Second)},
		{"a clock 200 ms behind: T by its own clock", t0.Add(-200 * time.Millisecond), t0.Add(2 * time.Second)},
		{"a clock 5 s ahead: T by the collector's", t0.Add(5 * time.Second), t0.Add(7 * time.Second)},
		{"a clock an hour behind: T by the collector's", t0.Add(-time.Hour), t0.Add(-time.Hour + 2*time.Second)},
	} {
		if got := r.LocalStart(tc.received); !got.Equal(tc.want) {
			t.Errorf("%s: LocalStart(%v) = %v, want %v", tc.name, tc.received, got, tc.want)
		}
	}
}
