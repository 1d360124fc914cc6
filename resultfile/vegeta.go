package resultfile

import (
	"container/heap"
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

// DefaultVegetaWindow is how long a VegetaWriter holds a result back to
// order it among results that started earlier but end later (see
// VegetaWriter): it must be at least the longest a step can take.
const DefaultVegetaWindow = 5 * time.Minute

// VegetaWriter writes results in vegeta's binary (gob) encoding, which
// `vegeta report`, `vegeta plot` and `vegeta encode` read. It is a
// results.TimedSink, safe for concurrent use; session events are not part of
// vegeta's model and are ignored. Steps, when set, keeps only those steps
// (vegeta reports one distribution, so mixing quick session steps with long
// streamed messages blurs it).
//
// Results arrive as steps end, but vegeta numbers them (Seq) in the order
// they were sent, and `vegeta plot` refuses a result whose send time is
// before that of a lower Seq. So the writer holds each result back until
// no result sent earlier can still arrive — until the latest end it has
// seen is a window past its send time — and writes them in send order,
// numbered from 0. The window (WithVegetaWindow) must cover the longest step
// (a request timeout, a poll's wait); a result later than that is written
// at once with its time moved up to the last one written, and counted in
// Late. Close writes what is held. Memory: the results of one window.
type VegetaWriter struct {
	attack, target string
	steps          map[results.Step]bool
	window         time.Duration
	onError        func(error)

	mu       sync.Mutex // guards the fields below
	enc      vegeta.Encoder
	held     heldResults
	arrivals uint64    // results held so far: the tie-break of equal send times
	latest   time.Time // the latest end seen
	last     time.Time // the send time of the last result written
	seq      uint64
	late     int
	err      error
}

// VegetaOption configures a VegetaWriter.
type VegetaOption func(*VegetaWriter)

// WithVegetaSteps keeps only results of steps.
func WithVegetaSteps(steps ...results.Step) VegetaOption {
	return func(v *VegetaWriter) {
		if len(steps) == 0 {
			return
		}
		v.steps = map[results.Step]bool{}
		for _, s := range steps {
			v.steps[s] = true
		}
	}
}

// WithVegetaWindow sets how long results are held back to be ordered
// (default DefaultVegetaWindow); 0 holds them all until Close, for inputs
// not in the order steps ended (several results files).
func WithVegetaWindow(d time.Duration) VegetaOption {
	return func(v *VegetaWriter) { v.window = d }
}

// WithVegetaOnError makes the writer call f once, with its first encoding
// or write error, when it happens (later results are dropped). f must not
// call the writer.
func WithVegetaOnError(f func(error)) VegetaOption {
	return func(v *VegetaWriter) { v.onError = f }
}

// NewVegetaWriter returns a VegetaWriter on w. attack names the attack (the
// scenario); target is the base URL (redacted here).
func NewVegetaWriter(w io.Writer, attack, target string, opts ...VegetaOption) *VegetaWriter {
	v := &VegetaWriter{attack: attack, target: results.RedactURL(target), enc: vegeta.NewEncoder(w), window: DefaultVegetaWindow}
	for _, o := range opts {
		o(v)
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

// Record holds r to be written in send order, unless its step is filtered
// out, and writes the held results that nothing sent earlier can precede.
func (v *VegetaWriter) Record(r *results.Result) {
	if v.steps != nil && !v.steps[r.Step] {
		return
	}
	vr := ToVegeta(r, v.attack, 0, v.target)
	v.mu.Lock()
	failed := v.hold(r, vr)
	v.mu.Unlock()
	v.failed(failed)
}

// hold holds vr and writes what is due; it returns the first error when
// this call met it. The caller holds mu.
func (v *VegetaWriter) hold(r *results.Result, vr vegeta.Result) (failed error) {
	if v.err != nil {
		return nil
	}
	if end := r.Start.Add(r.Latency); end.After(v.latest) {
		v.latest = end
	}
	heap.Push(&v.held, heldResult{r: vr, n: v.arrivals})
	v.arrivals++
	if v.window <= 0 {
		return nil
	}
	for len(v.held) > 0 && v.held[0].r.Timestamp.Before(v.latest.Add(-v.window)) {
		if err := v.write(heap.Pop(&v.held).(heldResult).r); err != nil {
			return err
		}
	}
	return nil
}

// failed tells WithVegetaOnError's function about the first error (nil:
// none).
func (v *VegetaWriter) failed(err error) {
	if err != nil && v.onError != nil {
		v.onError(err)
	}
}

// write encodes vr as the next result and returns the error when this
// write was the first to fail; the caller holds mu.
func (v *VegetaWriter) write(vr vegeta.Result) error {
	if v.err != nil {
		return nil
	}
	if vr.Timestamp.Before(v.last) {
		vr.Timestamp = v.last // later than the window: vegeta plot needs send times in Seq order
		v.late++
	}
	v.last = vr.Timestamp
	vr.Seq = v.seq
	v.seq++
	if err := v.enc.Encode(&vr); err != nil {
		v.err = fmt.Errorf("results: vegeta encode: %w", err)
		return v.err
	}
	return nil
}

// Close writes the results still held, in send order, and returns the
// first encoding or write error. It does not close the underlying writer.
func (v *VegetaWriter) Close() error {
	v.mu.Lock()
	var failed error
	for len(v.held) > 0 && failed == nil {
		failed = v.write(heap.Pop(&v.held).(heldResult).r)
	}
	v.held = nil
	err := v.err
	v.mu.Unlock()
	v.failed(failed)
	return err
}

// Err returns the first encoding or write error, nil if none.
func (v *VegetaWriter) Err() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.err
}

// Late returns how many results arrived later than the window, so that
// their time was moved up to keep vegeta's order.
func (v *VegetaWriter) Late() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.late
}

// heldResult is a result waiting to be written; n orders equal send times
// by arrival.
type heldResult struct {
	r vegeta.Result
	n uint64
}

// heldResults is a min-heap of held results by send time (container/heap).
type heldResults []heldResult

func (h heldResults) Len() int { return len(h) }
func (h heldResults) Less(i, j int) bool {
	if !h[i].r.Timestamp.Equal(h[j].r.Timestamp) {
		return h[i].r.Timestamp.Before(h[j].r.Timestamp)
	}
	return h[i].n < h[j].n
}
func (h heldResults) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *heldResults) Push(x any)   { *h = append(*h, x.(heldResult)) }
func (h *heldResults) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = heldResult{}
	*h = old[:len(old)-1]
	return x
}
