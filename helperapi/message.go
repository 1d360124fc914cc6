package helperapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"

	"github.com/loadgen/loadgen/helperapi/stream"
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
	rec := stream.NewRecorder(&reply.Parts, opts.KeepText)
	p, perr := stream.NewParser(ex.resp.Header, rec)
	if perr != nil {
		ex.finish()
		reply.Timing = ex.t
		return reply, ex.newError(KindProtocol, "", perr)
	}
	readErr, parseErr := pump(ex, p)
	ex.finish()
	reply.Timing = ex.t
	if f := rec.Close(readErr != nil, parseErr); f != nil {
		return reply, ex.newError(faultKind(f.Fault), shorten(f.Msg), f.Err)
	}
	if readErr != nil {
		return reply, readErr
	}
	return reply, nil
}

// faultKind is the Kind of a broken reply's fault.
func faultKind(f stream.Fault) Kind {
	switch f {
	case stream.ErrorPart:
		return KindStreamError
	case stream.Truncated:
		return KindStreamTruncated
	}
	return KindProtocol
}

// pump feeds the body to p as it arrives, until EOF, a read failure or a
// parse failure.
func pump(ex *exchange, p stream.Parser) (readErr *Error, parseErr error) {
	bp := readBufs.Get().(*[]byte)
	defer readBufs.Put(bp)
	buf := *bp
	for {
		n, at, err := ex.read(buf)
		if n > 0 {
			if perr := p.Feed(buf[:n], at); perr != nil {
				return nil, perr
			}
		}
		if err == io.EOF {
			return nil, p.End(at)
		}
		if err != nil {
			return ex.failure(err, false), nil
		}
	}
}
