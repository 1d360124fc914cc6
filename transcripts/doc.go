// Package transcripts reads recorded conversations for replay, one at a
// time, without loading a whole file into memory.
//
// Three formats are read:
//
//   - FormatJSONL, loadgen's own transcript format: one message per line,
//     {"conversation": "c1", "role": "user", "content": "Hi", "at":
//     "2026-03-01T12:00:00Z"} with optional "subject" and "email". The lines
//     of a conversation are consecutive; role is user, assistant or staff;
//     at is an RFC 3339 time. Writer writes it.
//   - FormatHelper, the JSON that Helper's GET /api/chat/conversation/{slug}
//     returns ({"slug", "subject", "messages": [{"role", "content",
//     "createdAt"}, …]}): one object, a JSON array of them, or one per line.
//   - FormatShareGPT, ShareGPT-style JSON ({"id", "conversations": [{"from":
//     "human", "value": "…"}, {"from": "gpt", …}]}): a JSON array of them or
//     one per line. It has no times.
//
// A bad record (a JSONL line, or a message or conversation of the JSON
// formats) is skipped and counted; Reader.Problems keeps the first few as
// *RecordError values naming the file, line and field, and Reader.Summary
// says what was skipped. With WithStrict the first bad record ends the read
// instead. A JSON syntax error in the helper and sharegpt formats always ends
// the read, since the rest of the file cannot be found reliably after it.
//
// Conversation.Turns turns a conversation into what a replay sends: the user
// messages, each with its original gaps (from the previous user message and
// from the end of the previous reply) and the recorded assistant reply as a
// reference; Similarity compares a reply with its reference.
package transcripts
