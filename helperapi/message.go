package helperapi

import (
	"context"
	"io"
	"net/http"
	"sync"

	"github.com/loadgen/loadgen/helperapi/stream"
)

// MessageOptions tune one streamed exchange and what its body carries
// besides the text (see ChatBody).
type MessageOptions struct {
	KeepText     bool         // keep the reply text in Reply.Text
	GuideEnabled bool         // the widget's guideEnabled
	Attachments  []Attachment // files, as base64 data URLs
	// Tools are an SDK integration's tools; with any, the body is the SDK's
	// instead of the widget's.
	Tools                 map[string]Tool
	CustomerSpecificTools bool
}

// attachmentsLen is about the JSON size of atts.
func attachmentsLen(atts []Attachment) int {
	n := 0
	for _, a := range atts {
		n += len(a.Name) + len(a.ContentType) + len(a.URL) + 48
	}
	return n
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
	cb := ChatBody{ChatID: s.chatID, MessageID: s.c.ids.widgetID(), CreatedAt: s.c.now(), GuideEnabled: opts.GuideEnabled,
		Attachments: opts.Attachments, Tools: opts.Tools, CustomerSpecificTools: opts.CustomerSpecificTools}
	if len(opts.Tools) > 0 {
		cb.ChatID, cb.MessageID = s.sdkChatID, s.c.ids.sdkID()
	}
	// Not pooled: the transport may still be writing a body when the
	// response headers arrive.
	b := appendChatBody(make([]byte, 0, 320+2*len(content)+attachmentsLen(opts.Attachments)), slug, content, &cb)
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
