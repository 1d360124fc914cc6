package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/runner"
	"github.com/loadgen/loadgen/stats"
)

// Progress cadence and window: a live line on a terminal, a log line every
// --progress-interval otherwise; rates and the TTFT p95 are over the last
// progressWindow, the rest over the whole run.
const (
	progressTerminalEvery = 500 * time.Millisecond
	DefaultProgressEvery  = 5 * time.Second
	progressWindow        = 5 * time.Second
)

// progress is what the progress line shows at one moment.
type progress struct {
	runner.Progress
	sessions   stats.Sessions
	requests   int64   // the users' requests (polls apart)
	errors     int64   // of them, failed for the target's reasons
	ours       int64   // of them, failed by loadgen itself (not errors)
	reqRate    float64 // requests per second over the window
	msgRate    float64 // message steps per second over the window
	ttftP95    time.Duration
	ttftWindow time.Duration // what ttftP95 covers
}

// showProgress reports the run's progress until ctx ends: a line with a bar
// rewritten in place when w is a terminal (a *termLine), else a log line
// every interval.
func showProgress(ctx context.Context, w io.Writer, log *slog.Logger, rn *runner.Runner, live *stats.Aggregate, interval time.Duration) {
	line, tty := w.(*termLine)
	every := cmpOr(interval, DefaultProgressEvery)
	if tty {
		every = progressTerminalEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	win := window{samples: []countAt{{at: time.Now()}}} // rates from the start until the window fills
	for {
		select {
		case <-ctx.Done():
			if tty {
				line.draw("")
			}
			return
		case now := <-t.C:
			p := measure(rn, live, &win, now)
			if tty {
				line.draw(fit(p.line(), terminalWidth(line.out)))
				continue
			}
			log.Info("progress", p.attrs()...)
		}
	}
}

// termLine is a terminal shared by the progress line, redrawn in place, and
// the log: a log line first clears the progress line, which the next redraw
// puts back below it. It is safe for concurrent use.
type termLine struct {
	out   io.Writer
	mu    sync.Mutex // one write at a time, so that no log line lands inside the progress line
	shown bool       // the progress line is on the screen
}

const clearLine = "\r\033[K"

// Write writes a log line on a line of its own.
func (l *termLine) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.shown {
		io.WriteString(l.out, clearLine)
		l.shown = false
	}
	return l.out.Write(p)
}

// draw replaces the progress line with s ("" clears it).
func (l *termLine) draw(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.out, clearLine+s)
	l.shown = s != ""
}

// window keeps recent counts for rates over the last progressWindow.
type window struct {
	samples []countAt
}

type countAt struct {
	at                 time.Time
	requests, messages int64
}

// rates adds the counts at now and returns the rates since the oldest
// sample within the window.
func (w *window) rates(c countAt) (req, msg float64) {
	w.samples = append(w.samples, c)
	for len(w.samples) > 2 && c.at.Sub(w.samples[1].at) >= progressWindow {
		w.samples = w.samples[1:]
	}
	first := w.samples[0]
	secs := c.at.Sub(first.at).Seconds()
	if secs <= 0 {
		return 0, 0
	}
	return float64(c.requests-first.requests) / secs, float64(c.messages-first.messages) / secs
}

// measure reads the runner and the live aggregate at now.
func measure(rn *runner.Runner, live *stats.Aggregate, win *window, now time.Time) progress {
	p := progress{Progress: rn.Progress()}
	var messages int64
	live.Peek(func(d *stats.Snapshot) {
		p.count(d)
		messages = d.Step(results.StepMessage).Count
		p.ttftP95, p.ttftWindow = recentTTFT(&d.Series, now)
	})
	p.reqRate, p.msgRate = win.rates(countAt{now, p.requests, messages})
	return p
}

// count takes the sessions and the users' requests from d as the summary's
// "requests" line counts them: polls (measurement overhead) apart, and the
// steps loadgen failed itself (canceled by the run's stop, local_resource)
// neither errors nor in the error rate's denominator.
func (p *progress) count(d *stats.Snapshot) {
	p.sessions = d.Sessions
	p.requests, p.errors, p.ours = 0, 0, 0
	for _, st := range d.Steps {
		if !st.Step.Overhead() {
			p.requests += st.Count
			p.errors += st.Errors
			p.ours += st.Ours
		}
	}
}

// errorRate is the share of the requests the target answered that failed.
func (p progress) errorRate() string { return pctText(p.errors, p.requests-p.ours) }

// recentTTFT returns the p95 TTFT of the messages sent in the last
// progressWindow (whole intervals of the series), and the span it covers.
func recentTTFT(s *stats.Series, now time.Time) (time.Duration, time.Duration) {
	var h stats.SparseHistogram
	from := now.Add(-progressWindow)
	var span time.Duration
	for i := len(s.Intervals) - 1; i >= 0; i-- {
		if s.IntervalStart(i).Before(from) {
			break
		}
		h.Merge(&s.Intervals[i].TTFT)
		span += s.Width
	}
	return h.Quantile(0.95), span
}

// line is the terminal line: a bar of the schedule, the phase and the
// figures, e.g.
//
//	[######..............] 6s/20s ramping up · users 23 · sessions 41: 35 ok, 1 failed, 0 canceled · 31.2 req/s, 7.4 msg/s · errors 0.4% · TTFT p95 (last 5s) 640ms
func (p progress) line() string {
	var b strings.Builder
	frac := 0.0
	if p.Duration > 0 {
		frac = min((p.Elapsed-p.Drain).Seconds()/p.Duration.Seconds(), 1)
	}
	const barWidth = 20
	full := int(math.Round(frac * barWidth))
	fmt.Fprintf(&b, "[%s%s] %s/%s %s", strings.Repeat("#", full), strings.Repeat(".", barWidth-full),
		fmtClock((p.Elapsed - p.Drain).Truncate(time.Second)), fmtClock(p.Duration), p.phaseText())
	fmt.Fprintf(&b, " · users %d · sessions %d: %d ok, %d failed, %d canceled", p.Active, p.sessions.Started,
		p.sessions.Completed, p.sessions.Failed, p.sessions.Canceled)
	fmt.Fprintf(&b, " · %.1f req/s, %.1f msg/s · errors %s", p.reqRate, p.msgRate, p.errorRate())
	fmt.Fprintf(&b, " · TTFT p95 (last %s) %s", fmtClock(progressWindow), durText(p.ttftP95))
	return b.String()
}

// phaseText is the phase, with the grace countdown while draining.
func (p progress) phaseText() string {
	switch p.Phase {
	case runner.PhaseDraining:
		return fmt.Sprintf("draining %s: sessions finishing, grace %s left", fmtClock(p.Drain), fmtClock(p.GraceLeft))
	case runner.PhaseInterrupted:
		return fmt.Sprintf("interrupted, draining %s: requests finishing, grace %s left", fmtClock(p.Drain), fmtClock(p.GraceLeft))
	}
	return string(p.Phase)
}

// attrs are the log line's fields, rounded for reading: durations to the
// second (the TTFT to the millisecond), rates to a tenth.
func (p progress) attrs() []any {
	a := []any{"phase", string(p.Phase), "elapsed", fmtClock((p.Elapsed - p.Drain).Truncate(time.Second)), "of", fmtClock(p.Duration)}
	if p.Phase == runner.PhaseDraining || p.Phase == runner.PhaseInterrupted {
		a = append(a, "draining", fmtClock(p.Drain), "grace_left", fmtClock(p.GraceLeft))
	}
	return append(a,
		"users", p.Active, "sessions", p.sessions.Started, string(results.EndCompleted), p.sessions.Completed,
		string(results.EndFailed), p.sessions.Failed, string(results.EndCanceled), p.sessions.Canceled,
		"req_per_s", round1(p.reqRate), "msg_per_s", round1(p.msgRate),
		"errors", p.errors, "error_rate", p.errorRate(),
		"ttft_p95_last_5s", durText(p.ttftP95))
}

// fmtClock formats a duration rounded to the second: 7s, 2m05s, 1h02m.
func fmtClock(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	return fmt.Sprintf("%dh%02dm", s/3600, s%3600/60)
}

// durText formats a latency to the millisecond (to the microsecond under
// 10 ms), "-" for none.
func durText(d time.Duration) string {
	switch {
	case d == 0:
		return "-"
	case d < 10*time.Millisecond:
		return d.Round(time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}

func pctText(n, of int64) string {
	if of == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.1f%%", float64(n)*100/float64(of))
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

func cmpOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// fit cuts s to width columns (runes), so that the line never wraps and
// \r rewrites it whole; width 0 means unknown.
func fit(s string, width int) string {
	r := []rune(s)
	if width <= 1 || len(r) < width {
		return s
	}
	return string(r[:width-2]) + "…"
}

// isTerminal reports whether w is a character device (a terminal), or the
// termLine on one.
func isTerminal(w io.Writer) bool {
	if _, ok := w.(*termLine); ok {
		return true
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
