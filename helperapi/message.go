package helperapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
)

// MessageOptions tune one streamed exchange.
type MessageOptions struct {
	KeepText bool // keep the reply text in Reply.Text
}

// chatRequest is the JSON of POST /api/chat. It never carries
// customerInfoUrl (that would overwrite the mailbox's settings).
type chatRequest struct {
	ConversationSlug string      `json:"conversationSlug"`
	Message          chatMessage `json:"message"`
}

type chatMessage struct {
	ID      string `json:"id"`
	Role    string `json:"role"`
	Content string `json:"content"`
}

// readBufSize is the size of the buffer a streamed body is read through.
const readBufSize = 8 << 10

var readBufs = sync.Pool{New: func() any { b := make([]byte, readBufSize); return &b }}

// SendMessage calls POST /api/chat and reads the streamed reply part by part.
// The Reply is never nil: on error it holds what was measured before the failure.
// Each message gets a fresh client message id. See the package doc for how
// the body format is chosen, how parts are timed and how outcomes are classed.
func (s *Session) SendMessage(ctx context.Context, slug, content string, opts MessageOptions) (*Reply, error) {
	reply := &Reply{}
	b, err := json.Marshal(chatRequest{
		ConversationSlug: slug,
		Message:          chatMessage{ID: s.c.ids.next(), Role: "user", Content: content},
	})
	if err != nil {
		return reply, &Error{Op: opMessage, Kind: KindProtocol, Msg: "cannot encode request", Err: err}
	}
	ex, xerr := s.send(ctx, opMessage, http.MethodPost, "/api/chat", b)
	if xerr != nil {
		reply.Timing = ex.t
		return reply, xerr
	}
	rec := newRecorder(reply, opts.KeepText)
	p, perr := newParser(ex.resp.Header, rec)
	if perr != nil {
		ex.finish()
		reply.Timing = ex.t
		return reply, ex.newError(KindProtocol, "", perr)
	}
	readErr, parseErr := pump(ex, p)
	ex.finish()
	reply.Timing = ex.t
	if e := rec.outcome(readErr, parseErr, ex.newError); e != nil {
		return reply, e
	}
	return reply, nil
}

// pump feeds the body to p as it arrives, until EOF, a read failure or a
// parse failure.
func pump(ex *exchange, p parser) (readErr *Error, parseErr error) {
	bp := readBufs.Get().(*[]byte)
	defer readBufs.Put(bp)
	buf := *bp
	for {
		n, at, err := ex.read(buf)
		if n > 0 {
			if perr := p.feed(buf[:n], at); perr != nil {
				return nil, perr
			}
		}
		if err == io.EOF {
			return nil, p.end(at)
		}
		if err != nil {
			return ex.failure(err, false), nil
		}
	}
}

// newParser chooses the reply parser from the response headers.
func newParser(h http.Header, rec *recorder) (parser, error) {
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
