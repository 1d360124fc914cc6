// Package helperapi is loadgen's client for the Helper conversation API: HMAC
// sessions, conversations, streamed chat replies and the asynchronous message
// path, with every exchange timed and every failure classed by Kind.
//
// A Client holds the connection pool and is shared by all virtual users; a
// Session (from CreateSession) is one visitor's token. Both are safe for
// concurrent use. Every call takes a context and returns an *Error on
// failure; Error texts, and the String, GoString and LogValue of a Client or
// Session, never contain the HMAC secret or a session token.
//
// # Streamed replies
//
// SendMessage reads the body of POST /api/chat as it arrives and never holds
// the whole reply (only the current partial line, and the text when
// MessageOptions.KeepText asks for it). The parser is chosen by the response
// headers:
//
//   - X-Vercel-AI-Data-Stream set, or Content-Type text/plain (or none) whose
//     first line is a known part: the Vercel AI SDK v4 data stream, one
//     TYPE:JSON part per line, as Helper sends it. Every part type of the
//     contract is understood; unknown types are skipped.
//   - text/event-stream: server-sent events as Helper's public docs show them
//     (data: {"type":"text","text":"..."}) and as AI SDK 5 UI message streams
//     send them ({"type":"text-delta","delta":"..."}, "start", "start-step",
//     "finish", "error", "data-*", "tool-*"), ending with data: [DONE]. A text
//     event is a text part; "start-step" is a step (like f:); "finish" or
//     [DONE] ends the message (like d:); "error" is an error part.
//   - application/json: one JSON object whose "text", "reply" or "content"
//     field (or "message" as a string or an object with "content") holds the
//     whole reply. It counts as one text part that arrives when the body
//     ends, so its Shape is ShapeSingleShot (or ShapeEmpty without text); an
//     "error" field is an error part.
//
// # Timing
//
// All durations count from Timing.Start, taken just before the request is
// handed to the transport. Headers is when the response headers were parsed.
// TTFB is when the first read of the response body returned at least one
// byte (not httptrace's GotFirstResponseByte, which fires on the status
// line): body bytes that came in the same packet as the headers make TTFB
// equal to Headers. A part is stamped with the time the read that completed
// its line returned, so parts that arrive in one read share a time and their
// gap is 0. TTFT is the time of the first non-empty text part (a data part or
// a step start does not count); Gaps are the times between consecutive
// non-empty text parts; Total is when the body ended or the exchange failed.
// BytesIn counts decoded body bytes (chunk framing excluded); the transport
// never asks for compression, so they are the bytes the server wrote.
//
// # Outcomes
//
// A streamed reply is complete when its finish part (d:) was seen, or when no
// step start (f:) was seen and the body ended cleanly after a text part (an
// empty one counts: Helper's empty reply is 8: then 0:""). Its
// Shape is then ShapeModel (a finish part and text), ShapeSingleShot (text
// without a finish part: Helper's cached and handed-to-a-human replies) or
// ShapeEmpty (no text). A broken reply has no Shape and an *Error whose Kind
// is, in this order: KindStreamError (an error part, even at status 200), the
// read failure (KindNetwork, KindTimeout, KindCanceled), KindStreamTruncated
// (a step started but no finish part, the body ended before any text or
// finish part, or the body ended inside a part) or
// KindProtocol (a body that cannot be parsed, or one with no parts at all).
package helperapi
