package sweep

import (
	"fmt"
	"time"

	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/scenarios"
)

// Objectives judge each message of a sweep against the scenario's SLO,
// from the message's intended start (latencies include any delay the
// schedule suffered: coordinated omission corrected). A message is good
// when it had no error and met every bound set.
type Objectives struct {
	SLO scenarios.SLO
}

// The objectives' bits in capacity.Record.Missed, in Names order.
const (
	missedTTFT = 1 << iota
	missedLatency
	missedGap
	missedError
)

// Names lists the objectives, one per bit of capacity.Record.Missed, ""
// for a bound the SLO does not set: "ttft ≤ 2s", "latency ≤ 20s",
// "inter-token gap ≤ 500ms", "no error".
func (o Objectives) Names() []string {
	name := func(what string, d time.Duration) string {
		if d <= 0 {
			return ""
		}
		return fmt.Sprintf("%s ≤ %s", what, d)
	}
	return []string{name("ttft", o.SLO.MaxTTFT), name("latency", o.SLO.MaxLatency),
		name("inter-token gap", o.SLO.MaxGap), "no error"}
}

// Set lists the objectives in use, for people.
func (o Objectives) Set() []string {
	var out []string
	for _, n := range o.Names() {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// Bounded reports whether the SLO bounds anything.
func (o Objectives) Bounded() bool {
	return o.SLO.MaxTTFT > 0 || o.SLO.MaxLatency > 0 || o.SLO.MaxGap > 0
}

// missed returns the bits of the objectives res missed, lag being how late
// it started against its intended start.
func (o Objectives) missed(res *results.Result, lag time.Duration) uint32 {
	if !res.OK() {
		return missedError // its timings say nothing about the target's speed
	}
	var m uint32
	if b := o.SLO.MaxTTFT; b > 0 && (res.TTFT == 0 || lag+res.TTFT > b) {
		m |= missedTTFT
	}
	if b := o.SLO.MaxLatency; b > 0 && lag+res.Latency > b {
		m |= missedLatency
	}
	if b := o.SLO.MaxGap; b > 0 {
		for _, g := range res.Gaps {
			if g > b {
				m |= missedGap
				break
			}
		}
	}
	return m
}
