package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"

	"github.com/loadgen/loadgen/mockserver"
	"github.com/loadgen/loadgen/scenarios"
)

// mockOptions are the flags of `loadgen mock` besides the server's Config.
type mockOptions struct {
	addr     string
	logLevel string
}

// mockFlags registers the flags of `loadgen mock` on fs, writing into cfg
// (which holds the defaults) and o.
func mockFlags(fs *flag.FlagSet, cfg *mockserver.Config, o *mockOptions) {
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT` (port 0 picks a free one)")
	fs.StringVar(&o.logLevel, "log-level", "info", "log `LEVEL`: debug, info, warn or error")

	const dist = "a duration (800ms), KIND:MEAN[,JITTER] with KIND fixed, uniform, normal or lognormal, or exp:MEAN (exponential)"
	fs.Var(&cfg.TTFT, "ttft", "time to first token after any wait for capacity: `DIST`, "+dist)
	fs.Var(&cfg.TokenInterval, "token-interval", "time between text parts: `DIST`, "+dist)
	fs.BoolVar(&cfg.PreciseDelays, "precise-delays", cfg.PreciseDelays, "end each delay on a precise timer (Go timers fire up to ~1 ms late; costs ~25 µs CPU per delay)")
	fs.Var(&cfg.Tokens, "tokens", "text parts per model reply: `N` or MIN-MAX")
	fs.IntVar(&cfg.Capacity, "capacity", cfg.Capacity, "max concurrent model replies, `N` (0: unlimited); excess requests wait in a FIFO queue")
	fs.IntVar(&cfg.QueueLimit, "queue", cfg.QueueLimit, "max requests waiting for capacity, `N` (0: unlimited); beyond it they get 503")
	fs.Var(&cfg.AsyncDelay, "async-delay", "job-queue pickup delay of a non-streaming message's background reply (which then takes capacity and generation time): `DIST`, "+dist)

	share := func(p *float64, name, what string) {
		fs.Float64Var(p, name, *p, "share of "+what+", a probability `P` in [0, 1]")
	}
	share(&cfg.AsyncNoReply, "async-no-reply", "non-streaming messages that never get a reply")
	share(&cfg.DataPart, "data-part", "model replies that begin with a 2: data part (Helper never sends one; for robustness tests)")
	share(&cfg.ToolStep, "tool-steps", "model replies with a knowledge_base tool step first (9:, e: tool-calls, a new f:)")
	share(&cfg.SplitParts, "split-parts", "streamed parts written in two flushed pieces (lines split across reads)")
	share(&cfg.HumanShare, "human", "model replies that call request_human_support (the conversation is then handed to a human: empty single-shot replies, no async replies)")
	fs.IntVar(&cfg.Sources, "sources", cfg.Sources, "h: source parts after d:, `N`")
	fs.IntVar(&cfg.SDKSize, "sdk-size", mockserver.DefaultSDKSize, "size of GET /widget/sdk.js, `BYTES`")

	f := &cfg.Faults
	share(&f.Error5xx, "fail-5xx", "requests answered 503, as a proxy would")
	share(&f.RateLimited, "fail-429", "requests answered 429 with Retry-After, as a proxy would")
	fs.DurationVar(&f.RetryAfter, "retry-after", mockserver.DefaultRetryAfter, "Retry-After of injected 429s, a `DURATION` rounded up to whole seconds")
	share(&f.SlowHeaders, "slow-headers", "requests whose response is held back by -slow-headers-delay")
	fs.DurationVar(&f.SlowHeadersDelay, "slow-headers-delay", mockserver.DefaultSlowHeadersDelay, "how long slow responses are held back, a `DURATION`")
	share(&f.Reset, "fail-reset", "model streams whose connection is reset mid-stream")
	share(&f.Truncate, "fail-truncate", "model streams that end after some text without d:")
	share(&f.ErrorPart, "fail-error-part", "model streams that send a 3: error part and end")
	share(&f.Stall, "stall", "model streams that stop sending for -stall-for, then finish")
	fs.DurationVar(&f.StallFor, "stall-for", mockserver.DefaultStallFor, "how long a stalled stream pauses, a `DURATION`")

	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed the latency model and the shares with `N` (0: random); with -capacity C -ttft 0 -tokens 2 -token-interval exp:MEAN -human 0 the mock is an M/M/c queue (TTFT = the wait for a slot)")

	fs.IntVar(&cfg.MaxConversations, "max-conversations", mockserver.DefaultMaxConversations, "conversations kept in memory, `N`; the oldest are evicted beyond it")
	fs.IntVar(&cfg.MaxMessages, "max-messages", mockserver.DefaultMaxMessages, "messages kept per conversation, `N`; the oldest are dropped beyond it")
}

// runMock runs `loadgen mock`: a fake Helper server until ctx is done.
func runMock(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := mockserver.DefaultConfig()
	var o mockOptions
	fs := newFlags("mock", "[flags]", stdout, stderr)
	mockFlags(fs.FlagSet, &cfg, &o)
	fs.about = "Runs a fake Helper server (the Helper conversation API with its quirks, the widget's routes " +
		"(sdk.js, preflights, reopen, history, reactions, unread), a latency model, a capacity queue and " +
		"fault injection) for tests and demos. Counts, per route and status code among them, are served at " +
		"GET /stats (JSON) and GET /metrics (Prometheus)."
	fs.examples = []string{
		"loadgen mock --addr 127.0.0.1:8080",
		"loadgen mock --ttft 2s --capacity 32 --fail-5xx 0.02   # a slow, saturating, flaky target",
	}
	fs.env = []string{scenarios.DefaultSecretEnv + "\tthe HMAC secret sessions are signed with; when unset, the PUBLIC development secret is used (and said)"}
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError(fmt.Errorf("unexpected arguments %q; see -h", fs.Args()))
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return usageError(fmt.Errorf("-log-level: %q: want debug, info, warn or error", o.logLevel))
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	cfg.Logger = logger

	cfg.Secret = os.Getenv(scenarios.DefaultSecretEnv)
	if cfg.Secret == "" {
		cfg.Secret = mockserver.DevSecret
		fmt.Fprintf(stderr, "loadgen mock: %s is unset: using the PUBLIC DEVELOPMENT SECRET %q.\n"+
			"loadgen mock: anyone can sign sessions with it; clients must use it too (export %s=%s).\n",
			scenarios.DefaultSecretEnv, mockserver.DevSecret, scenarios.DefaultSecretEnv, mockserver.DevSecret)
	}
	srv, err := mockserver.New(cfg)
	if err != nil {
		return usageError(err)
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		srv.Close()
		return fmt.Errorf("listen: %w", err)
	}
	fmt.Fprintf(stdout, "loadgen mock: listening on http://%s\n", ln.Addr())
	logger.Info("mock started", "addr", ln.Addr().String(), "ttft", cfg.TTFT.String(),
		"token_interval", cfg.TokenInterval.String(), "tokens", cfg.Tokens.String(),
		"capacity", cfg.Capacity, "queue", cfg.QueueLimit, "seed", cfg.Seed, "secret_from_env", cfg.Secret != mockserver.DevSecret,
		"faults", faultSummary(cfg.Faults))
	if err := srv.Serve(ctx, ln); err != nil {
		return err
	}
	st := srv.Stats()
	logger.Info("mock stopped", "sessions", st.Sessions.Email+st.Sessions.Anonymous,
		"conversations", st.Conversations, "messages", st.Messages.StreamStarted+st.Messages.AsyncStarted)
	return nil
}

// faultSummary lists the fault shares that are set, e.g. "reset=0.01 fail-429=0.05".
func faultSummary(f mockserver.Faults) string {
	var parts []string
	for _, x := range []struct {
		name string
		p    float64
	}{{"fail-5xx", f.Error5xx}, {"fail-429", f.RateLimited}, {"slow-headers", f.SlowHeaders},
		{"fail-reset", f.Reset}, {"fail-truncate", f.Truncate}, {"fail-error-part", f.ErrorPart}, {"stall", f.Stall}} {
		if x.p > 0 {
			parts = append(parts, fmt.Sprintf("%s=%g", x.name, x.p))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}
