package stream

import (
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"
)

// Parser reads one reply format. Feed is called with each chunk of the body
// as it arrives and the time its read returned; End once at a clean EOF
// (not after a read failure). A non-nil error from either is a parse failure
// and is sticky: the caller stops feeding and hands it to Recorder.Close.
// A Parser is not safe for concurrent use.
type Parser interface {
	Feed(p []byte, at time.Duration) error
	End(at time.Duration) error
}

// Limits: a data stream or event stream line longer than maxLineBytes, or a
// JSON reply larger than maxJSONReply, is a parse failure rather than
// unbounded memory.
const (
	maxLineBytes = 4 << 20
	maxJSONReply = 16 << 20
)

// NewParser chooses the parser for a reply from its response headers (see
// the package doc) and gives it rec. The error names a content type that no
// parser reads.
func NewParser(h http.Header, rec *Recorder) (Parser, error) {
	ct := h.Get("Content-Type")
	mt := ""
	if ct != "" {
		var err error
		if mt, _, err = mime.ParseMediaType(ct); err != nil {
			return nil, fmt.Errorf("reply: content type %q: %w", ct, err)
		}
	}
	switch {
	case h.Get("X-Vercel-AI-Data-Stream") != "":
		return newDataStream(rec, false), nil
	case mt == "text/event-stream":
		return newSSE(rec), nil
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return newJSONReply(rec), nil
	case mt == "text/plain" || mt == "":
		return newDataStream(rec, true), nil
	}
	return nil, fmt.Errorf("reply: unexpected content type %q", ct)
}

// tooLong is the failure of a line longer than maxLineBytes.
func tooLong(format string, line int) error {
	return fmt.Errorf("%s: line %d: longer than %d bytes", format, line, maxLineBytes)
}
