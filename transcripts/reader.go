package transcripts

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/loadgen/loadgen/internal/bounded"
)

// MaxProblems is how many bad records a Reader keeps for Problems; it counts
// them all.
const MaxProblems = 10

// DefaultMaxLine bounds one line of a JSONL transcript (WithMaxLine).
const DefaultMaxLine = 4 << 20

// DefaultMaxConversation bounds one recorded conversation
// (WithMaxConversation): the content of a JSONL conversation's messages, or
// one object of the JSON formats. A transcript is streamed, so this, with
// DefaultMaxLine, bounds the memory a read needs, whatever the file holds.
const DefaultMaxConversation = 64 << 20

// RecordError is a bad record: where it is and what is wrong with it.
type RecordError struct {
	File   string // the file as given to WithFile ("" when unnamed)
	Line   int    // from 1
	Column int    // from 1; 0 when unknown
	Field  string // the JSON field, e.g. "at" or "messages[2].role"; "" for the record as a whole
	Msg    string
}

func (e *RecordError) Error() string {
	at := e.File
	if at == "" {
		at = "line"
	}
	at += ":" + strconv.Itoa(e.Line)
	if e.Column > 0 {
		at += ":" + strconv.Itoa(e.Column)
	}
	if e.Field != "" {
		return "transcripts: " + at + ": " + e.Field + ": " + e.Msg
	}
	return "transcripts: " + at + ": " + e.Msg
}

// Option configures a Reader.
type Option func(*Reader)

// WithFile names the input in errors, e.g. the path it was opened from.
func WithFile(name string) Option { return func(r *Reader) { r.file = name } }

// WithStrict makes the first bad record end the read with its error,
// instead of skipping it.
func WithStrict() Option { return func(r *Reader) { r.strict = true } }

// WithMaxLine bounds a JSONL line (default DefaultMaxLine); a longer line is
// a bad record.
func WithMaxLine(n int) Option { return func(r *Reader) { r.maxLine = n } }

// WithMaxConversation bounds one conversation (default
// DefaultMaxConversation); a larger one ends the read with an error, since
// the rest of the file cannot be trusted to be a transcript.
func WithMaxConversation(n int) Option { return func(r *Reader) { r.maxConv = n } }

// Reader reads conversations one at a time from a transcript. It is not
// safe for concurrent use.
type Reader struct {
	file    string
	strict  bool
	maxLine int
	maxConv int

	next     func() (*Conversation, error) // the format's reader
	index    int                           // conversations returned
	skipped  int                           // bad records
	problems []*RecordError                // the first MaxProblems
	err      error                         // sticky: io.EOF or a fatal error
}

// NewReader returns a Reader of r in format f. An unknown format makes
// every Next fail.
func NewReader(r io.Reader, f Format, opts ...Option) *Reader {
	rd := &Reader{maxLine: DefaultMaxLine, maxConv: DefaultMaxConversation}
	for _, o := range opts {
		o(rd)
	}
	switch f {
	case FormatJSONL:
		rd.next = newJSONLReader(rd, r).next
	case FormatHelper:
		rd.next = newObjectReader(rd, r, helperConversation).next
	case FormatShareGPT:
		rd.next = newObjectReader(rd, r, shareGPTConversation).next
	default:
		_, err := ParseFormat(string(f))
		rd.err = err
	}
	return rd
}

// Next returns the next conversation, or io.EOF after the last one. Bad
// records are skipped (see Skipped) unless the Reader is strict; then Next
// returns the first one as a *RecordError. Any other error, such as a read
// error or a JSON syntax error, ends the read; Next then keeps returning it.
func (r *Reader) Next() (*Conversation, error) {
	if r.err != nil {
		return nil, r.err
	}
	c, err := r.next()
	if err != nil {
		if !errors.Is(err, io.EOF) && r.file != "" {
			var re *RecordError
			if !errors.As(err, &re) {
				err = fmt.Errorf("transcripts: %s: %w", r.file, err)
			}
		}
		r.err = err
		return nil, err
	}
	c.Index = r.index
	r.index++
	return c, nil
}

// bad handles a bad record: in strict mode it is returned, to end the read;
// otherwise it is counted and nil is returned.
func (r *Reader) bad(line, col int, field, format string, args ...any) error {
	e := &RecordError{File: r.file, Line: line, Column: col, Field: field, Msg: fmt.Sprintf(format, args...)}
	if r.strict {
		return e
	}
	r.skipped++
	if len(r.problems) < MaxProblems {
		r.problems = append(r.problems, e)
	}
	return nil
}

// tooLarge is the error of what (a conversation, a line, a value) over the
// bound on one conversation; it ends the read.
func (r *Reader) tooLarge(line int, what string) error {
	return &RecordError{File: r.file, Line: line, Msg: fmt.Sprintf("%s exceeds %s, the limit for one conversation (is this the right file?)", what, bounded.Size(int64(r.maxConv)))}
}

// Skipped returns the number of bad records skipped so far.
func (r *Reader) Skipped() int { return r.skipped }

// Problems returns the first MaxProblems bad records skipped.
func (r *Reader) Problems() []*RecordError { return r.problems }

// Summary describes the skipped records in one line, or returns "" when
// none were skipped.
func (r *Reader) Summary() string {
	if r.skipped == 0 {
		return ""
	}
	name := r.file
	if name == "" {
		name = "transcript"
	}
	noun := "records"
	if r.skipped == 1 {
		noun = "record"
	}
	return fmt.Sprintf("%s: %d bad %s skipped (first: %s)", name, r.skipped, noun, r.problems[0].Error())
}

// checkRole checks a message role.
func checkRole(s string) (Role, bool) {
	switch Role(s) {
	case User, Assistant, Staff:
		return Role(s), true
	}
	return "", false
}

// hasUser reports whether msgs hold a user message.
func hasUser(msgs []Message) bool {
	for _, m := range msgs {
		if m.Role == User {
			return true
		}
	}
	return false
}
