package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/runner"
	"github.com/loadgen/loadgen/stats"
)

// Progress cadence: a live line on a terminal, a log line otherwise.
const (
	progressTerminalEvery = 500 * time.Millisecond
	progressLogEvery      = 10 * time.Second
)

// showProgress reports the run's progress until ctx ends: a line rewritten in
// place when w is a terminal, else a periodic log line.
func showProgress(ctx context.Context, w io.Writer, log *slog.Logger, rn *runner.Runner, sum *stats.Aggregate) {
	tty := isTerminal(w)
	every := progressLogEvery
	if tty {
		every = progressTerminalEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	start := time.Now()
	var prev progressCounts
	prevAt := start
	for {
		select {
		case <-ctx.Done():
			if tty {
				fmt.Fprint(w, "\r\033[K")
			}
			return
		case now := <-t.C:
			c := countProgress(sum)
			secs := now.Sub(prevAt).Seconds()
			sessRate := float64(c.sessions-prev.sessions) / secs
			msgRate := float64(c.messages-prev.messages) / secs
			prev, prevAt = c, now
			elapsed := now.Sub(start).Truncate(time.Second)
			total := rn.Duration().Truncate(time.Second)
			if tty {
				fmt.Fprintf(w, "\r\033[K%v/%v  users %d  sessions %.1f/s  messages %.1f/s  errors %d  p95 TTFT %s",
					elapsed, total, rn.Active(), sessRate, msgRate, c.errors, fmtDur(c.ttftP95))
				continue
			}
			log.Info("progress", "elapsed", elapsed, "of", total, "users_active", rn.Active(),
				"sessions_per_s", round1(sessRate), "messages_per_s", round1(msgRate),
				"errors", c.errors, "ttft_p95", c.ttftP95)
		}
	}
}

type progressCounts struct {
	sessions, messages, errors int64
	ttftP95                    time.Duration
}

func countProgress(sum *stats.Aggregate) (c progressCounts) {
	sum.Peek(func(d *stats.Snapshot) {
		msg := d.Step(results.StepMessage)
		c = progressCounts{
			sessions: d.Sessions.Started,
			messages: msg.Count,
			errors:   d.ErrorCount(),
			ttftP95:  msg.TTFT.Quantile(0.95),
		}
	})
	return c
}

func fmtDur(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return d.Round(time.Millisecond).String()
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
