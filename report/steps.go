package report

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"

	"github.com/loadgen/loadgen/results"
)

// Steps holds the stats of every step, in the order of results.Steps(): Build
// makes one entry per step, so a step added to results' vocabulary appears
// here, in the JSON and in every report without a change to this package.
// In JSON it is an object keyed by step name, in that order:
// {"session": {…}, "conversation": {…}, …}.
type Steps []*StepSummary

// Shown returns the steps a report shows: those that ran, and session,
// conversation and message always (so a run where they never happened says
// so). A scenario without the widget's other steps keeps a short table.
func (ss Steps) Shown() Steps {
	var out Steps
	for _, st := range ss {
		switch st.Step {
		case results.StepSession, results.StepConversation, results.StepMessage:
			out = append(out, st)
		default:
			if st.Count > 0 {
				out = append(out, st)
			}
		}
	}
	return out
}

// Traffic sums the steps that are the users' traffic: requests and failed
// steps, measurement overhead (polls) left out.
func (ss Steps) Traffic() (requests, errs int64) {
	for _, st := range ss {
		if !st.Step.Overhead() {
			requests += st.Count
			errs += st.Errors
		}
	}
	return requests, errs
}

// trafficErrorRate is the users' traffic's error rate, as every summary
// shows it: errors over the requests the target answered (those loadgen
// failed itself left out).
func (ss Steps) trafficErrorRate() float64 {
	reqs, errs := ss.Traffic()
	return ratio(errs, reqs-ss.trafficOurs())
}

// trafficOurs sums the users' traffic that loadgen failed itself (canceled
// by the run's stop, local_resource): neither requests judged nor errors.
func (ss Steps) trafficOurs() int64 {
	var n int64
	for _, st := range ss {
		if !st.Step.Overhead() {
			n += st.Ours
		}
	}
	return n
}

// Overhead sums the measurement overhead: the steps (waits for an async
// reply), the GETs they made, and the steps that failed.
func (ss Steps) Overhead() (steps, requests, errs int64) {
	for _, st := range ss {
		if st.Step.Overhead() {
			steps += st.Count
			requests += st.Polls
			errs += st.Errors
		}
	}
	return steps, requests, errs
}

// Get returns the stats of step s, nil when absent.
func (ss Steps) Get(s results.Step) *StepSummary {
	for _, st := range ss {
		if st.Step == s {
			return st
		}
	}
	return nil
}

// MarshalJSON writes the steps as one object keyed by step name, in order.
func (ss Steps) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, st := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(string(st.Step))
		v, err := json.Marshal(st)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads the object MarshalJSON writes. Steps come out in the
// order of results.Steps(); one the document lacks (it was written before
// the step existed) is empty, and one this version does not know follows, in
// name order. An object that names none of results.Steps() gives no steps
// at all (ParseJSON then returns ErrNotSummary).
func (ss *Steps) UnmarshalJSON(b []byte) error {
	var m map[string]*StepSummary
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	out := make(Steps, 0, len(m))
	known := 0
	for _, s := range results.Steps() {
		st := m[string(s)]
		if st != nil {
			known++
			delete(m, string(s))
		} else {
			st = &StepSummary{}
		}
		st.Step = s
		if s == results.StepMessage && st.MessageSummary == nil {
			st.MessageSummary = &MessageSummary{}
		}
		out = append(out, st)
	}
	if known == 0 {
		*ss = nil // not a summary's steps: ParseJSON says so
		return nil
	}
	for _, name := range slices.Sorted(maps.Keys(m)) {
		if st := m[name]; st != nil {
			st.Step = results.Step(name)
			out = append(out, st)
		}
	}
	*ss = out
	return nil
}
