package resultfile

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/loadgen/loadgen/results"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// ToVegeta converts r to a vegeta result: attack is the attack name (the
// scenario), seq its sequence number, target the redacted base URL the URL is
// made from. A failed step's Error is "kind: detail"; the status code stays
// what the server sent, so vegeta's success ratio (which counts status
// codes only) misses failures with status 200, such as a truncated stream,
// while its error set lists them.
func ToVegeta(r *results.Result, attack string, seq uint64, target string) vegeta.Result {
	method, path := r.Step.Request()
	v := vegeta.Result{
		Attack:    attack,
		Seq:       seq,
		Code:      uint16(max(0, min(r.Code, 65535))),
		Timestamp: r.Start,
		Latency:   r.Latency,
		BytesOut:  uint64(max(0, r.BytesOut)),
		BytesIn:   uint64(max(0, r.BytesIn)),
		Method:    method,
		URL:       strings.TrimSuffix(target, "/") + path,
	}
	if r.Error != "" {
		v.Error = string(r.Error)
		if r.Detail != "" {
			v.Error += ": " + r.Detail
		}
	}
	return v
}

// VegetaWriter writes results in vegeta's binary (gob) encoding, which
// `vegeta report`, `vegeta plot` and `vegeta encode` read. It is a results.TimedSink,
// safe for concurrent use; session events are not part of vegeta's model
// and are ignored. Steps, when set, keeps only those steps (vegeta reports
// one distribution, so mixing quick session steps with long streamed
// messages blurs it).
type VegetaWriter struct {
	attack, target string
	steps          map[results.Step]bool

	mu  sync.Mutex // guards enc, seq and err
	enc vegeta.Encoder
	seq uint64
	err error
}

// NewVegetaWriter returns a VegetaWriter on w. attack names the attack (the
// scenario); target is the base URL (redacted here); steps, if any, are the
// only steps written.
func NewVegetaWriter(w io.Writer, attack, target string, steps ...results.Step) *VegetaWriter {
	v := &VegetaWriter{attack: attack, target: results.RedactURL(target), enc: vegeta.NewEncoder(w)}
	if len(steps) > 0 {
		v.steps = map[results.Step]bool{}
		for _, s := range steps {
			v.steps[s] = true
		}
	}
	return v
}

// SessionStarted does nothing: vegeta has no sessions.
func (v *VegetaWriter) SessionStarted(string) {}

// SessionEnded does nothing: vegeta has no sessions.
func (v *VegetaWriter) SessionEnded(string, results.End) {}

// SessionStartedAt does nothing (VegetaWriter is a TimedSink, so that a
// results file can be replayed into it).
func (v *VegetaWriter) SessionStartedAt(string, time.Time) {}

// SessionEndedAt does nothing.
func (v *VegetaWriter) SessionEndedAt(string, results.End, time.Time) {}

// Record writes r, unless its step is filtered out.
func (v *VegetaWriter) Record(r *results.Result) {
	if v.steps != nil && !v.steps[r.Step] {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.err != nil {
		return
	}
	vr := ToVegeta(r, v.attack, v.seq, v.target)
	v.seq++
	if err := v.enc.Encode(&vr); err != nil {
		v.err = fmt.Errorf("results: vegeta encode: %w", err)
	}
}

// Err returns the first encoding or write error, nil if none.
func (v *VegetaWriter) Err() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.err
}
