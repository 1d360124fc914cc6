package transcripts

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
)

// objectReader reads the JSON formats: a stream of conversation objects,
// either as one JSON array or as values one after another (one per line, or
// pretty-printed). It decodes one object at a time and keeps track of lines.
type objectReader struct {
	r       *Reader
	in      io.Reader
	convert convertFunc
	dec     *json.Decoder
	lines   *lineCounter
	array   bool // the stream is one JSON array
	started bool
	done    bool
}

// convertFunc turns one object of the stream into a conversation; nil
// means the record was bad (and skipped, or err is set in strict mode).
type convertFunc func(r *Reader, obj []byte, line int) (*Conversation, error)

func newObjectReader(r *Reader, in io.Reader, convert convertFunc) *objectReader {
	return &objectReader{r: r, in: in, convert: convert}
}

func (o *objectReader) next() (*Conversation, error) {
	if !o.started {
		if err := o.start(); err != nil {
			return nil, err
		}
	}
	for {
		obj, line, err := o.object()
		if err != nil {
			return nil, err
		}
		if obj[0] != '{' {
			if err := o.r.bad(line, 0, "", "want a conversation object, got %s", truncate(string(obj), 40)); err != nil {
				return nil, err
			}
			continue
		}
		c, err := o.convert(o.r, obj, line)
		if c != nil || err != nil {
			return c, err
		}
	}
}

// start skips a byte order mark and white space, and tells an array from a
// sequence of values.
func (o *objectReader) start() error {
	o.started = true
	br := bufio.NewReader(o.in)
	if b, err := br.Peek(3); err == nil && string(b) == "\uFEFF" {
		br.Discard(3)
	}
	o.lines = &lineCounter{r: br, limit: int64(o.r.maxConv)}
	o.dec = json.NewDecoder(o.lines)
	first, err := o.peek(br)
	if err != nil {
		return err
	}
	if first == '[' {
		o.array = true
		if _, err := o.dec.Token(); err != nil {
			return o.syntax(err)
		}
	}
	return nil
}

// peek returns the first byte that is not white space, leaving it unread;
// io.EOF for an empty input.
func (o *objectReader) peek(br *bufio.Reader) (byte, error) {
	for n := 1; ; n++ {
		b, err := br.Peek(n)
		if len(b) < n {
			if errors.Is(err, io.EOF) {
				return 0, io.EOF
			}
			return 0, err
		}
		if c := b[n-1]; c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return c, nil
		}
		if n == br.Size() { // a buffer of white space: drop it, counting lines
			o.lines.skip(br, n)
			n = 0
		}
	}
}

// object returns the next value of the stream, exactly as written, and the
// line it begins on; io.EOF after the last.
func (o *objectReader) object() (json.RawMessage, int, error) {
	if o.done {
		return nil, 0, io.EOF
	}
	if o.array && !o.dec.More() {
		if _, err := o.dec.Token(); err != nil { // the closing ]
			return nil, 0, o.syntax(err)
		}
		o.done = true
		if _, err := o.dec.Token(); !errors.Is(err, io.EOF) {
			return nil, 0, o.errorAt(o.dec.InputOffset(), "data after the closing ] of the array")
		}
		return nil, 0, io.EOF
	}
	var raw json.RawMessage
	err := o.dec.Decode(&raw)
	o.lines.mark = o.dec.InputOffset()
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return nil, 0, o.r.tooLarge(o.lines.lineAt(o.lines.mark), "a JSON value")
		}
		if errors.Is(err, io.EOF) && !o.array {
			o.done = true
			return nil, 0, io.EOF
		}
		return nil, 0, o.syntax(err)
	}
	return raw, o.lines.lineAt(o.dec.InputOffset() - int64(len(raw))), nil
}

// syntax turns a decoding error into one naming its line. These end the
// read: after a syntax error the next record cannot be found reliably.
func (o *objectReader) syntax(err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return o.errorAt(se.Offset, "bad JSON: "+se.Error())
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return o.errorAt(o.lines.off, "the file ends inside a JSON value (truncated?)")
	}
	return err
}

func (o *objectReader) errorAt(off int64, msg string) error {
	return &RecordError{File: o.r.file, Line: o.lines.lineAt(off), Msg: msg}
}

// errTooLarge ends a read of a JSON value over the reader's bound.
var errTooLarge = errors.New("transcripts: JSON value too large")

// lineCounter passes reads through, noting where the newlines are so that
// an offset can be turned into a line. Offsets asked about never decrease,
// so newlines before the last one asked about are only counted. It fails
// with errTooLarge once more than limit bytes were read past mark (the end
// of the last value decoded), which bounds what the decoder buffers.
type lineCounter struct {
	r      io.Reader
	off    int64   // bytes read
	nl     []int64 // offsets of newlines after the last offset asked about
	before int     // newlines before it
	mark   int64   // the end of the last value decoded
	limit  int64   // 0: none
}

func (c *lineCounter) Read(p []byte) (int, error) {
	if c.limit > 0 && c.off-c.mark > c.limit {
		return 0, errTooLarge
	}
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\n' {
			c.nl = append(c.nl, c.off+int64(i))
		}
	}
	c.off += int64(n)
	return n, err
}

// skip drops n bytes of br (already peeked, not yet read by the decoder),
// counting their newlines.
func (c *lineCounter) skip(br *bufio.Reader, n int) {
	b, _ := br.Peek(n)
	c.before += bytes.Count(b, []byte("\n"))
	br.Discard(n)
}

// lineAt returns the line, from 1, of the decoder's offset off.
func (c *lineCounter) lineAt(off int64) int {
	i := 0
	for i < len(c.nl) && c.nl[i] < off {
		i++
	}
	c.before += i
	c.nl = c.nl[i:]
	return c.before + 1
}

// fieldAt is a field's value within an object and its offset there.
type fieldAt struct {
	val json.RawMessage
	off int
}

// objectFields returns obj's top-level fields with their offsets; a
// repeated name keeps its last value, as encoding/json does.
func objectFields(obj []byte) (map[string]fieldAt, error) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	fields := make(map[string]fieldAt)
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		fields[k.(string)] = fieldAt{val: v, off: int(dec.InputOffset()) - len(v)}
	}
	return fields, nil
}

// arrayElems returns arr's elements with their offsets within arr; ok is
// false when arr is not a JSON array.
func arrayElems(arr []byte) ([]fieldAt, bool) {
	if len(arr) == 0 || arr[0] != '[' {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(arr))
	if _, err := dec.Token(); err != nil {
		return nil, false
	}
	var out []fieldAt
	for dec.More() {
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		out = append(out, fieldAt{val: v, off: int(dec.InputOffset()) - len(v)})
	}
	return out, true
}

// lineIn returns the line of offset off within obj, which begins on line.
func lineIn(obj []byte, line, off int) int {
	return line + bytes.Count(obj[:off], []byte("\n"))
}

// elemPath is "name[i]".
func elemPath(name string, i int) string { return name + "[" + strconv.Itoa(i) + "]" }
