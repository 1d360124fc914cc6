package stream

import (
	"bytes"
	"fmt"
	"time"

	"github.com/loadgen/loadgen/helperapi/internal/jsonscan"
)

// dataStream is an incremental parser for the Vercel AI SDK v4 data stream:
// one TYPE:JSON part per line. It keeps only the current partial line and a
// scratch buffer for escaped text. Not safe for concurrent use.
type dataStream struct {
	rec     *Recorder
	sniff   bool   // no data stream header: the first line must be a known part
	partial []byte // the start of a line whose newline has not arrived
	scratch []byte // decoded text of an escaped string part
	line    int    // lines seen, for error messages
	err     error  // sticky parse failure
}

func newDataStream(rec *Recorder, sniff bool) *dataStream {
	return &dataStream{rec: rec, sniff: sniff}
}

// Feed parses every line p completes; parts are stamped with at.
func (d *dataStream) Feed(p []byte, at time.Duration) error {
	if d.err != nil {
		return d.err
	}
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if len(d.partial)+len(p) > maxLineBytes {
				return d.fail(d.tooLong())
			}
			d.partial = append(d.partial, p...)
			return nil
		}
		line := p[:i]
		p = p[i+1:]
		if len(d.partial) > 0 {
			if len(d.partial)+len(line) > maxLineBytes {
				return d.fail(d.tooLong())
			}
			d.partial = append(d.partial, line...)
			line = d.partial
		} else if len(line) > maxLineBytes {
			return d.fail(d.tooLong())
		}
		err := d.parseLine(line, at)
		d.partial = d.partial[:0]
		if err != nil {
			return d.fail(err)
		}
	}
	return nil
}

// End handles a clean EOF: a last line without a newline is accepted when it
// is a complete part; when it begins like a known part the stream was cut
// inside that part, else the line is as unparseable as it would be with a
// newline.
func (d *dataStream) End(at time.Duration) error {
	if d.err != nil || len(d.partial) == 0 {
		return d.err
	}
	line := d.partial
	d.partial = nil
	if err := d.parseLine(line, at); err != nil {
		if !partStart(line) {
			return d.fail(err)
		}
		return d.fail(errTruncatedPart)
	}
	return nil
}

// partStart reports whether line begins like a part of a known type: its
// type character, then nothing or the separator.
func partStart(line []byte) bool {
	return len(line) > 0 && knownPart(line[0]) && (len(line) == 1 || line[1] == ':')
}

func (d *dataStream) fail(err error) error {
	d.err = err
	return err
}

func (d *dataStream) tooLong() error { return tooLong("data stream", d.line+1) }

// errorf makes a parse failure naming the line and part type.
func (d *dataStream) errorf(typ byte, what string) error {
	return fmt.Errorf("data stream: line %d: %q part: %s", d.line, typ, what)
}

// parseLine parses one complete line (without its newline).
func (d *dataStream) parseLine(line []byte, at time.Duration) error {
	d.line++
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if len(line) == 0 {
		return nil
	}
	i := bytes.IndexByte(line, ':')
	if i < 0 {
		return fmt.Errorf("data stream: line %d: no part type separator", d.line)
	}
	if i != 1 || !knownPart(line[0]) {
		if d.sniff && d.rec.parts == 0 {
			return fmt.Errorf("data stream: line %d: not a data stream part", d.line)
		}
		return nil // unknown part types are skipped
	}
	return d.parsePart(line[0], jsonscan.TrimSpace(line[2:]), at)
}

// knownPart reports whether typ is a part type of the AI SDK v4 data stream.
func knownPart(typ byte) bool {
	switch typ {
	case '0', '2', '3', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k':
		return true
	}
	return false
}

// parsePart checks one part's JSON value v and records it.
func (d *dataStream) parsePart(typ byte, v []byte, at time.Duration) error {
	switch typ {
	case '0': // text delta
		s, ok := d.str(v)
		if !ok {
			return d.errorf(typ, "want a JSON string")
		}
		d.rec.textPart(s, at)
	case '3': // error
		s, ok := d.str(v)
		if !ok {
			return d.errorf(typ, "want a JSON string")
		}
		d.rec.errorPart(string(s))
	case 'g': // reasoning delta
		if _, ok := d.str(v); !ok {
			return d.errorf(typ, "want a JSON string")
		}
		d.rec.otherPart()
	case '2': // data array
		if !jsonscan.Array(v) {
			return d.errorf(typ, "want a JSON array")
		}
		d.rec.dataPart()
	case '8': // message annotations
		id, ok := annotationID(v)
		if !ok {
			return d.errorf(typ, "want a JSON array")
		}
		d.rec.otherPart()
		d.rec.messageID(id)
	case 'd': // finish message
		reason, usage, ok := parseFinish(v)
		if !ok {
			return d.errorf(typ, "want a JSON object")
		}
		d.rec.finish(reason, usage)
	default: // f, 9 and the other object parts
		if !jsonscan.Object(v) {
			return d.errorf(typ, "want a JSON object")
		}
		switch typ {
		case 'f':
			d.rec.stepStart()
		case '9':
			d.rec.toolCall()
			if name, ok := jsonscan.StringMember(v, "toolName"); ok && name == EscalationTool {
				d.rec.escalated()
			}
		default:
			d.rec.otherPart()
		}
	}
	return nil
}

// str decodes a JSON string value, reusing the scratch buffer.
func (d *dataStream) str(v []byte) ([]byte, bool) {
	s, scratch, ok := jsonscan.Unquote(v, d.scratch)
	d.scratch = scratch
	return s, ok
}
