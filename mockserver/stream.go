package mockserver

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/loadgen/loadgen/internal/jsontext"
)

// The AI SDK v4 data stream writer. A model reply goes out in the order
// Helper's writer uses: an optional 2: data part, f:, the 0: text parts (a
// tool step first when drawn: 9:, e: with finishReason "tool-calls", a new
// f:), e:, d: with usage, then h: sources and the 8: annotation carrying the
// stored message id. Parts are flushed before every pause and at the end, so
// no part waits in a buffer while the server sleeps; with zero delays,
// consecutive parts share writes, as they do behind a fast model.

// Fixed parts.
var (
	dataPartLine  = []byte(`2:[{"status":"searching"}]` + "\n")
	errorPartLine = []byte(`3:"Error generating AI response"` + "\n")
	sourceLines   = [][]byte{
		[]byte(`h:{"sourceType":"url","id":"src-shipping","url":"https://docs.example.com/help/shipping","title":"Shipping and delivery"}` + "\n"),
		[]byte(`h:{"sourceType":"url","id":"src-refunds","url":"https://docs.example.com/help/refunds","title":"Refunds and returns"}` + "\n"),
		[]byte(`h:{"sourceType":"url","id":"src-billing","url":"https://docs.example.com/help/billing","title":"Billing FAQ"}` + "\n"),
	}
)

// Tool step sizes (usage reported for the tool-call step).
const toolStepTokens = 12

// streamWriter writes parts to one response. Its scratch space is pooled.
type streamWriter struct {
	s       *Server
	w       http.ResponseWriter
	flusher http.Flusher
	timer   *time.Timer // lazily made, for pauses
	buf     []byte      // scratch for one part
	tokens  []textToken // scratch for the reply plan
	err     error       // the first write error; later writes are skipped
}

func (s *Server) newStreamWriter(w http.ResponseWriter) *streamWriter {
	sw, _ := s.streams.Get().(*streamWriter)
	if sw == nil {
		sw = &streamWriter{s: s, buf: make([]byte, 0, 512)}
	}
	sw.w = w
	sw.flusher, _ = w.(http.Flusher)
	sw.err = nil
	return sw
}

func (s *Server) freeStreamWriter(sw *streamWriter) {
	if sw.timer != nil {
		sw.timer.Stop()
	}
	sw.w, sw.flusher, sw.err = nil, nil, nil
	clear(sw.tokens)
	sw.tokens = sw.tokens[:0]
	if cap(sw.buf) > 64<<10 {
		sw.buf = make([]byte, 0, 512)
	}
	s.streams.Put(sw)
}

// write writes one part (or any bytes). With probability SplitParts it
// writes the bytes in two flushed pieces with a 1 ms pause between, so a
// client sees a line split across reads.
func (sw *streamWriter) write(p []byte) {
	if sw.err != nil {
		return
	}
	if len(p) > 1 && sw.s.rand.chance(sw.s.cfg.SplitParts) {
		half := len(p) / 2
		_, sw.err = sw.w.Write(p[:half])
		sw.flush()
		time.Sleep(time.Millisecond)
		p = p[half:]
	}
	if sw.err == nil {
		_, sw.err = sw.w.Write(p)
	}
}

func (sw *streamWriter) flush() {
	if sw.err == nil && sw.flusher != nil {
		sw.flusher.Flush()
	}
}

// pause flushes and waits d (nothing when d ≤ 0). It returns an error when
// the request or the server ended first.
func (sw *streamWriter) pause(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return sw.err
	}
	sw.flush()
	if sw.timer == nil {
		sw.timer = time.NewTimer(d)
		sw.timer.Stop()
	}
	if err := sw.s.pause(ctx, sw.timer, d); err != nil {
		return err
	}
	return sw.err
}

// part builds a part in the scratch buffer and writes it.
func (sw *streamWriter) part(build func(b []byte) []byte) {
	sw.buf = build(sw.buf[:0])
	sw.write(sw.buf)
}

func appendInt(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) }

// appendStart appends f:{"messageId":"msg-<24 random letters and digits>"}.
func appendStart(b []byte) []byte {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b = append(b, `f:{"messageId":"msg-`...)
	for range 4 {
		u := rand.Uint64()
		for range 6 {
			b = append(b, alphabet[u%62])
			u /= 62
		}
	}
	return append(b, "\"}\n"...)
}

// appendUsage appends "usage":{"promptTokens":p,"completionTokens":c}.
func appendUsage(b []byte, prompt, completion int) []byte {
	b = append(b, `"usage":{"promptTokens":`...)
	b = appendInt(b, int64(prompt))
	b = append(b, `,"completionTokens":`...)
	b = appendInt(b, int64(completion))
	return append(b, '}')
}

// appendStepFinish appends e:{"finishReason":…,"usage":…,"isContinued":false}.
func appendStepFinish(b []byte, reason string, prompt, completion int) []byte {
	b = append(b, `e:{"finishReason":"`...)
	b = append(b, reason...)
	b = append(b, `",`...)
	b = appendUsage(b, prompt, completion)
	return append(b, ",\"isContinued\":false}\n"...)
}

// toolKind is the tool a model reply calls first, if any.
type toolKind uint8

const (
	toolNone      toolKind = iota
	toolKnowledge          // knowledge_base: search the knowledge base
	toolEscalate           // request_human_support: hand the conversation to a human
)

// drawTool picks the tool step of a model reply: an escalation for a
// HumanShare of replies, else a knowledge-base search for a ToolStep share.
func (s *Server) drawTool() toolKind {
	switch {
	case s.rand.chance(s.cfg.HumanShare):
		return toolEscalate
	case s.rand.chance(s.cfg.ToolStep):
		return toolKnowledge
	}
	return toolNone
}

// appendToolCall appends a 9: tool call with the start of the user's
// message as its argument, as Helper's tools (lib/ai/tools.ts) name them:
// knowledge_base {query} or request_human_support {reason}.
func appendToolCall(b []byte, tool toolKind, text string) []byte {
	if len(text) > 60 {
		n := 60
		for n > 0 && !utf8.RuneStart(text[n]) {
			n--
		}
		text = text[:n]
	}
	b = append(b, `9:{"toolCallId":"call_`...)
	b = strconv.AppendUint(b, rand.Uint64(), 36)
	if tool == toolEscalate {
		b = append(b, `","toolName":"request_human_support","args":{"reason":`...)
	} else {
		b = append(b, `","toolName":"knowledge_base","args":{"query":`...)
	}
	b = jsontext.AppendString(b, text)
	return append(b, "}}\n"...)
}

// streamModel streams a model reply to content in conv. first says content
// is the conversation's first message: a reply that finishes with "stop"
// and did not escalate is then written to the reply cache, as Helper writes
// it for every first message (and reads it only for isPrompt ones).
func (s *Server) streamModel(w http.ResponseWriter, r *http.Request, conv *conversation, content string, first bool) {
	place, err := s.capacity.enter()
	if err != nil {
		s.reject(r, &s.counts.queueFull, "queue_full")
		http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
		return
	}
	ctx := r.Context()
	sw := s.newStreamWriter(w)
	defer s.freeStreamWriter(sw)
	setStreamHeaders(w)
	w.WriteHeader(http.StatusOK)
	if s.rand.chance(s.cfg.DataPart) {
		sw.write(dataPartLine)
	}
	sw.flush()

	queued := time.Now()
	err = s.capacity.wait(ctx, s.done, place)
	s.metrics.queueWait.Observe(time.Since(queued).Seconds())
	if err != nil {
		return
	}
	held, since := true, time.Now()
	release := func() {
		if held {
			held = false
			s.capacity.release()
			s.metrics.generation.Observe(time.Since(since).Seconds())
		}
	}
	defer release()
	s.counts.replyModel.Add(1)

	cfg := &s.cfg
	fault := s.drawStreamFault()
	n := cfg.Tokens.sample(s.rand)
	plan := planReply(sw.tokens, n)
	sw.tokens = plan.tokens
	faultAfter := 1 + s.rand.IntN(n) // the fault strikes after this many text parts
	// Usage: each e: carries its step's, d: the sum over the steps (the AI
	// SDK's combined usage). The text step's prompt holds the tool call.
	prompt := 180 + len(content)/4
	totalPrompt, totalCompletion := prompt, n

	tool := s.drawTool()
	if tool != toolNone {
		if sw.pause(ctx, cfg.TTFT.sample(s.rand)) != nil {
			return
		}
		toolPrompt := prompt
		sw.part(appendStart)
		sw.part(func(b []byte) []byte { return appendToolCall(b, tool, content) })
		if tool == toolEscalate {
			s.escalate(conv) // the tool runs as soon as the model calls it
		}
		sw.part(func(b []byte) []byte { return appendStepFinish(b, "tool-calls", toolPrompt, toolStepTokens) })
		prompt += toolStepTokens
		totalPrompt, totalCompletion = toolPrompt+prompt, n+toolStepTokens
	}
	if sw.pause(ctx, cfg.TTFT.sample(s.rand)) != nil {
		return
	}
	sw.part(appendStart)
	for i, t := range plan.tokens {
		if i > 0 && sw.pause(ctx, cfg.TokenInterval.sample(s.rand)) != nil {
			return
		}
		sw.write(t.line)
		if i+1 != faultAfter || fault == faultNone {
			continue
		}
		switch fault {
		case faultReset:
			if sw.err == nil {
				reset(w)
			}
			return
		case faultTruncate:
			sw.flush()
			return
		case faultErrorPart:
			sw.write(errorPartLine)
			sw.flush()
			return
		case faultStall:
			if sw.pause(ctx, cfg.Faults.StallFor) != nil {
				return
			}
		}
	}
	sw.part(func(b []byte) []byte { return appendStepFinish(b, "stop", prompt, n) })
	sw.part(func(b []byte) []byte {
		b = append(b, `d:{"finishReason":"stop",`...)
		b = appendUsage(b, totalPrompt, totalCompletion)
		return append(b, "}\n"...)
	})
	if s.capacity.limit > 0 {
		sw.flush() // the generation ends when d: is on the wire; only then may a waiter start
	}
	release()
	if sw.err != nil {
		return
	}
	text := plan.text
	if tool == toolEscalate {
		text = escalatedText
	}
	id := s.storeReply(conv, roleAssistant, text)
	if first && tool != toolEscalate {
		s.store.cacheReply(content, text, s.cfg.Now())
	}
	for i := range cfg.Sources {
		sw.write(sourceLines[i%len(sourceLines)])
	}
	sw.part(func(b []byte) []byte {
		b = append(b, `8:[{"id":"`...)
		b = appendInt(b, id)
		b = append(b, `","traceId":"`...)
		b = strconv.AppendUint(b, rand.Uint64(), 16)
		return append(b, "\"}]\n"...)
	})
	sw.flush()
	if sw.err == nil {
		s.counts.streamCompleted.Add(1)
	}
}
