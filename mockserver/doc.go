// Package mockserver is a faithful fake Helper server for loadgen's demos,
// tests and benchmarks.
//
// It speaks the Helper conversation API as the project's wire contract
// (helper-api.md) describes it, quirks included: HMAC sessions (constant-time
// check, one hour of clock skew either way, timestamp 0 counted as missing),
// anonymous sessions and their currentToken carry-over, HS256 session tokens
// with Helper's claims and lifetimes (12 h for email sessions, 7 days for
// anonymous ones), the exact status codes and JSON error bodies (a bare 500
// for a body that is not JSON or an unknown or foreign conversation on
// POST /api/chat, but 404 on the other conversation endpoints), numeric
// messageId values, and the paginated conversation list (an offset cursor,
// limit 1–100, newest activity first, conversations without messages
// hidden).
//
// # Replies
//
// POST /api/chat streams in the Vercel AI SDK v4 data stream format, in the
// order Helper's writer uses: an optional 2: data part first, f:, the 0:
// text parts (after an optional tool step: 9:, e: with finishReason
// "tool-calls", a new f:), e:, d: with usage, then h: sources and the 8:
// annotation with the stored message id. Parts are flushed before every
// pause and at the end, so no part waits in a buffer while the server
// sleeps. Single-shot replies (8: then one 0:, no f:/e:/d:) answer the
// first message of an isPrompt conversation whose text was answered in the
// last 24 hours (the reply cache) and conversations handed to a human
// (Config.HumanShare: a canned text, then empty 0:"" replies). The
// non-streaming path stores the message, answers with its id and adds a
// background reply after Config.AsyncDelay (or none, for
// Config.AsyncNoReply of messages and for conversations handed to a human).
//
// # Load model
//
// A model reply waits for one of Config.Capacity generation slots (FIFO; the
// wait counts in its TTFT), then Config.TTFT, then streams Config.Tokens
// text parts Config.TokenInterval apart. Delays are fixed values or
// distributions (Dist). With zero delays nothing sleeps and a reply costs a
// few dozen allocations whatever its length. Background replies do not take
// capacity.
//
// # Faults
//
// Config.Faults injects failures by rate: 503s, 429s with Retry-After and
// slow headers before any check (as a proxy in front of Helper would), and,
// on model replies only, a TCP reset, a truncated stream, a 3: error part or
// a stall mid-stream.
//
// # Counts and memory
//
// GET /stats serves Stats as JSON and GET /metrics the same counts as
// helpermock_* metrics from the server's own registry, so a test can hold
// its client's counts against the server's. Memory stays bounded for soak
// tests: at most Config.MaxConversations conversations (the oldest created
// is evicted first and then acts as unknown), Config.MaxMessages messages
// per conversation (the oldest are dropped; counts stay exact),
// Config.ReplyCacheSize cached prompts, 65,536 cached verified tokens and
// request bodies of 1 MiB. Sessions are stateless tokens.
//
// The package never imports the client (helperapi): client and server meet
// only on the wire, so a bug they share cannot hide. The secret and the
// tokens are never logged or served.
//
// Minimal use:
//
//	srv, err := mockserver.New(mockserver.Config{Secret: secret})
//	if err != nil { ... }
//	defer srv.Close()
//	ts := httptest.NewServer(srv) // or srv.Serve(ctx, listener)
package mockserver
