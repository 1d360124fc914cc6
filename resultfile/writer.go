package resultfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/loadgen/loadgen/results"
)

// DefaultSyncInterval is how often a Writer on a file asks the operating
// system to put what it wrote on disk (fsync). Every record reaches the
// operating system at once, so a killed process loses nothing it recorded;
// the interval bounds what a power cut or kernel crash can lose.
const DefaultSyncInterval = time.Second

// Writer streams a run to a results file (see FormatVersion). It is a
// results.TimedSink, safe for concurrent use. Every record is encoded outside the
// lock and handed to the file with one write, so a crash loses at most the
// record being written. A write error stops the writer: later records are
// dropped and Err and Close return the first error.
type Writer struct {
	w      io.Writer
	file   *os.File // set when the Writer owns the file (Create)
	now    func() time.Time
	pool   sync.Pool // *[]byte line buffers
	stop   chan struct{}
	synced sync.WaitGroup

	onError func(error) // called once with the first error; nil: none

	mu         sync.Mutex // orders lines in the file; guards the fields below
	err        error
	closed     bool
	start, end time.Time // Ran's: what the run's schedule covered, for the closing record
}

// WriterOption configures a Writer.
type WriterOption func(*writerConfig)

type writerConfig struct {
	now     func() time.Time
	sync    time.Duration
	onError func(error)
}

// WithOnError makes the Writer call f once, with its first write or sync
// error, when it happens (the Writer drops every record after it), so that
// a run can say at once that its results file is incomplete. f must not
// call the Writer.
func WithOnError(f func(error)) WriterOption {
	return func(c *writerConfig) { c.onError = f }
}

// WithWriterClock sets the clock that timestamps session events and the
// closing record (default time.Now).
func WithWriterClock(now func() time.Time) WriterOption {
	return func(c *writerConfig) { c.now = now }
}

// WithSyncInterval sets how often Create's file is synced to disk (default
// DefaultSyncInterval); 0 syncs only on Close.
func WithSyncInterval(d time.Duration) WriterOption {
	return func(c *writerConfig) { c.sync = d }
}

// ErrClosed is returned for writes after Close.
var ErrClosed = errors.New("results: writer closed")

// NewWriter writes the header of run to w and returns a Writer that streams
// to it. Close does not close w.
func NewWriter(w io.Writer, run results.Run, opts ...WriterOption) (*Writer, error) {
	return newWriter(w, run, newWriterConfig(opts))
}

func newWriterConfig(opts []WriterOption) writerConfig {
	c := writerConfig{now: time.Now, sync: DefaultSyncInterval}
	for _, o := range opts {
		o(&c)
	}
	return c
}

func newWriter(w io.Writer, run results.Run, c writerConfig) (*Writer, error) {
	run.Target = results.RedactURL(run.Target)
	if _, err := w.Write(appendHeader(nil, &run)); err != nil {
		return nil, fmt.Errorf("results: write header: %w", err)
	}
	wr := &Writer{w: w, now: c.now, onError: c.onError}
	wr.pool.New = func() any { b := make([]byte, 0, 1024); return &b }
	return wr, nil
}

// Create creates (or truncates) the file at path, writes the header of run
// and returns a Writer that streams to it and syncs it to disk regularly.
// Close closes the file.
func Create(path string, run results.Run, opts ...WriterOption) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("results: create: %w", err)
	}
	c := newWriterConfig(opts)
	w, err := newWriter(f, run, c)
	if err != nil {
		f.Close()
		return nil, err
	}
	w.file = f
	if c.sync > 0 {
		w.stop = make(chan struct{})
		w.synced.Go(func() { w.syncLoop(c.sync) })
	}
	return w, nil
}

// syncLoop fsyncs the file every d until Close. fsync runs outside the
// lock: it does not block records being written meanwhile.
func (w *Writer) syncLoop(d time.Duration) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
			if err := w.file.Sync(); err != nil {
				w.fail(fmt.Errorf("results: sync: %w", err))
				return
			}
		}
	}
}

// SessionStarted writes a session start at the writer's clock time.
func (w *Writer) SessionStarted(conversation string) {
	w.SessionStartedAt(conversation, w.now())
}

// SessionStartedAt writes a session start at time t.
func (w *Writer) SessionStartedAt(conversation string, t time.Time) {
	bp := w.pool.Get().(*[]byte)
	*bp = appendSession((*bp)[:0], "start", conversation, "", t)
	w.write(bp)
}

// SessionEnded writes a session end at the writer's clock time.
func (w *Writer) SessionEnded(conversation string, end results.End) {
	w.SessionEndedAt(conversation, end, w.now())
}

// SessionEndedAt writes a session end at time t.
func (w *Writer) SessionEndedAt(conversation string, end results.End, t time.Time) {
	bp := w.pool.Get().(*[]byte)
	*bp = appendSession((*bp)[:0], "end", conversation, end, t)
	w.write(bp)
}

// Record writes r.
func (w *Writer) Record(r *results.Result) {
	bp := w.pool.Get().(*[]byte)
	*bp = appendResult((*bp)[:0], r)
	w.write(bp)
}

func (w *Writer) write(bp *[]byte) {
	var failed error
	w.mu.Lock()
	if w.err == nil && !w.closed {
		if _, err := w.w.Write(*bp); err != nil {
			w.err = fmt.Errorf("results: write: %w", err)
			failed = w.err
		}
	}
	w.mu.Unlock()
	if cap(*bp) <= 64<<10 { // keep huge lines out of the pool
		w.pool.Put(bp)
	}
	w.failed(failed)
}

func (w *Writer) fail(err error) {
	w.mu.Lock()
	first := w.err == nil
	if first {
		w.err = err
	}
	w.mu.Unlock()
	if first {
		w.failed(err)
	}
}

// failed tells WithOnError's function about the first error (nil: none).
func (w *Writer) failed(err error) {
	if err != nil && w.onError != nil {
		w.onError(err)
	}
}

// Ran records what the run's schedule covered, from its start to the stop
// of its arrivals (not the drain after it), for the closing record: a
// report of the file then measures rates over the same span as the run's
// own summary, an interrupted run's included.
func (w *Writer) Ran(start, stop time.Time) {
	w.mu.Lock()
	w.start, w.end = start, stop
	w.mu.Unlock()
}

// Err returns the first write error, nil if none.
func (w *Writer) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Close writes the closing record, syncs and closes a file made by Create,
// and returns the first error the Writer met. Later records are dropped.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return ErrClosed
	}
	if w.err == nil {
		if _, err := w.w.Write(appendClose(nil, w.now(), w.start, w.end)); err != nil {
			w.err = fmt.Errorf("results: write: %w", err)
		}
	}
	w.closed = true
	w.mu.Unlock()
	if w.stop != nil {
		close(w.stop)
		w.synced.Wait()
	}
	if w.file != nil {
		if err := w.file.Sync(); err != nil {
			w.fail(fmt.Errorf("results: sync: %w", err))
		}
		if err := w.file.Close(); err != nil {
			w.fail(fmt.Errorf("results: close: %w", err))
		}
	}
	return w.Err()
}
