package resultfile

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/loadgen/loadgen/results"
)

// CSVHeader is the header row CSVWriter writes: one row per step result,
// times in RFC 3339 (UTC, nanoseconds) and durations in seconds, like k6's
// CSV output and Locust's request log. Session events are not written.
var CSVHeader = []string{
	"time", "run_id", "shard", "user", "session_number", "conversation_name", "turn", "step",
	"code", "error", "latency_s", "latency_from_intended_s", "lag_s", "rate_limit_wait_s",
	"ttfb_s", "ttft_s", "tokens", "parts", "chars", "bytes_in", "bytes_out", "shape", "polls", "good",
}

// CSVWriter writes results as CSV rows (CSVHeader first), for spreadsheets
// and data frames. It is a TimedSink, safe for concurrent use. Error
// details are left out: a kind per row is what analysis needs, and
// details are free text.
type CSVWriter struct {
	runID string
	steps map[results.Step]bool

	mu  sync.Mutex // guards w and err
	w   *csv.Writer
	err error
}

// NewCSVWriter returns a CSVWriter on w that labels rows with runID and
// keeps only the given steps (all when none). It writes the header at once.
func NewCSVWriter(w io.Writer, runID string, steps ...results.Step) *CSVWriter {
	c := &CSVWriter{runID: runID, w: csv.NewWriter(w)}
	if len(steps) > 0 {
		c.steps = map[results.Step]bool{}
		for _, s := range steps {
			c.steps[s] = true
		}
	}
	c.setErr(c.w.Write(CSVHeader))
	return c
}

// SetRunID sets the run id of the rows written from now on (a file of
// another run comes next).
func (c *CSVWriter) SetRunID(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.runID = id
}

// SessionStarted does nothing: rows are steps.
func (c *CSVWriter) SessionStarted(string) {}

// SessionEnded does nothing.
func (c *CSVWriter) SessionEnded(string, results.End) {}

// SessionStartedAt does nothing.
func (c *CSVWriter) SessionStartedAt(string, time.Time) {}

// SessionEndedAt does nothing.
func (c *CSVWriter) SessionEndedAt(string, results.End, time.Time) {}

// Record writes r as a row, unless its step is filtered out.
func (c *CSVWriter) Record(r *results.Result) {
	if c.steps != nil && !c.steps[r.Step] {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	sec := func(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }
	optSec := func(d time.Duration) string {
		if d == 0 {
			return ""
		}
		return sec(d)
	}
	good := "" // the SLO verdict of a message a user sent: message and ack steps
	if r.Step.Sends() {
		good = strconv.FormatBool(r.Good)
	}
	c.setErr(c.w.Write([]string{
		r.Start.UTC().Format(time.RFC3339Nano), c.runID, strconv.Itoa(r.Shard),
		strconv.FormatUint(r.User, 10), strconv.FormatUint(r.Session, 10), r.Conversation,
		strconv.Itoa(r.Turn), string(r.Step), strconv.Itoa(r.Code), string(r.Error),
		sec(r.Latency), sec(r.LatencyFromIntended()), sec(r.Lag()), sec(r.Wait),
		optSec(r.TTFB), optSec(r.TTFT), strconv.Itoa(r.Tokens), strconv.Itoa(r.Parts), strconv.Itoa(r.Chars),
		strconv.FormatInt(r.BytesIn, 10), strconv.FormatInt(r.BytesOut, 10), string(r.Shape), strconv.Itoa(r.Polls), good,
	}))
}

func (c *CSVWriter) setErr(err error) {
	if err != nil && c.err == nil {
		c.err = fmt.Errorf("results: write CSV: %w", err)
	}
}

// Flush writes buffered rows out and returns the first error so far.
func (c *CSVWriter) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.w.Flush()
	c.setErr(c.w.Error())
	return c.err
}
