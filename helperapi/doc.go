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
// MessageOptions.KeepText asks for it). Package helperapi/stream does the
// parsing: it chooses the parser from the response headers (the Vercel AI
// SDK v4 data stream as Helper sends it, server-sent events as Helper's docs
// and AI SDK 5 show them, or one JSON object; its doc has the rules), and its
// Recorder turns the parts into the Reply's embedded stream.Parts. The JSON
// fast paths of both packages share helperapi/internal/jsonscan.
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
// A streamed reply is complete or broken as package stream's doc says. A
// complete reply has a Shape (ShapeModel, ShapeSingleShot, ShapeEmpty); a
// broken one has no Shape and an *Error whose Kind is, in this order:
// KindStreamError (an error part, even at status 200; its text is the Msg),
// the read failure (KindNetwork, KindTimeout, KindCanceled),
// KindStreamTruncated (a step started but no finish part, the body ended
// before any text or finish part, or the body ended inside a part) or
// KindProtocol (a body that cannot be parsed, or one with no parts at all).
package helperapi
