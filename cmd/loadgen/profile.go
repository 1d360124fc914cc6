package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/loadgen/loadgen/accesslog"
	"github.com/loadgen/loadgen/scenarios"
)

// runProfile runs `loadgen profile ACCESS_LOG`: the traffic a Helper
// deployment's access log shows, per route and per hour, and a scenario
// that reproduces it.
func runProfile(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("profile", "[flags] ACCESS_LOG", stdout, stderr)
	fs.about = "Reads a Helper deployment's access log (Common or Combined Log Format, as Apache and nginx " +
		"write it, or JSON lines with method, path, status and time, flat or nested as Caddy and the Elastic " +
		"Common Schema write them; gzip-compressed or not; - reads stdin) and " +
		"prints what a scenario needs: requests by route and status class, the ratios per page view and per " +
		"chat (page views, chats, messages, reopens, History pages, reactions, unread counts, sdk.js, " +
		"preflights, and the share with attachments or isPrompt when the log has request sizes or bodies), " +
		"arrivals per hour with the mean and the peak, and then a scenario whose widget:, load: and " +
		"conversations: reproduce them (it validates as it is).\n\n" +
		"Lines it cannot read are counted and listed with their numbers, never fatal."
	fs.examples = []string{
		"loadgen profile /var/log/nginx/access.log",
		"loadgen profile --snippet profiled.yaml access.log.1.gz   # the scenario to a file",
		"zcat access.log.*.gz | loadgen profile -",
	}
	snippet := fs.String("snippet", "", "write the scenario to `FILE` instead of after the report (- for stdout alone)")
	var attach sizeFlag = accesslog.DefaultAttachmentBytes
	fs.Var(&attach, "attachment-bytes", "a POST /api/chat at least `SIZE` carries attachments (when the log has request sizes)")
	bad := fs.Int("bad-lines", accesslog.DefaultMaxBadLines, "list up to `N` bad lines with their numbers (all are counted)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.hint()
		return usageError(errors.New("want one access log"))
	}
	if *bad < 1 {
		return usageError(fmt.Errorf("--bad-lines %d: want at least 1", *bad))
	}
	name := fs.Arg(0)
	in, closeIn, err := openLog(name)
	if err != nil {
		return err
	}
	defer closeIn()
	p, err := accesslog.Read(in, accesslog.ReadOptions{AttachmentBytes: int64(attach), MaxBadLines: *bad})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if p.Entries == 0 {
		p.WriteText(stdout, name)
		return fmt.Errorf("%s: no request could be read (%d lines, %d bad)", name, p.Lines, p.Bad)
	}
	switch *snippet {
	case "-":
		return p.WriteSnippet(stdout, name)
	case "":
		if err := p.WriteText(stdout, name); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nScenario (paste its widget:, load: and conversations:, or save it and run it)\n\n")
		return p.WriteSnippet(stdout, name)
	}
	if err := p.WriteText(stdout, name); err != nil {
		return err
	}
	f, err := os.Create(*snippet)
	if err != nil {
		return fmt.Errorf("--snippet: %w", err)
	}
	if err := p.WriteSnippet(f, name); err != nil {
		f.Close()
		return fmt.Errorf("--snippet: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--snippet: %w", err)
	}
	fmt.Fprintf(stdout, "\nScenario written to %s (loadgen validate %s checks it)\n", *snippet, *snippet)
	return nil
}

// openLog opens an access log, "-" for stdin, reading gzip transparently.
func openLog(name string) (io.Reader, func(), error) {
	var r io.Reader = os.Stdin
	closeIt := func() {}
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, nil, err
		}
		r, closeIt = f, func() { f.Close() }
	}
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			closeIt()
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		return zr, closeIt, nil
	}
	return br, closeIt, nil
}

// sizeFlag is a byte size flag: 32KiB, 200KB, 4096.
type sizeFlag int64

func (s *sizeFlag) String() string { return fmt.Sprint(int64(*s)) }

func (s *sizeFlag) Set(v string) error {
	n, err := scenarios.ParseSize(v)
	if err != nil {
		return err
	}
	*s = sizeFlag(n)
	return nil
}
