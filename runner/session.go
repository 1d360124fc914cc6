package runner

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/loadgen/loadgen/helperapi"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/scenarios"
	"github.com/loadgen/loadgen/transcripts"
)

// sessionRun is the state of one session while it runs.
type sessionRun struct {
	r          *Runner
	st         *stops // the run's phases: turns bounds its steps, work its requests
	u          *user
	conv       *scenarios.ConversationSpec
	rec        *transcripts.Conversation // the recorded conversation a transcript replay sends
	seq        uint64
	email      string // the session's email: the user's, or the transcript's (use_email)
	data       scenarios.TemplateData
	sess       *helperapi.Session
	slug       string    // set before run when a returning session resumes a conversation
	lastEnd    time.Time // when the last recorded step ended: the next turn's think time counts from it
	replyID    string    // the stored id of the last streamed reply (its 8: annotation), for react; "" after an empty reply
	handedOver bool      // a reply called request_human_support: the widget hides its reaction buttons
	failed     bool      // a step failed an expectation; the session goes on but ends failed
	canceled   bool
	worked     bool // a request of the session succeeded
	unsent     bool // a step's template failed to render: the scenario's failure, which its next session repeats
	// pending holds an async message step until its reply arrives
	// (holdForPoll), so that its Good flag can say whether the whole
	// exchange met the SLO.
	pending *results.Result
}

// runSession runs one whole session for u: session, conversation, turns.
// A conversation replayed from a transcript takes the transcript's next
// recorded conversation; a returning user (users.returning) may resume its
// previous conversation instead. It reports false, starting nothing, when
// no more sessions can start (a transcript ran out or failed).
func (r *Runner) runSession(st *stops, u *user, intended time.Time) bool {
	conv := r.sc.Pick(u.rng)
	var rec *transcripts.Conversation
	slug := ""
	if share := r.sc.Users.Returning; share > 0 && u.prevSlug != "" && u.rng.Float64() < share {
		conv, slug = u.prevConv, u.prevSlug
	} else if src := r.replays[conv]; src != nil {
		var err error
		if rec, err = src.next(); rec == nil {
			st.halt(err)
			return false
		}
	}
	r.session(st, u, conv, rec, intended, slug)
	return true
}

// session runs one session of conv for u; rec is the recorded conversation
// to replay (nil for written turns), slug the conversation to resume ("" to
// create one).
func (r *Runner) session(st *stops, u *user, conv *scenarios.ConversationSpec, rec *transcripts.Conversation, intended time.Time, slug string) {
	s := &sessionRun{r: r, st: st, u: u, conv: conv, rec: rec, seq: r.sessions.Add(1), email: u.email, slug: slug}
	ownEmail := rec != nil && conv.Transcript.UseEmail
	if ownEmail {
		s.email = rec.Email
	}
	if r.sc.Users.ReuseSession && u.prev != nil && !ownEmail {
		s.sess = u.prev // users.reuse_session: no session step
	}
	s.data = scenarios.TemplateData{Seq: u.id, Session: s.seq, Conversation: conv.Name, Email: s.email, Meta: r.sc.Users.Metadata, Vars: u.vars}
	r.active.Add(1)
	r.sink.SessionStarted(conv.Name)
	end := s.run(intended)
	if s.pending != nil {
		s.r.workers.run(func() error { s.flush(); return nil }) // on a worker, as stepThen records
	}
	r.active.Add(-1)
	r.sink.SessionEnded(conv.Name, end)
	// A session that failed before anything of it worked, or on a
	// template (the user's row fails the same way every time), backs the
	// user off: looping at once would only hammer the target's sign-in.
	u.failedAtOnce = end == results.EndFailed && (!s.worked || s.unsent)
	if s.sess != nil && !ownEmail {
		u.prev = s.sess
	}
	if s.slug != "" && rec == nil {
		u.prevConv, u.prevSlug = conv, s.slug
	}
}

// run runs the session's steps: its first page view (unless the user
// reuses its session), then its turns, the first message creating the
// conversation. Each turn is due
// its think time after the previous step ended (user-centric pacing: a user
// answers a reply, not a clock), and is sent at that time or, when the user
// is held up, at once. A turn with a share runs that often; a chat that
// spans more page views has the later ones after its messages
// (extraPageViews). A visit (visit:) has page views only.
func (s *sessionRun) run(intended time.Time) results.End {
	s.lastEnd = intended
	if s.conv.Visit != nil {
		return s.visit(intended)
	}
	// A conversation resumed (users.returning) is shown again, as the widget
	// shows one it comes back to: its page view reopens it.
	if s.sess == nil && !s.pageView(0, intended, s.slug != "") {
		return s.end()
	}
	// A replay, or a session without turns, creates its conversation at
	// once; otherwise its first message creates it, as the widget does (a
	// History click may have picked one before).
	if s.slug == "" && (s.rec != nil || len(s.conv.Turns) == 0) &&
		!s.step(results.StepConversation, 0, s.lastEnd, s.createConversation) {
		return s.end()
	}
	if s.rec != nil {
		return s.replay()
	}
	messages := 0
	for _, t := range s.conv.Turns {
		if t.Kind == scenarios.StepMessage {
			messages++
		}
	}
	after, sent := extraPageViews(messages, s.conv.PageViews), 0
	for i := range s.conv.Turns {
		turn := &s.conv.Turns[i]
		if !s.chance(turn.Share) {
			continue
		}
		intended := s.lastEnd.Add(turn.Think.Sample(s.u.rng))
		if !sleepUntil(s.st.turns, s.r.clock, intended) {
			s.canceled = true
			return s.end()
		}
		s.data.Turn = i + 1
		if turn.Kind != scenarios.StepMessage {
			if !s.widgetStep(i+1, turn, intended) {
				return s.end()
			}
			continue
		}
		if s.slug == "" {
			if !s.startConversation(i+1, intended) {
				return s.end()
			}
			intended = s.lastEnd // the message follows the conversation it goes to
		}
		if !s.turn(i+1, turn, intended) {
			return s.end()
		}
		for range after[sent] {
			if !s.pageView(i+1, s.lastEnd, true) {
				return s.end()
			}
		}
		sent++
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

// createSession signs the visitor in from pageURL: an anonymous visitor
// carries its last token (this session's, or its last session's) as
// currentToken, keeping its identity.
func (s *sessionRun) createSession(ctx context.Context, res *results.Result, pageURL string) error {
	prev := s.sess
	if prev == nil {
		prev = s.u.prev
	}
	req := helperapi.SessionRequest{Email: s.email, Previous: prev, PageURL: pageURL}
	if s.email == "" || s.email == s.u.email {
		req.Metadata = s.r.sc.Users.Metadata
	}
	if s.email != s.u.email {
		req.Previous = nil // a recorded customer (use_email) is not this user
	}
	sess, t, err := s.r.client.CreateSession(ctx, req)
	s.fill(res, t, err)
	s.sess = sess
	return err
}

// startConversation creates the conversation a chat's first message goes
// to and, in a streamed widget chat (widget.open_created), GETs it as the
// widget's conversation view does once it has the slug: a read that marks
// it read, sent in the widget alongside the first message (here just
// before it).
func (s *sessionRun) startConversation(turn int, intended time.Time) bool {
	if !s.step(results.StepConversation, turn, intended, s.createConversation) {
		return false
	}
	if !s.r.sc.Widget.OpenCreated || s.conv.Mode == scenarios.Async || len(s.conv.Tools) > 0 {
		return true
	}
	return s.step(results.StepOpen, turn, s.lastEnd, func(ctx context.Context, res *results.Result) error {
		return s.open(ctx, res, true)
	})
}

func (s *sessionRun) createConversation(ctx context.Context, res *results.Result) error {
	subject, err := execute(s.conv.Subject, &s.data)
	if err != nil {
		return s.templateError(res, err)
	}
	if s.rec != nil && s.rec.Subject != "" {
		subject = s.rec.Subject
	}
	slug, t, err := s.sess.CreateConversation(ctx, subject, s.conv.IsPrompt)
	s.fill(res, t, err)
	s.slug = slug
	return err
}

// turn sends one written user message and checks the reply.
func (s *sessionRun) turn(n int, turn *scenarios.TurnSpec, intended time.Time) bool {
	content, err := s.render(turn.Message)
	var files []helperapi.Attachment
	if err == nil {
		files, err = s.files(turn)
	}
	if err != nil {
		return s.step(results.StepMessage, n, intended, func(_ context.Context, res *results.Result) error {
			return s.templateError(res, err)
		})
	}
	return s.sendWith(n, content, turn.Expect, nil, intended, files)
}

// send sends user message n and checks the reply against e and, for a
// replayed turn, against its recorded reply ref (nil: none).
func (s *sessionRun) send(n int, content string, e scenarios.Expect, ref *reference, intended time.Time) bool {
	return s.sendWith(n, content, e, ref, intended, nil)
}

// sendWith is send with files attached.
func (s *sessionRun) sendWith(n int, content string, e scenarios.Expect, ref *reference, intended time.Time, files []helperapi.Attachment) bool {
	if s.conv.Mode == scenarios.Async {
		return s.asyncTurn(n, content, e, ref, intended)
	}
	opts := helperapi.MessageOptions{
		KeepText:     len(e.Contains) > 0 || ref != nil && ref.minSimilarity > 0,
		GuideEnabled: s.conv.GuideEnabled, Attachments: files,
		Tools: s.r.tools[s.conv], CustomerSpecificTools: s.conv.CustomerSpecificTools,
	}
	return s.step(results.StepMessage, n, intended, func(ctx context.Context, res *results.Result) error {
		reply, err := s.sess.SendMessage(ctx, s.slug, content, opts)
		s.fillReply(res, reply, err)
		text := ""
		if err == nil {
			s.replyID = reply.MessageID
			if reply.Shape == helperapi.ShapeEmpty {
				s.replyID = "" // nothing to thumbs-up: the id is Helper's Date.now(), not a message (a reaction to it is a 500)
			}
			s.handedOver = s.handedOver || reply.Escalated
			text = reply.Text
			s.check(res, e, text)
		}
		checkReference(res, ref, text)
		if err == nil {
			res.Good = s.good(res)
		}
		return err
	})
}

// asyncTurn posts a message on the non-streaming path, then waits for the
// background reply: an ack step (the post, acknowledged at once) and a poll
// step. The ack step is recorded when the poll ends, with Good set when the
// reply arrived within the SLO's latency counted from the post. (An ack is
// a message sent but not a reply: it is its own step, so that its
// sub-millisecond latency never pools with streamed replies'.)
func (s *sessionRun) asyncTurn(n int, content string, e scenarios.Expect, ref *reference, intended time.Time) bool {
	var id int64
	var posted time.Time
	ok := s.stepThen(results.StepAck, n, intended, func(ctx context.Context, res *results.Result) error {
		var t helperapi.Timing
		var err error
		id, t, err = s.sess.PostMessage(ctx, s.slug, content)
		s.fill(res, t, err)
		posted = res.Start
		return err
	}, holdForPoll)
	if !ok {
		return false
	}
	return s.step(results.StepPoll, n, s.r.clock.Now(), func(ctx context.Context, res *results.Result) error {
		reply, err := s.sess.WaitForReply(ctx, s.slug, id, helperapi.PollOptions{
			Interval: s.conv.Poll.Interval, Timeout: s.conv.Poll.Timeout, Backoff: s.conv.Poll.Backoff, MaxInterval: s.conv.Poll.MaxInterval})
		if reply != nil {
			s.fill(res, reply.Timing, err)
			res.Polls = reply.Polls
		} else {
			s.fill(res, helperapi.Timing{}, err)
		}
		text := ""
		if err == nil && reply.Message != nil {
			text = reply.Message.Content
			s.check(res, e, text)
		}
		checkReference(res, ref, text)
		if err == nil && reply.Message != nil {
			res.Chars = len([]rune(text))
			// The user waited from the post to the reply: that is what the
			// SLO bounds, less the poll's wait for a connection the file
			// limit allows (its lag, but for the rate limiter's share,
			// res.Wait), which is loadgen's. Goodput counts messages, so the
			// held message step carries the verdict; the poll step is only
			// the wait.
			if s.pending != nil {
				connWait := res.Start.Sub(res.Intended) - res.Wait
				s.pending.Good = res.OK() && s.withinLatency(s.r.clock.Now().Sub(posted)-max(connWait, 0))
			}
		}
		return err
	})
}

// check applies a turn's expectations to a successful reply.
func (s *sessionRun) check(res *results.Result, e scenarios.Expect, text string) {
	switch {
	case e.Status != 0 && res.Code != e.Status:
		res.Error, res.Detail = results.KindExpectation, "status "+strconv.Itoa(res.Code)+", want "+strconv.Itoa(e.Status)
	case e.MaxTTFT > 0 && res.Step == results.StepMessage && (res.TTFT == 0 || res.TTFT > e.MaxTTFT):
		res.Error, res.Detail = results.KindExpectation, "ttft "+res.TTFT.String()+" over max_ttft "+e.MaxTTFT.String()
	default:
		for _, want := range e.Contains {
			if !strings.Contains(text, want) {
				res.Error, res.Detail = results.KindExpectation, "reply does not contain "+strconv.Quote(want)
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
	if s.r.templateWarned.Add(1) <= maxTemplateWarnings {
		s.r.log.Warn("template failed; the step is not sent", "conversation", s.conv.Name, "err", err)
	}
	s.unsent = true
	res.Error, res.Detail = results.KindTemplate, err.Error()
	return err
}

// maxTemplateWarnings bounds the log lines of failed templates (a feeder
// row that fails fails every session of its user); the summary counts them
// all and quotes the first.
const maxTemplateWarnings = 5

// render renders t for the session on its user's goroutine, or on a worker
// when t has actions: text/template's evaluation needs more stack than a
// user's goroutine may grow to (see workers). A call made on a worker (a
// step's call) uses execute.
func (s *sessionRun) render(t *scenarios.Template) (out string, err error) {
	if t.IsConstant() {
		return execute(t, &s.data)
	}
	s.r.workers.run(func() error {
		out, err = t.Execute(&s.data)
		return nil
	})
	return out, err
}

// execute renders t, or returns "" for a nil template.
func execute(t *scenarios.Template, d *scenarios.TemplateData) (string, error) {
	if t == nil {
		return "", nil
	}
	return t.Execute(d)
}
