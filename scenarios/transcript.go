package scenarios

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/loadgen/loadgen/transcripts"
)

// ReplayTiming is how a replay spaces a conversation's user messages.
type ReplayTiming string

// Replay timings.
const (
	// TimingReply sends each user message its original gap after the end of
	// the previous reply, as the user waited for the reply and then took
	// that long to answer (default).
	TimingReply ReplayTiming = "reply"
	// TimingOriginal sends each user message its original gap after the
	// previous one was due, following the recorded timestamps whatever the
	// replies take.
	TimingOriginal ReplayTiming = "original"
)

// ReplayStart is when replayed conversations start.
type ReplayStart string

// Replay starts.
const (
	// StartSchedule starts conversations at the load's arrivals (or closed
	// users' loops): each new session replays the transcript's next
	// conversation (default).
	StartSchedule ReplayStart = "schedule"
	// StartOriginal starts them at their original start times, time-scaled
	// by Speed from the first one: an absolute replay of a window of
	// traffic. The load section then gives no model (Load.Model is Replay).
	StartOriginal ReplayStart = "original"
)

// DefaultMaxGap caps a replayed gap (after scaling) unless max_gap says otherwise.
const DefaultMaxGap = 5 * time.Minute

// maxSpeed bounds speed, far above any useful value, to catch typos.
const maxSpeed = 1_000_000

// Transcript is a conversation kind replayed from a recorded transcript
// file instead of written turns: each session replays one recorded
// conversation, sending its user messages verbatim at their original pace
// and keeping the recorded assistant replies as references.
type Transcript struct {
	File        string             // as written, relative to the scenario's directory
	Format      transcripts.Format // jsonl (default for .jsonl and .ndjson), helper or sharegpt
	Timing      ReplayTiming       // reply (default) or original
	Start       ReplayStart        // schedule (default) or original
	Speed       float64            // time scale: 2 replays twice as fast (default 1; loadgen run --speed overrides)
	MaxGap      time.Duration      // cap on a gap after scaling (default DefaultMaxGap)
	Think       Think              // the gap before a message without a time (ShareGPT); not scaled
	UseEmail    bool               // use_email: sessions sign in with the transcript's email (anonymous without one) instead of users.email
	Similarity  float64            // 0..1: each reply must be at least this similar to the recorded one (0: no check)
	Strict      bool               // a bad record ends the run instead of being skipped
	OnExhausted Exhausted          // start: schedule: wrap (default: replay the file again) or stop (no more sessions)
	Expect      Expect             // checks on every reply

	path     string                                   // the file to open
	open     func(name string) (io.ReadCloser, error) // nil: os.Open
	startKey *yaml.Node                               // where start: was written, for checkReplay
}

// Open opens the transcript file for reading, from the start. The caller
// closes the returned Closer.
func (t *Transcript) Open(opts ...transcripts.Option) (*transcripts.Reader, io.Closer, error) {
	open := t.open
	if open == nil {
		open = func(name string) (io.ReadCloser, error) { return os.Open(name) }
	}
	name := t.path
	if name == "" {
		name = t.File
	}
	f, err := open(name)
	if err != nil {
		return nil, nil, fmt.Errorf("scenarios: transcript: %w", err)
	}
	opts = append([]transcripts.Option{transcripts.WithFile(name)}, opts...)
	if t.Strict {
		opts = append(opts, transcripts.WithStrict())
	}
	return transcripts.NewReader(f, t.Format, opts...), f, nil
}

// Gap returns how long after its reference point (see Timing) a replayed
// turn is due: the original gap divided by Speed, capped at MaxGap; a turn
// without a time (ShareGPT) waits a Think sample instead. r draws the
// sample (nil: the global source).
func (t *Transcript) Gap(turn transcripts.Turn, r *rand.Rand) time.Duration {
	if turn.At.IsZero() {
		if r == nil {
			r = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
		}
		return t.Think.Sample(r)
	}
	g := turn.SinceReply
	if t.Timing == TimingOriginal {
		g = turn.SincePrevious
	}
	return t.scale(g)
}

// Offset returns when a conversation that started at start is due with
// start: original, counted from the run's start, given the first
// conversation's start: the difference divided by Speed, not capped.
func (t *Transcript) Offset(first, start time.Time) time.Duration {
	if start.Before(first) {
		return 0
	}
	return time.Duration(float64(start.Sub(first)) / t.speed())
}

func (t *Transcript) scale(d time.Duration) time.Duration {
	d = time.Duration(float64(d) / t.speed())
	if t.MaxGap > 0 && d > t.MaxGap {
		return t.MaxGap
	}
	return d
}

func (t *Transcript) speed() float64 {
	if t.Speed > 0 {
		return t.Speed
	}
	return 1
}

// open opens a resolved path of the options' file system for streaming.
func (o *options) open(name string) (io.ReadCloser, error) {
	if o.fsys != nil {
		return o.fsys.Open(path.Clean(name))
	}
	return os.Open(name)
}

// transcriptFields are the keys of a conversation's transcript mapping.
var transcriptFields = []string{"file", "format", "timing", "start", "speed", "max_gap", "think",
	"use_email", "similarity", "strict", "on_exhausted", "expect"}

// transcript decodes a conversation's transcript section and checks that
// its file holds a conversation; nil after a problem.
func (d *decoder) transcript(tf field, mode Mode) *Transcript {
	f := d.mapping(tf.val, tf.path, transcriptFields...)
	if f == nil {
		return nil
	}
	t := &Transcript{Timing: TimingReply, Start: StartSchedule, Speed: 1, MaxGap: DefaultMaxGap, OnExhausted: ExhaustedWrap}
	if v := d.oneOf(f["timing"], "timing", string(TimingReply), string(TimingOriginal)); v != "" {
		t.Timing = ReplayTiming(v)
	}
	if v := d.oneOf(f["start"], "start", string(StartSchedule), string(StartOriginal)); v != "" {
		t.Start, t.startKey = ReplayStart(v), f["start"].key
	}
	t.Speed = d.number(f["speed"], 1, math.SmallestNonzeroFloat64, maxSpeed)
	t.MaxGap = d.duration(f["max_gap"], DefaultMaxGap, time.Millisecond)
	t.Think = d.think(f["think"])
	t.UseEmail = d.boolean(f["use_email"])
	t.Similarity = d.share(f["similarity"])
	t.Strict = d.boolean(f["strict"])
	if ex := f["on_exhausted"]; ex.key != nil {
		if t.Start == StartOriginal {
			d.errorf(ex.key, ex.path, "on_exhausted is only for start: schedule (an original-time replay ends with its file)")
		} else if v := d.oneOf(ex, "on_exhausted", string(ExhaustedWrap), string(ExhaustedStop)); v != "" {
			t.OnExhausted = Exhausted(v)
		}
	}
	t.Expect = d.expect(f["expect"], mode)
	file := f["file"]
	if !d.required(file, tf.val, " (a transcript file, relative to the scenario)") {
		return nil
	}
	if t.File = d.expanded(file, ""); t.File == "" {
		if file.val.Kind == yaml.ScalarNode && file.val.Value == "" {
			d.fieldErrorf(file, "empty file name")
		}
		return nil
	}
	formats := make([]string, 0, 3)
	for _, ft := range transcripts.Formats() {
		formats = append(formats, string(ft))
	}
	if format := f["format"]; format.ok() {
		if t.Format = transcripts.Format(d.oneOf(format, "format", formats...)); t.Format == "" {
			return nil
		}
	} else if ft, ok := transcripts.FormatFor(t.File); ok {
		t.Format = ft
	} else {
		d.fieldErrorf(file, "cannot tell the format of %q from its name (add format: jsonl, helper or sharegpt)", t.File)
		return nil
	}
	if t.Format == transcripts.FormatShareGPT && t.Start == StartOriginal {
		d.errorf(t.startKey, f["start"].path, "start: original needs times, and sharegpt transcripts have none")
	}
	t.path, t.open = d.resolve(t.File), d.open
	if err := t.check(); err != nil {
		d.fieldErrorf(file, "%s", strings.TrimPrefix(err.Error(), "scenarios: transcript: "))
		return nil
	}
	return t
}

// check reads the transcript up to its first conversation, so that a
// missing file or the wrong format shows up when the scenario is loaded.
func (t *Transcript) check() error {
	r, c, err := t.Open()
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := r.Next(); err != nil {
		if !errors.Is(err, io.EOF) {
			return fmt.Errorf("scenarios: transcript: %w", err)
		}
		msg := fmt.Sprintf("no conversation in %s read as format %s (is that the right format?)", t.path, t.Format)
		if s := r.Summary(); s != "" {
			msg += "; " + s
		}
		return fmt.Errorf("scenarios: transcript: %s", msg)
	}
	return nil
}

// number decodes an optional number in [lo, hi].
func (d *decoder) number(f field, def, lo, hi float64) float64 {
	if !f.ok() {
		return def
	}
	s, ok := d.scalar(f, "a number")
	if !ok {
		return def
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || (f.val.ShortTag() != "!!int" && f.val.ShortTag() != "!!float") {
		d.fieldErrorf(f, "want a number, got %s", describe(f.val))
		return def
	}
	if v < lo || v > hi {
		d.fieldErrorf(f, "%s is out of range (want more than 0, at most %g)", s, hi)
		return def
	}
	return v
}

// checkReplay checks what a transcript with start: original needs of the
// rest of the scenario: to be its only conversation, with a load section
// that gives no model of its own.
func (d *decoder) checkReplay(s *Scenario) {
	for i, c := range s.Conversations {
		t := c.Transcript
		if t == nil || t.Start != StartOriginal {
			continue
		}
		path := indexPath("conversations", i) + ".transcript.start"
		switch {
		case len(s.Conversations) > 1:
			d.errorf(t.startKey, path, "start: original replays the transcript's own arrivals, so its conversation must be the only one (got %d)", len(s.Conversations))
		case s.Load.Model != Replay:
			d.errorf(t.startKey, path, "start: original takes the arrivals from the transcript: leave arrival_rate, stages and users out of load (it needs a duration only), or use start: schedule")
		}
	}
}

// replaysOriginal reports whether the raw scenario root has a conversation
// whose transcript says start: original; the load section, decoded before
// the conversations, needs no model then.
func replaysOriginal(root *yaml.Node) bool {
	convs := mapValue(root, "conversations")
	if convs == nil || convs.Kind != yaml.SequenceNode {
		return false
	}
	for _, c := range convs.Content {
		if start := mapValue(mapValue(c, "transcript"), "start"); start != nil && start.Kind == yaml.ScalarNode && start.Value == string(StartOriginal) {
			return true
		}
	}
	return false
}

// mapValue returns the value of key in mapping n (aliases followed), or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxAliases; i++ {
		n = n.Alias
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			v := n.Content[i+1]
			for j := 0; v.Kind == yaml.AliasNode && j < maxAliases; j++ {
				v = v.Alias
			}
			return v
		}
	}
	return nil
}
