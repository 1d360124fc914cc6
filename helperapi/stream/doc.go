// Package stream reads the body of a streamed chat reply as it arrives and
// records each part with the time its read returned: the parsing half of
// the Helper client (package helperapi), which does the HTTP and the timing
// of the exchange around it.
//
// The seam is the Recorder. NewParser picks a Parser from the response
// headers; the client feeds it each chunk of the body with the time the read
// returned; the Parser hands every part it understands to the Recorder,
// which fills Parts (text timing, counts, usage, message id) and, at
// Recorder.Close, decides the outcome: a Shape, or a Failure with a Fault.
// A new wire format is one more Parser that calls the same Recorder methods.
// Parsers never hold the whole reply: only the current partial line or event
// (bounded), and the text when the Recorder was asked to keep it.
//
// # Formats
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
// A part is stamped with the time the read that completed its line (or, for
// server-sent events, the blank line ending its event) returned, so parts
// that arrive in one read share a time and their gap is 0. TTFT is the time
// of the first non-empty text part (a data part or a step start does not
// count); Gaps are the times between consecutive non-empty text parts.
//
// # Outcomes
//
// A reply is complete when its finish part (d:) was seen, or when no step
// start (f:) was seen and the body ended cleanly after a text part (an empty
// one counts: Helper's empty reply is 8: then 0:""). Its Shape is then
// ShapeModel (a finish part and text), ShapeSingleShot (text without a finish
// part: Helper's cached and handed-to-a-human replies) or ShapeEmpty (no
// text). A broken reply has no Shape and a Failure whose Fault is, in this
// order: ErrorPart (an error part, even at status 200), then the caller's
// read failure if there was one (Close returns nil for it), then Truncated (a
// step started but no finish part, the body ended before any text or finish
// part, or the body ended inside a part) or Malformed (a body that cannot be
// parsed, or one with no parts at all).
package stream
