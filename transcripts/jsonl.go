package transcripts

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// jsonlReader reads FormatJSONL: one message per line, a conversation's
// lines consecutive. It holds one conversation at a time, and the keys of
// the conversations already read (to catch one that continues later).
type jsonlReader struct {
	r    *Reader
	br   *bufio.Reader
	buf  []byte
	line int
	cur  *Conversation
	size int            // bytes of cur's messages' content
	seen map[string]int // finished conversations' keys → their first line
	eof  bool
}

func newJSONLReader(r *Reader, in io.Reader) *jsonlReader {
	return &jsonlReader{r: r, br: bufio.NewReaderSize(in, 64<<10), seen: make(map[string]int)}
}

// jsonlRecord is one line; fields stay raw so that each can be checked and
// named in errors.
type jsonlRecord struct {
	Conversation json.RawMessage `json:"conversation"`
	Role         json.RawMessage `json:"role"`
	Content      json.RawMessage `json:"content"`
	At           json.RawMessage `json:"at"`
	Subject      json.RawMessage `json:"subject"`
	Email        json.RawMessage `json:"email"`
}

func (j *jsonlReader) next() (*Conversation, error) {
	for {
		if j.eof {
			done := j.cur
			j.cur = nil
			if done == nil {
				return nil, io.EOF
			}
			if ok, err := j.finish(done); ok || err != nil {
				return done, err
			}
			continue
		}
		b, tooLong, err := j.readLine()
		switch {
		case errors.Is(err, errTooLarge):
			return nil, j.r.tooLarge(j.line+1, "a line with no newline")
		case errors.Is(err, io.EOF):
			j.eof = true
		case err != nil:
			return nil, err
		}
		if j.eof && len(b) == 0 && !tooLong {
			continue
		}
		j.line++
		if tooLong {
			if err := j.r.bad(j.line, 0, "", "line longer than %d bytes", j.r.maxLine); err != nil {
				return nil, err
			}
			continue
		}
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			continue
		}
		key, msg, meta, err := j.record(b)
		if err != nil || key == "" {
			if err != nil {
				return nil, err
			}
			continue
		}
		if j.cur != nil && key == j.cur.ID {
			if j.size += len(msg.Content); j.size > j.r.maxConv {
				return nil, j.r.tooLarge(j.cur.Line, fmt.Sprintf("conversation %q", key))
			}
			j.cur.Messages = append(j.cur.Messages, msg)
			j.cur.setMeta(meta)
			continue
		}
		if first, dup := j.seen[key]; dup {
			err := j.r.bad(j.line, 0, "conversation", "conversation %q continues after other conversations (it began at line %d); a conversation's lines must be consecutive", key, first)
			if err != nil {
				return nil, err
			}
			continue
		}
		done := j.cur
		j.cur = &Conversation{ID: key, Line: j.line, Messages: []Message{msg}}
		j.size = len(msg.Content)
		j.cur.setMeta(meta)
		if done == nil {
			continue
		}
		if ok, err := j.finish(done); ok || err != nil {
			return done, err
		}
	}
}

// finish checks a complete conversation: ok when it can be returned.
func (j *jsonlReader) finish(c *Conversation) (ok bool, err error) {
	j.seen[c.ID] = c.Line
	if hasUser(c.Messages) {
		return true, nil
	}
	return false, j.r.bad(c.Line, 0, "", "conversation %q has no user message", c.ID)
}

// readLine returns the next line without its end, and whether it was longer
// than the limit (then its content is dropped). err is io.EOF with the last
// line, or alone at the end.
func (j *jsonlReader) readLine() (line []byte, tooLong bool, err error) {
	j.buf = j.buf[:0]
	size := 0
	for {
		chunk, err := j.br.ReadSlice('\n')
		size += len(chunk)
		if size > j.r.maxConv {
			return nil, true, errTooLarge // no newline for that long: not a transcript
		}
		if size > j.r.maxLine+1 {
			tooLong = true
		} else {
			j.buf = append(j.buf, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if tooLong {
			j.buf = j.buf[:0]
		}
		return bytes.TrimSuffix(j.buf, []byte("\n")), tooLong, err
	}
}

// meta is what a line may say about its conversation.
type meta struct{ subject, email string }

// setMeta keeps the first subject and email given.
func (c *Conversation) setMeta(m meta) {
	if c.Subject == "" {
		c.Subject = m.subject
	}
	if c.Email == "" {
		c.Email = m.email
	}
}

// record decodes one non-blank line. An empty key means the line was bad
// and skipped; err is set when it was bad and the reader is strict.
func (j *jsonlReader) record(b []byte) (key string, m Message, md meta, err error) {
	bad := func(col int, field, format string, args ...any) (string, Message, meta, error) {
		return "", Message{}, meta{}, j.r.bad(j.line, col, field, format, args...)
	}
	if b[0] != '{' {
		return bad(1, "", `want a JSON object per line, e.g. {"conversation": "c1", "role": "user", "content": "Hi", "at": "2026-03-01T12:00:00Z"}`)
	}
	var rec jsonlRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return bad(int(se.Offset), "", "bad JSON: %v", se)
		}
		return bad(0, "", "bad JSON: %v", err)
	}
	key, why := idText(rec.Conversation)
	switch {
	case why != "":
		return bad(0, "conversation", "%s", why)
	case key == "":
		return bad(0, "conversation", "missing (the conversation's key, e.g. \"c1\")")
	}
	role, why := text(rec.Role)
	if why != "" {
		return bad(0, "role", "%s", why)
	}
	if m.Role, _ = checkRole(role); m.Role == "" {
		if role == "" {
			return bad(0, "role", "missing (want user, assistant or staff)")
		}
		return bad(0, "role", "unknown role %q (want user, assistant or staff)", role)
	}
	if m.Content, why = text(rec.Content); why != "" {
		return bad(0, "content", "%s", why)
	}
	if m.Role == User && strings.TrimSpace(m.Content) == "" {
		return bad(0, "content", "empty user message")
	}
	at, why := text(rec.At)
	if why != "" {
		return bad(0, "at", "%s", why)
	}
	if m.At, why = parseTime(at); why != "" {
		return bad(0, "at", "%s", why)
	}
	if md.subject, why = text(rec.Subject); why != "" {
		return bad(0, "subject", "%s", why)
	}
	if md.email, why = text(rec.Email); why != "" {
		return bad(0, "email", "%s", why)
	}
	m.Line = j.line
	return key, m, md, nil
}

// text decodes an optional JSON string (null or absent: ""); why says what
// is wrong with anything else.
func text(raw json.RawMessage) (s, why string) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", ""
	}
	if raw[0] != '"' {
		return "", "want a string, got " + truncate(string(raw), 40)
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", "bad string: " + err.Error()
	}
	return s, ""
}

// idText decodes an id: a string, or a number kept as written.
func idText(raw json.RawMessage) (s, why string) {
	if len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') {
		return string(raw), ""
	}
	return text(raw)
}

// parseTime parses a required RFC 3339 time.
func parseTime(s string) (time.Time, string) {
	if s == "" {
		return time.Time{}, "missing (an RFC 3339 time, e.g. 2026-03-01T12:00:00Z)"
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, "bad time " + truncate(`"`+s+`"`, 60) + " (want RFC 3339, e.g. 2026-03-01T12:00:00Z)"
	}
	if y := t.UTC().Year(); y < 1 || y > 9999 || t.IsZero() {
		return time.Time{}, "time " + truncate(`"`+s+`"`, 60) + " is out of range (want a time after 0001-01-01T00:00:00Z and before the year 10000)"
	}
	return t, ""
}

// truncate cuts s to at most n bytes, on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
