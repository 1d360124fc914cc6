// Package mockserver is a faithful fake Helper server for loadgen's demos,
// tests and benchmarks.
//
// It speaks the Helper conversation API as /work/shared/helper-api.md
// describes it (the contract), quirks included: HMAC sessions with a
// one-hour clock skew, anonymous sessions, HS256 session tokens with
// Helper's claims and lifetimes, the exact status codes and JSON error
// bodies (a 500 for an unknown or foreign conversation on POST /api/chat
// but 404 elsewhere, a bare 500 for bodies that are not JSON), streamed
// replies in the Vercel AI SDK v4 data stream format, single-shot replies
// (the reply cache of isPrompt conversations and conversations handed to a
// human), the non-streaming message path with background replies, and the
// paginated conversation list.
//
// Around that it adds what a load test needs: a latency model (time to
// first token, tokens per reply and the interval between them, as fixed
// values or distributions), a capacity limit with a FIFO queue so a load
// test meets a known knee, fault injection by rate (5xx, 429 with
// Retry-After, slow headers, connection resets, truncated streams, error
// parts, stalls), and its own counts at GET /stats and GET /metrics.
//
// Memory stays bounded for soak tests: at most Config.MaxConversations
// conversations (the oldest created is evicted first and then behaves as
// unknown), Config.MaxMessages messages per conversation (the oldest are
// dropped; counts stay exact), Config.ReplyCacheSize cached prompts, and
// request bodies of at most 1 MiB. Sessions are stateless tokens.
//
// The package never imports the client (helperapi): client and server meet
// only on the wire, so a bug they share cannot hide. Neither the secret nor
// any token is ever logged or served.
//
// Minimal use:
//
//	srv, err := mockserver.New(mockserver.Config{Secret: secret})
//	if err != nil { ... }
//	defer srv.Close()
//	ts := httptest.NewServer(srv) // or srv.Serve(ctx, listener)
package mockserver
