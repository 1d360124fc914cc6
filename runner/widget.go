package runner

import (
	"context"
	"fmt"
	"time"

	"github.com/loadgen/loadgen/helperapi"
	"github.com/loadgen/loadgen/internal/attachment"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/scenarios"
)

// A real widget's journey (helper-api.md §7): every page view of the host
// site loads the widget (sdk.js, the CORS preflight, a session carrying the
// visitor's token, an SDK badge's unread count); a visit ends there; a chat
// adds its conversation, messages and the steps around them.

// widgetFiles are a run's attachments, made once: the same spec always
// sends the same bytes.
type widgetFiles map[*scenarios.AttachmentSpec][]helperapi.Attachment

// newWidget prepares what the scenario's widget steps need: the
// attachments' data URLs and the conversations' tools.
func (r *Runner) newWidget() error {
	r.files = widgetFiles{}
	r.tools = map[*scenarios.ConversationSpec]map[string]helperapi.Tool{}
	for ci := range r.sc.Conversations {
		c := &r.sc.Conversations[ci]
		if len(c.Tools) > 0 {
			r.tools[c] = toolsOf(c.Tools)
		}
		for ti := range c.Turns {
			for ai := range c.Turns[ti].Attachments {
				spec := &c.Turns[ti].Attachments[ai]
				files, err := makeFiles(spec, ci*1000+ti*10+ai)
				if err != nil {
					return fmt.Errorf("runner: conversation %s: %w", c.Name, err)
				}
				r.files[spec] = files
			}
		}
	}
	return nil
}

// makeFiles makes spec's Count files, named as the widget names a
// screenshot ("screenshot.png", for a lone PNG) or file-N.EXT; a spec's
// name: replaces that per message (sessionRun.files).
func makeFiles(spec *scenarios.AttachmentSpec, seed int) ([]helperapi.Attachment, error) {
	typ := attachment.Type(spec.Type)
	out := make([]helperapi.Attachment, spec.Count)
	for i := range out {
		data, err := attachment.File(typ, spec.Size, uint64(seed*8+i))
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("file-%d.%s", i+1, typ.Ext())
		if typ == attachment.PNG && spec.Count == 1 {
			name = "screenshot.png"
		}
		out[i] = helperapi.Attachment{Name: name, ContentType: typ.ContentType(), URL: attachment.DataURL(typ, data)}
	}
	return out, nil
}

func toolsOf(specs map[string]scenarios.ToolSpec) map[string]helperapi.Tool {
	out := make(map[string]helperapi.Tool, len(specs))
	for name, t := range specs {
		params := make(map[string]helperapi.ToolParam, len(t.Parameters))
		for p, v := range t.Parameters {
			params[p] = helperapi.ToolParam{Type: v.Type, Description: v.Description, Optional: v.Optional}
		}
		out[name] = helperapi.Tool{Description: t.Description, Parameters: params, ServerRequestURL: t.ServerRequestURL}
	}
	return out
}

// chance draws whether a step with probability p runs.
func (s *sessionRun) chance(p float64) bool {
	return p >= 1 || p > 0 && s.u.rng.Float64() < p
}

// pageView runs one page view: the loader script (widget.sdk of them), the
// preflight (widget.preflight), the session, the unread count
// (widget.unread) and, when reopen is set and the session has a
// conversation, its reopen. turn is the steps' turn number (0 for the page
// view that starts the session). It reports whether the session may go on.
func (s *sessionRun) pageView(turn int, intended time.Time, reopen bool) bool {
	w := &s.r.sc.Widget
	pageURL, err := s.render(w.PageURL)
	if err != nil {
		return s.step(results.StepSession, turn, intended, func(_ context.Context, res *results.Result) error {
			return s.templateError(res, err)
		})
	}
	next := func() time.Time { // the steps of a page view follow one another
		if intended.After(s.lastEnd) {
			return intended
		}
		return s.lastEnd
	}
	if s.chance(w.SDK) && !s.step(results.StepSDK, turn, next(), func(ctx context.Context, res *results.Result) error {
		t, err := s.r.client.FetchSDK(ctx)
		s.fill(res, t, err)
		return err
	}) {
		return false
	}
	if w.Preflight && !s.step(results.StepPreflight, turn, next(), func(ctx context.Context, res *results.Result) error {
		t, err := s.r.client.Preflight(ctx, "/api/widget/session", "POST", pageURL)
		s.fill(res, t, err)
		return err
	}) {
		return false
	}
	if !s.step(results.StepSession, turn, next(), func(ctx context.Context, res *results.Result) error {
		return s.createSession(ctx, res, pageURL)
	}) {
		return false
	}
	if s.chance(w.Unread) && !s.step(results.StepUnread, turn, next(), s.unread) {
		return false
	}
	if reopen && s.slug != "" {
		return s.step(results.StepOpen, turn, next(), func(ctx context.Context, res *results.Result) error {
			return s.open(ctx, res, true)
		})
	}
	return true
}

// visit runs a journey without a chat: page views, think time apart.
func (s *sessionRun) visit(intended time.Time) results.End {
	v := s.conv.Visit
	for p := range v.PageViews {
		if p > 0 {
			intended = s.lastEnd.Add(v.Think.Sample(s.u.rng))
			if !sleepUntil(s.st.turns, s.r.clock, intended) {
				s.canceled = true
				return s.end()
			}
		}
		s.data.Turn = p
		if !s.pageView(p, intended, false) {
			return s.end()
		}
	}
	return s.end()
}

// extraPageViews says after which message each of a chat's later page views
// (page_views beyond the first) comes: the i-th of the P−1 after message
// ⌊i·M/P⌋+1 of M, so they spread evenly over the chat and the time after
// it. The result counts page views after each message.
func extraPageViews(messages, pageViews int) []int {
	after := make([]int, messages)
	if messages == 0 {
		return after
	}
	for i := 1; i < pageViews; i++ {
		after[min(messages-1, i*messages/pageViews)]++
	}
	return after
}

// widgetStep runs one of a conversation's steps that is not a message.
func (s *sessionRun) widgetStep(n int, turn *scenarios.TurnSpec, intended time.Time) bool {
	if (turn.Kind == scenarios.StepOpen || turn.Kind == scenarios.StepMarkRead) && s.slug == "" {
		// Nothing to open: no message yet, and History showed no conversation.
		s.r.log.Debug(string(turn.Kind)+" skipped: no conversation yet", "conversation", s.conv.Name, "turn", n)
		return true
	}
	switch turn.Kind {
	case scenarios.StepOpen:
		return s.step(results.StepOpen, n, intended, func(ctx context.Context, res *results.Result) error {
			return s.open(ctx, res, turn.Options.MarkRead)
		})
	case scenarios.StepHistory:
		return s.history(n, turn.Options.Pages, intended)
	case scenarios.StepReact:
		// The widget shows its "helpful" button under a reply it can name,
		// and hides it once the conversation is handed to a human.
		if s.replyID == "" || s.handedOver {
			s.r.log.Debug("react skipped: no reply to react to, or handed to a human", "conversation", s.conv.Name, "turn", n)
			return true
		}
		id := s.replyID
		return s.step(results.StepReact, n, intended, func(ctx context.Context, res *results.Result) error {
			t, err := s.sess.React(ctx, s.slug, id)
			s.fill(res, t, err)
			if err == nil {
				s.replyID = "" // the widget hides the button once clicked: another would clear it
			}
			return err
		})
	case scenarios.StepMarkRead:
		return s.step(results.StepMarkRead, n, intended, func(ctx context.Context, res *results.Result) error {
			t, err := s.sess.MarkRead(ctx, s.slug)
			s.fill(res, t, err)
			return err
		})
	case scenarios.StepUnread:
		return s.step(results.StepUnread, n, intended, s.unread)
	case scenarios.StepPageView:
		return s.pageView(n, intended, turn.Options.Reopen)
	}
	panic("runner: unknown step kind " + string(turn.Kind)) // scenarios rejects it
}

// open GETs the session's conversation. Like the widget, it learns from it
// whether a human has the conversation (isEscalated), and then hides the
// reaction buttons.
func (s *sessionRun) open(ctx context.Context, res *results.Result, markRead bool) error {
	conv, t, err := s.sess.OpenConversation(ctx, s.slug, markRead)
	s.fill(res, t, err)
	if err == nil && conv.IsEscalated {
		s.handedOver = true
	}
	return err
}

func (s *sessionRun) unread(ctx context.Context, res *results.Result) error {
	_, t, err := s.sess.UnreadCount(ctx)
	s.fill(res, t, err)
	return err
}

// history reads up to pages pages of the conversation list, each a step,
// following nextCursor as the widget's infinite scroll does. A session
// without a conversation takes the first one listed (the newest activity),
// as a click on it in History does: a later open or message goes to it.
func (s *sessionRun) history(n, pages int, intended time.Time) bool {
	cursor := ""
	for p := 0; p < pages; p++ {
		var next *string
		if !s.step(results.StepHistory, n, intended, func(ctx context.Context, res *results.Result) error {
			page, t, err := s.sess.ListConversations(ctx, cursor, 0)
			s.fill(res, t, err)
			if err == nil {
				next = page.NextCursor
				if s.slug == "" && len(page.Conversations) > 0 {
					s.slug = page.Conversations[0].Slug
				}
			}
			return err
		}) {
			return false
		}
		if next == nil {
			return true
		}
		cursor, intended = *next, s.lastEnd
	}
	return true
}

// files returns the files of a message turn, each spec's named by its
// name: template, rendered for this session, when it has one.
func (s *sessionRun) files(turn *scenarios.TurnSpec) ([]helperapi.Attachment, error) {
	if len(turn.Attachments) == 0 {
		return nil, nil
	}
	var out []helperapi.Attachment
	for i := range turn.Attachments {
		spec := &turn.Attachments[i]
		from := len(out)
		out = append(out, s.r.files[spec]...) // copies: renaming leaves the run's files alone
		if spec.Name == nil {
			continue
		}
		name, err := s.render(spec.Name)
		if err != nil {
			return nil, err
		}
		for j := from; j < len(out); j++ {
			out[j].Name = name
		}
	}
	return out, nil
}
