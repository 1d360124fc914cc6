package runner

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/loadgen/loadgen/helperapi"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/scenarios"
)

// user is one virtual user. It holds only what it needs across sessions: its
// identity, its random source and its last session (for currentToken).
type user struct {
	id    uint64
	email string // "" for an anonymous user
	rng   *rand.Rand
	prev  *helperapi.Session
	// notBefore is when a 429's Retry-After lets this user send again.
	notBefore time.Time
}

func (r *Runner) newUser(id uint64) *user {
	u := &user{id: id, rng: rand.New(rand.NewPCG(r.opts.Seed, id))}
	if u.rng.Float64() >= r.sc.Users.AnonymousShare && r.sc.Users.Email != nil {
		email, err := r.sc.Users.Email.Execute(&scenarios.TemplateData{Seq: id, Meta: r.sc.Users.Metadata})
		if err != nil {
			r.log.Warn("email template failed; user runs anonymous", "user", id, "err", err)
		} else {
			u.email = email
		}
	}
	return u
}

// sessionRun is the state of one session while it runs.
type sessionRun struct {
	r        *Runner
	ctx      runContexts
	u        *user
	conv     *scenarios.Conversation
	seq      uint64
	data     scenarios.TemplateData
	sess     *helperapi.Session
	slug     string
	failed   bool // a step failed an expectation; the session goes on but ends failed
	canceled bool
	// pending holds an async message step until its reply arrives, so that
	// its Good flag can say whether the whole exchange met the SLO.
	pending *results.Result
}

// runSession runs one whole session for u: session, conversation, turns.
func (r *Runner) runSession(c runContexts, u *user, intended time.Time) {
	conv := r.sc.Pick(u.rng)
	s := &sessionRun{r: r, ctx: c, u: u, conv: conv, seq: r.sessions.Add(1)}
	if r.sc.Users.ReuseSession && u.prev != nil {
		s.sess = u.prev // users.reuse_session: no session step
	}
	s.data = scenarios.TemplateData{Seq: u.id, Session: s.seq, Conversation: conv.Name, Email: u.email, Meta: r.sc.Users.Metadata}
	r.active.Add(1)
	r.sink.SessionStarted(conv.Name)
	end := s.run(intended)
	s.flush()
	r.active.Add(-1)
	r.sink.SessionEnded(conv.Name, end)
	if s.sess != nil {
		u.prev = s.sess
	}
}

func (s *sessionRun) run(intended time.Time) results.End {
	if s.sess == nil {
		if !s.step(results.StepSession, 0, intended, s.createSession) {
			return s.end()
		}
		intended = time.Now()
	}
	if !s.step(results.StepConversation, 0, intended, s.createConversation) {
		return s.end()
	}
	for i := range s.conv.Turns {
		turn := &s.conv.Turns[i]
		intended := time.Now().Add(turn.Think.Sample(s.u.rng))
		if !sleepUntil(s.ctx.turns, intended) {
			s.canceled = true
			return s.end()
		}
		s.data.Turn = i + 1
		if !s.turn(i+1, turn, intended) {
			return s.end()
		}
	}
	return s.end()
}

func (s *sessionRun) end() results.End {
	switch {
	case s.canceled:
		return results.EndCanceled
	case s.failed:
		return results.EndFailed
	}
	return results.EndCompleted
}

// call makes one request and fills res from what it measured.
type call func(ctx context.Context, res *results.Result) error

// step runs one step: waits for the rate limiter, calls, records the result,
// and retries after a 429 as its Retry-After says. It returns whether the
// session may go on.
func (s *sessionRun) step(step results.Step, turn int, intended time.Time, c call) bool {
	return s.stepHold(step, turn, intended, c, false)
}

// stepHold is step; with hold, a successful result is kept in s.pending
// instead of being recorded (see asyncTurn).
func (s *sessionRun) stepHold(step results.Step, turn int, intended time.Time, c call, hold bool) bool {
	for attempt := 1; ; attempt++ {
		res := &results.Result{
			Shard: s.r.opts.Shard, User: s.u.id, Session: s.seq, Conversation: s.conv.Name,
			Turn: turn, Step: step, Intended: intended,
		}
		if !sleepUntil(s.ctx.turns, s.u.notBefore) || !s.waitLimiter(res) {
			s.canceled = true
			return false
		}
		res.Start = time.Now()
		err := c(s.ctx.work, res)
		if hold && err == nil && res.Error == "" {
			s.pending = res
			return true
		}
		s.record(res)
		if err == nil && res.Error == "" {
			return true
		}
		if res.Error == results.ErrExpectation {
			s.failed = true
			return true
		}
		kind := helperapi.KindOf(err)
		if kind == helperapi.KindAuth && s.r.sc.Users.ReuseSession {
			s.sess, s.u.prev = nil, nil // the token was refused: the next session signs in again
		}
		if kind == helperapi.KindCanceled {
			s.canceled = true
			return false
		}
		if kind == helperapi.KindRateLimited {
			wait := DefaultRetryAfter
			var he *helperapi.Error
			if errors.As(err, &he) && he.RetryAfter > 0 {
				wait = min(he.RetryAfter, MaxRetryAfter)
			}
			s.u.notBefore = time.Now().Add(wait)
			if attempt < s.r.opts.MaxRetries {
				intended = s.u.notBefore
				continue
			}
		}
		s.failed = true
		return false
	}
}

// record hands res to the sink, after the async message step it completes.
func (s *sessionRun) record(res *results.Result) {
	if s.pending != nil && res.Step == results.StepPoll {
		s.pending.Good = res.Good
		s.flush()
	}
	s.r.sink.Record(res)
}

// flush records a held async message step whose poll never ran.
func (s *sessionRun) flush() {
	if s.pending != nil {
		s.r.sink.Record(s.pending)
		s.pending = nil
	}
}

// waitLimiter waits for the global request cap; false when the run stopped.
func (s *sessionRun) waitLimiter(res *results.Result) bool {
	if s.ctx.turns.Err() != nil {
		return false
	}
	if s.r.limiter == nil {
		return true
	}
	t := time.Now()
	if err := s.r.limiter.Wait(s.ctx.turns); err != nil {
		return false
	}
	res.Wait = time.Since(t)
	return true
}

func (s *sessionRun) createSession(ctx context.Context, res *results.Result) error {
	sess, t, err := s.r.client.CreateSession(ctx, helperapi.SessionRequest{Email: s.u.email, Previous: s.u.prev})
	fill(res, t, err)
	s.sess = sess
	return err
}

func (s *sessionRun) createConversation(ctx context.Context, res *results.Result) error {
	subject, err := execute(s.conv.Subject, &s.data)
	if err != nil {
		return s.templateError(res, err)
	}
	slug, t, err := s.sess.CreateConversation(ctx, subject, s.conv.IsPrompt)
	fill(res, t, err)
	s.slug = slug
	return err
}

// turn sends one user message and checks the reply.
func (s *sessionRun) turn(n int, turn *scenarios.Turn, intended time.Time) bool {
	content, err := execute(turn.Message, &s.data)
	if err != nil {
		return s.step(results.StepMessage, n, intended, func(_ context.Context, res *results.Result) error {
			return s.templateError(res, err)
		})
	}
	if s.conv.Mode == scenarios.Async {
		return s.asyncTurn(n, turn, content, intended)
	}
	return s.step(results.StepMessage, n, intended, func(ctx context.Context, res *results.Result) error {
		reply, err := s.sess.SendMessage(ctx, s.slug, content, helperapi.MessageOptions{KeepText: len(turn.Expect.Contains) > 0})
		fillReply(res, reply, err)
		if err == nil {
			s.check(res, turn.Expect, reply.Text)
			res.Good = s.good(res)
		}
		return err
	})
}

// asyncTurn posts a message on the non-streaming path, then waits for the
// background reply: a message step and a poll step. The message step is
// recorded when the poll ends, with Good set when the reply arrived within
// the SLO's latency counted from the post.
func (s *sessionRun) asyncTurn(n int, turn *scenarios.Turn, content string, intended time.Time) bool {
	var id int64
	var posted time.Time
	ok := s.stepHold(results.StepMessage, n, intended, func(ctx context.Context, res *results.Result) error {
		var t helperapi.Timing
		var err error
		id, t, err = s.sess.PostMessage(ctx, s.slug, content)
		fill(res, t, err)
		posted = res.Start
		return err
	}, true)
	if !ok {
		return false
	}
	return s.step(results.StepPoll, n, time.Now(), func(ctx context.Context, res *results.Result) error {
		reply, err := s.sess.WaitForReply(ctx, s.slug, id, helperapi.PollOptions{Interval: s.conv.PollInterval, Timeout: s.conv.PollTimeout})
		if reply != nil {
			fill(res, reply.Timing, err)
			res.Polls = reply.Polls
		} else {
			fill(res, helperapi.Timing{}, err)
		}
		if err == nil && reply.Message != nil {
			s.check(res, turn.Expect, reply.Message.Content)
			res.Chars = len([]rune(reply.Message.Content))
			// The user waited from the post to the reply: that is what the SLO bounds.
			res.Good = res.OK() && s.withinLatency(time.Since(posted))
		}
		return err
	})
}

// check applies a turn's expectations to a successful reply.
func (s *sessionRun) check(res *results.Result, e scenarios.Expect, text string) {
	switch {
	case e.Status != 0 && res.Code != e.Status:
		res.Error, res.Detail = results.ErrExpectation, "status "+strconv.Itoa(res.Code)+", want "+strconv.Itoa(e.Status)
	case e.MaxTTFT > 0 && res.Step == results.StepMessage && (res.TTFT == 0 || res.TTFT > e.MaxTTFT):
		res.Error, res.Detail = results.ErrExpectation, "ttft "+res.TTFT.String()+" over max_ttft "+e.MaxTTFT.String()
	default:
		for _, want := range e.Contains {
			if !strings.Contains(text, want) {
				res.Error, res.Detail = results.ErrExpectation, "reply does not contain "+strconv.Quote(want)
				return
			}
		}
	}
}

// good reports whether a streamed message met the scenario's SLO.
func (s *sessionRun) good(res *results.Result) bool {
	slo := s.r.sc.SLO
	if !res.OK() || !s.withinLatency(res.Latency) {
		return false
	}
	if slo.MaxTTFT > 0 && (res.TTFT == 0 || res.TTFT > slo.MaxTTFT) {
		return false
	}
	if slo.MaxGap > 0 {
		for _, g := range res.Gaps {
			if g > slo.MaxGap {
				return false
			}
		}
	}
	return true
}

func (s *sessionRun) withinLatency(d time.Duration) bool {
	return s.r.sc.SLO.MaxLatency == 0 || d <= s.r.sc.SLO.MaxLatency
}

func (s *sessionRun) templateError(res *results.Result, err error) error {
	s.r.log.Warn("template failed", "conversation", s.conv.Name, "err", err)
	res.Error, res.Detail = results.ErrTemplate, err.Error()
	return err
}
