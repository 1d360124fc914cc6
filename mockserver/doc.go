// Package mockserver is a faithful fake Helper server for loadgen's demos,
// tests and benchmarks.
//
// It speaks the Helper conversation API as the project's wire contract
// (helper-api.md) describes it and as Helper's route handlers
// (antiwork/helper: app/api/**, app/widget/[name]/route.tsx) behave, quirks
// included: HMAC sessions (constant-time check, one hour of clock skew
// either way, timestamp 0 counted as missing), anonymous sessions and their
// currentToken carry-over, HS256 session tokens with Helper's claims and
// lifetimes (12 h for email sessions, 7 days for anonymous ones), the exact
// status codes and JSON error bodies (a bare 500 where Helper's code throws:
// a body that is not JSON, an unknown or foreign conversation on
// POST /api/chat and on reactions), which responses carry CORS headers, and
// numeric messageId values.
//
// # What a widget sends
//
// Every route a real widget or SDK calls is served: GET /widget/sdk.js with
// Helper's Cache-Control, each route's OPTIONS preflight with its own
// Allow-Methods, the session, conversations created with or without a
// subject, POST /api/chat with the widget's body (attachments as base64
// data URLs, validated with Helper's messages and limits; guideEnabled,
// readPageTool and tools counted), GET conversation (marking it read unless
// markRead=false), PATCH markRead (unknown keys stripped), reactions
// (set, cleared by the same type again, feedback added), the conversation
// list and the unread count. List semantics follow Helper's query: newest
// activity first, an offset cursor that is not validated, conversations
// without messages dropped after paging (so a short or empty page can carry
// nextCursor), latestMessage and isUnread from user and staff messages only
// (an AI reply never makes a row unread, though it counts in the unread
// count), and each user message marking its conversation read.
//
// # Replies
//
// POST /api/chat streams in the Vercel AI SDK v4 data stream format, in the
// order Helper's writer uses: f:, the 0: text parts (after an optional tool
// step: 9: calling knowledge_base, or request_human_support for
// Config.HumanShare of replies; e: with finishReason "tool-calls"; a new
// f:), e:, d: with usage, then h: sources and the 8: annotation with the
// stored message id. Helper writes no 2: data part; Config.DataPart adds one
// for robustness tests. Parts are flushed before every pause and at the
// end, so no part waits in a buffer while the server sleeps.
//
// Single-shot replies (8: then one 0:, no f:/e:/d:) answer the first
// message of an isPrompt conversation whose text was answered in the last
// 24 hours (the reply cache, written after every first message whose reply
// finished with "stop" and did not escalate, read only for isPrompt ones),
// and every message of a conversation handed to a human: an empty 0:"" (the
// second user message of an isPrompt conversation gets CannedText). The
// non-streaming path stores the message, answers with its id and runs the
// background job of Helper's handleAutoResponse: after a pickup delay
// (Config.AsyncDelay) it skips escalated conversations, messages that a
// newer one followed, and Config.AsyncNoReply of messages; otherwise it
// generates a reply, holding a capacity slot as a streamed reply does.
//
// # Load model
//
// A model reply waits for one of Config.Capacity generation slots (FIFO; the
// wait counts in its TTFT), then Config.TTFT (twice with a tool step), then
// streams Config.Tokens text parts Config.TokenInterval apart. Delays are
// fixed values or distributions (Dist). With zero delays nothing sleeps and
// a reply costs a few dozen allocations whatever its length.
//
// # Faults
//
// Config.Faults injects failures by rate: 503s, 429s with Retry-After and
// slow headers before any check on /api routes other than preflights (as a
// proxy in front of Helper would), and, on streamed model replies only, a
// TCP reset, a truncated stream, a 3: error part or a stall mid-stream.
//
// # Counts and memory
//
// GET /stats serves Stats as JSON and GET /metrics the same counts as
// helpermock_* metrics from the server's own registry, so a test can hold
// its client's counts against the server's: requests per Route and status
// code, and what they did (sessions, messages, replies by shape, reads,
// reactions, attachments, escalations, rejections by reason, faults). Memory stays bounded for soak
// tests: at most Config.MaxConversations conversations (the oldest created
// is evicted first and then acts as unknown), Config.MaxMessages messages
// per conversation (the oldest are dropped; counts stay exact),
// Config.ReplyCacheSize cached prompts, 65,536 cached verified tokens and
// request bodies of 1 MiB (72 MiB on the two routes that take attachments,
// so Helper's own 25 MB and 50 MB limits can be reached). Sessions are stateless tokens.
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
