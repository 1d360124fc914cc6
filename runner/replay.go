package runner

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/scenarios"
	"github.com/loadgen/loadgen/transcripts"
)

// replaySource hands a transcript's recorded conversations to sessions in
// file order, reading the file as it goes. Shard i of n takes conversations
// i, i+n, i+2n, … so that shards replay disjoint conversations. With
// on_exhausted: wrap (start: schedule) it reads the file again after the
// end. Safe for concurrent use.
type replaySource struct {
	t              *scenarios.Transcript
	conv           string // the scenario conversation's name, for logs
	shard, shards  int
	wrap           bool
	mu             sync.Mutex // guards the fields below: sessions draw concurrently
	rd             *transcripts.Reader
	file           io.Closer
	pending        *transcripts.Conversation // read by check, not handed out yet
	passes         int                       // times the file was opened
	handed         int                       // conversations handed out in this pass
	summary        string                    // the first pass's skipped records, once it ended
	first          time.Time                 // the start of the file's first conversation
	firstSeen, eof bool
}

// newReplaySource opens t for shard of shards and reads up to the shard's
// first conversation, so that a transcript with none for it fails now.
func newReplaySource(c *scenarios.ConversationSpec, shard, shards int, wrap bool) (*replaySource, error) {
	s := &replaySource{t: c.Transcript, conv: c.Name, shard: shard, shards: shards, wrap: wrap}
	if err := s.open(); err != nil {
		return nil, err
	}
	first, err := s.read()
	if err != nil {
		s.close(nil)
		return nil, err
	}
	if first == nil {
		s.close(nil)
		return nil, fmt.Errorf("runner: conversation %s: transcript %s has no conversation for shard %d of %d", c.Name, c.Transcript.File, shard, shards)
	}
	s.pending = first
	return s, nil
}

func (s *replaySource) open() error {
	rd, f, err := s.t.Open()
	if err != nil {
		return fmt.Errorf("runner: conversation %s: %w", s.conv, err)
	}
	s.rd, s.file, s.eof, s.handed = rd, f, false, 0
	s.passes++
	return nil
}

// read returns the shard's next conversation of the current pass, nil at
// its end.
func (s *replaySource) read() (*transcripts.Conversation, error) {
	for !s.eof {
		c, err := s.rd.Next()
		if errors.Is(err, io.EOF) {
			s.eof = true
			if s.passes == 1 {
				s.summary = s.rd.Summary()
			}
			break
		}
		if err != nil {
			return nil, fmt.Errorf("runner: conversation %s: %w", s.conv, err)
		}
		if !s.firstSeen {
			s.first, s.firstSeen = c.Start(), true
		}
		if c.Index%s.shards == s.shard {
			return c, nil
		}
	}
	return nil, nil
}

// next returns the next conversation to replay; nil (with a nil error) when
// there is none left, as with on_exhausted: stop or start: original.
func (s *replaySource) next() (*transcripts.Conversation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.pending; c != nil {
		s.pending = nil
		s.handed++
		return c, nil
	}
	if s.rd == nil {
		return nil, nil
	}
	c, err := s.read()
	if c == nil && err == nil && s.wrap && s.handed > 0 {
		s.file.Close()
		if err = s.open(); err == nil {
			c, err = s.read()
		}
	}
	if c == nil {
		return nil, err
	}
	s.handed++
	return c, nil
}

// firstStart returns the start of the file's first conversation.
func (s *replaySource) firstStart() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first
}

// close closes the file and logs to log (nil: nowhere) the records the
// first pass skipped, or the ones skipped so far when it did not end.
func (s *replaySource) close(log *slog.Logger) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rd == nil {
		return
	}
	summary := s.summary
	if summary == "" && s.passes == 1 {
		summary = s.rd.Summary()
	}
	s.file.Close()
	s.rd = nil
	if summary != "" && log != nil {
		log.Warn("transcript records skipped", "conversation", s.conv, "skipped", summary)
	}
}

// newReplays opens the scenario's transcripts for this shard: the source of
// a start: original replay (replay model), or one source per replayed
// conversation of the mix.
func (r *Runner) newReplays() error {
	r.replays = make(map[*scenarios.ConversationSpec]*replaySource)
	for i := range r.sc.Conversations {
		c := &r.sc.Conversations[i]
		if c.Transcript == nil {
			continue
		}
		original := r.sc.Load.Model == scenarios.Replay
		src, err := newReplaySource(c, r.opts.Shard, r.opts.Shards, !original && c.Transcript.OnExhausted != scenarios.ExhaustedStop)
		if err != nil {
			r.closeReplays()
			return err
		}
		r.replays[c] = src
		if original {
			r.original = c
		}
	}
	if r.sc.Load.Model == scenarios.Replay && (r.original == nil || len(r.sc.Conversations) != 1) {
		r.closeReplays()
		return errors.New("runner: the replay model needs one conversation, replayed from a transcript with start: original")
	}
	return nil
}

func (r *Runner) closeReplays() {
	for _, src := range r.replays {
		src.close(r.log)
	}
}

// replayArrivals starts one session per recorded conversation at its
// original start, time-scaled from the first conversation's, until the
// transcript ends or no more sessions may start (start: original).
func (r *Runner) replayArrivals(st *stops, start time.Time, wg *sync.WaitGroup) {
	src := r.replays[r.original]
	r.arrivals(st, wg, func() (arrival, bool) {
		rc, err := src.next()
		if rc == nil {
			st.halt(err)
			return arrival{}, false
		}
		at := start.Add(r.original.Transcript.Offset(src.firstStart(), rc.Start()))
		return arrival{at: at, id: uint64(rc.Index) + 1, // the conversation's number: disjoint across shards
			run: func(u *user) { r.session(st, u, r.original, rc, at, "") }}, true
	})
}

// reference is a replayed turn's recorded reply and the check against it.
type reference struct {
	text          string
	chars         int
	minSimilarity float64
}

// replay sends a recorded conversation's user messages at their original
// pace (see scenarios.Transcript.Gap): with timing: reply each is due its
// gap after the end of the previous reply; with timing: original, its gap
// after the previous message was due. The first is due its gap after the
// conversation was created.
func (s *sessionRun) replay() results.End {
	t := s.conv.Transcript
	var due time.Time
	for i, tr := range s.rec.Turns() {
		gap := t.Gap(tr, s.u.rng)
		if i == 0 || t.Timing != scenarios.TimingOriginal || tr.At.IsZero() {
			due = s.lastEnd.Add(gap)
		} else {
			due = due.Add(gap)
		}
		if !sleepUntil(s.st.turns, s.r.clock, due) {
			s.canceled = true
			return s.end()
		}
		s.data.Turn = i + 1
		var ref *reference
		if tr.Reference != "" {
			ref = &reference{text: tr.Reference, chars: utf8.RuneCountInString(tr.Reference), minSimilarity: t.Similarity}
		}
		if !s.send(i+1, tr.Content, t.Expect, ref, due) {
			return s.end()
		}
	}
	return s.end()
}

// checkReference applies a replayed turn's similarity check to a reply
// that passed the other checks, and records the reference's length.
func checkReference(res *results.Result, ref *reference, text string) {
	if ref == nil {
		return
	}
	res.RefChars = ref.chars
	if ref.minSimilarity <= 0 || res.Error != "" {
		return
	}
	if sim := transcripts.Similarity(text, ref.text); sim < ref.minSimilarity {
		res.Error, res.Detail = results.KindExpectation, fmt.Sprintf("reply similarity %.2f to the recorded reply, want at least %.2f", sim, ref.minSimilarity)
	}
}
