package resultfile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/loadgen/loadgen/internal/bounded"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/stats"
)

// Event is one record of a results file after the header.
type Event struct {
	Kind         string          // "start" or "end" (session events) or "result"
	At           time.Time       // time of a session event
	Conversation string          // conversation of a session event
	End          results.End     // how the session ended ("end" events)
	Result       *results.Result // the step ("result" events); a new value for each event
}

// ErrFormat means the input is not a results file this version can read.
var ErrFormat = errors.New("not a loadgen results file")

// Reader reads a results file one record at a time, holding only the
// current line in memory. A last line cut short (a killed run) ends the file
// with a warning instead of an error; any other broken line is an error that
// names its line.
type Reader struct {
	br       *bufio.Reader
	name     string
	run      results.Run
	line     int
	records  int64
	closedAt time.Time
	ran      [2]time.Time // the closing record's ran_from and ran_to
	warnings []string
	done     bool
}

// line is the union of every record's fields.
type line struct {
	K string `json:"k"`

	// header
	Format       int             `json:"format"`
	Version      string          `json:"version"`
	RunID        string          `json:"run_id"`
	Scenario     string          `json:"scenario"`
	ScenarioHash string          `json:"scenario_hash"`
	StartedAt    string          `json:"started_at"`
	Shards       int             `json:"shards"`
	Target       string          `json:"target"`
	TargetRate   float64         `json:"target_rate"`
	Duration     int64           `json:"duration"`
	Hold         int64           `json:"hold"`
	Config       *results.Config `json:"config"`

	// session events and close
	At      int64  `json:"at"`
	End     string `json:"end"`
	RanFrom int64  `json:"ran_from"`
	RanTo   int64  `json:"ran_to"`

	// result (and conv for session events, shard for the header)
	Shard    int             `json:"shard"`
	User     uint64          `json:"user"`
	Session  uint64          `json:"session"`
	Conv     string          `json:"conv"`
	Turn     int             `json:"turn"`
	Step     string          `json:"step"`
	Intended int64           `json:"intended"`
	Start    int64           `json:"start"`
	Wait     time.Duration   `json:"wait"`
	Code     int             `json:"code"`
	Error    results.Kind    `json:"error"`
	Detail   string          `json:"detail"`
	BytesIn  int64           `json:"bytes_in"`
	BytesOut int64           `json:"bytes_out"`
	Latency  time.Duration   `json:"latency"`
	TTFB     time.Duration   `json:"ttfb"`
	TTFT     time.Duration   `json:"ttft"`
	Gaps     []time.Duration `json:"gaps"`
	Tokens   int             `json:"tokens"`
	Parts    int             `json:"parts"`
	Chars    int             `json:"chars"`
	RefChars int             `json:"ref_chars"`
	Shape    results.Shape   `json:"shape"`
	Polls    int             `json:"polls"`
	Good     bool            `json:"good"`
}

// NewReader reads the header from r. name labels errors and warnings
// (usually the file name).
func NewReader(r io.Reader, name string) (*Reader, error) {
	rd := &Reader{br: bufio.NewReaderSize(r, 64<<10), name: name}
	b, complete, err := rd.readLine()
	if err == io.EOF && len(b) == 0 {
		return nil, fmt.Errorf("results: %s: %w: empty", name, ErrFormat)
	}
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("results: %s: %w", name, err)
	}
	if len(b) > MaxLine {
		return nil, fmt.Errorf("results: %s: %w", name, errLineTooLong)
	}
	var l line
	if !complete || json.Unmarshal(b, &l) != nil || l.K != "header" {
		return nil, fmt.Errorf("results: %s: %w: the first line is not a header", name, ErrFormat)
	}
	if l.Format != FormatVersion {
		return nil, fmt.Errorf("results: %s: %w: format version %d (this loadgen reads %d)", name, ErrFormat, l.Format, FormatVersion)
	}
	rd.run = results.Run{Version: l.Version, ID: l.RunID, Scenario: l.Scenario,
		ScenarioHash: l.ScenarioHash, Shard: l.Shard, Shards: l.Shards, Target: l.Target,
		TargetRate: l.TargetRate, Duration: time.Duration(l.Duration), Hold: time.Duration(l.Hold), Config: l.Config}
	if l.StartedAt != "" {
		t, err := time.Parse(time.RFC3339Nano, l.StartedAt)
		if err != nil {
			return nil, fmt.Errorf("results: %s:1: started_at: %w", name, err)
		}
		rd.run.Start = t
	}
	return rd, nil
}

// MaxLine bounds one line of a results file. A result line holds one
// step's inter-token gaps, a few hundred kilobytes for the longest replies;
// a file with a longer line is not a results file (a log, /dev/zero), and
// is said to be so after reading this much instead of all of it.
const MaxLine = 16 << 20

// errLineTooLong is readLine's error for a line over MaxLine.
var errLineTooLong = fmt.Errorf("%w: a line longer than %s", ErrFormat, bounded.Size(MaxLine))

// readLine returns the next line without its newline, and whether it had
// one. Lines may be longer than the buffer, up to MaxLine.
func (r *Reader) readLine() ([]byte, bool, error) {
	r.line++
	b, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		long := append([]byte(nil), b...)
		for err == bufio.ErrBufferFull {
			if len(long) > MaxLine {
				return nil, false, errLineTooLong
			}
			b, err = r.br.ReadSlice('\n')
			long = append(long, b...)
		}
		b = long
	}
	if err != nil {
		return b, false, err
	}
	return b[:len(b)-1], true, nil
}

// Run returns the run facts of the file's header.
func (r *Reader) Run() results.Run { return r.run }

// Next returns the next record, or io.EOF after the last one.
func (r *Reader) Next() (Event, error) {
	for !r.done {
		b, complete, err := r.readLine()
		if err != nil && err != io.EOF {
			return Event{}, fmt.Errorf("results: %s:%d: %w", r.name, r.line, err)
		}
		if !complete {
			r.done = true
			if len(bytes.TrimSpace(b)) > 0 {
				r.warn("line %d is cut short (the run was killed while writing it); read the %d records before it", r.line, r.records)
			}
			break
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		ev, err := r.parse(b)
		if err != nil {
			return Event{}, fmt.Errorf("results: %s:%d: %w", r.name, r.line, err)
		}
		if ev.Kind == "close" {
			continue
		}
		r.records++
		return ev, nil
	}
	if r.closedAt.IsZero() && !r.hasWarned() {
		r.warn("no closing record: the run did not finish cleanly")
	}
	return Event{}, io.EOF
}

func (r *Reader) parse(b []byte) (Event, error) {
	var l line
	if err := json.Unmarshal(b, &l); err != nil {
		return Event{}, fmt.Errorf("bad record: %w", err)
	}
	switch l.K {
	case "start", "end":
		return Event{Kind: l.K, At: unixTime(l.At), Conversation: l.Conv, End: results.End(l.End)}, nil
	case "close":
		r.closedAt = unixTime(l.At)
		r.ran = [2]time.Time{unixTime(l.RanFrom), unixTime(l.RanTo)}
		return Event{Kind: l.K, At: r.closedAt}, nil
	case "result":
		return Event{Kind: l.K, Result: &results.Result{
			Shard: l.Shard, User: l.User, Session: l.Session, Conversation: l.Conv, Turn: l.Turn, Step: results.Step(l.Step),
			Intended: unixTime(l.Intended), Start: unixTime(l.Start), Wait: l.Wait, Code: l.Code, Error: l.Error,
			Detail: l.Detail, BytesIn: l.BytesIn, BytesOut: l.BytesOut, Latency: l.Latency, TTFB: l.TTFB,
			TTFT: l.TTFT, Gaps: l.Gaps, Tokens: l.Tokens, Parts: l.Parts, Chars: l.Chars, RefChars: l.RefChars, Shape: l.Shape,
			Polls: l.Polls, Good: l.Good,
		}}, nil
	case "header":
		return Event{}, errors.New("a second header")
	}
	return Event{}, fmt.Errorf("unknown record kind %q", l.K)
}

func unixTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

func (r *Reader) warn(format string, a ...any) {
	r.warnings = append(r.warnings, fmt.Sprintf("results: %s: ", r.name)+fmt.Sprintf(format, a...))
}

func (r *Reader) hasWarned() bool { return len(r.warnings) > 0 }

// Warnings returns what the reader noticed but could read past: a last
// line cut short, a missing closing record.
func (r *Reader) Warnings() []string { return r.warnings }

// Records returns the number of records read so far.
func (r *Reader) Records() int64 { return r.records }

// ClosedAt returns the time of the closing record, zero when the file has
// none (or it has not been read yet).
func (r *Reader) ClosedAt() time.Time { return r.closedAt }

// Ran returns the span the run's schedule covered (Writer.Ran), from the
// closing record; zero times when the file does not say.
func (r *Reader) Ran() (start, stop time.Time) { return r.ran[0], r.ran[1] }

// Replay reads every remaining record into s.
func (r *Reader) Replay(s results.TimedSink) error {
	for {
		ev, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch ev.Kind {
		case "start":
			s.SessionStartedAt(ev.Conversation, ev.At)
		case "end":
			s.SessionEndedAt(ev.Conversation, ev.End, ev.At)
		default:
			s.Record(ev.Result)
		}
	}
}

// FileInfo describes a results file that has been read.
type FileInfo struct {
	Path     string
	Run      results.Run // the facts of its header
	ClosedAt time.Time   // zero when the file has no closing record
	// RanFrom and RanTo are the span the run's schedule covered (the
	// closing record's; zero when it does not say).
	RanFrom, RanTo time.Time
	Records        int64
	Warnings       []string
}

// ReadFiles reads the results files at paths into agg: each file into an
// Aggregate of its own (its session events are in time order only within
// the file), then merged into agg, so that the shards of a run, or several
// runs, merge exactly. It returns what it learned of each file.
func ReadFiles(agg *stats.Aggregate, paths ...string) ([]FileInfo, error) {
	var infos []FileInfo
	for _, p := range paths {
		one := agg.Empty()
		info, err := readFile(one, p)
		if err != nil {
			return infos, err
		}
		agg.Merge(one)
		infos = append(infos, info)
	}
	return infos, nil
}

func readFile(s results.TimedSink, path string) (FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return FileInfo{}, fmt.Errorf("results: %w", err)
	}
	defer f.Close()
	r, err := NewReader(f, path)
	if err != nil {
		return FileInfo{}, err
	}
	if err := r.Replay(s); err != nil {
		return FileInfo{}, err
	}
	from, to := r.Ran()
	return FileInfo{Path: path, Run: r.Run(), ClosedAt: r.ClosedAt(), RanFrom: from, RanTo: to, Records: r.Records(), Warnings: r.Warnings()}, nil
}
