package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/loadgen/loadgen/internal/textwrap"
)

// cmdFlags is a subcommand's flags and its help: what it does, its flags in
// groups, examples, environment variables and exit codes. -h (or --help)
// prints the help to stdout and the command exits 0; a usage error prints
// the error and a one-line hint to stderr.
type cmdFlags struct {
	*flag.FlagSet
	name, usage string
	about       string      // what the command does, a paragraph or two
	groups      []flagGroup // flags in no group are listed last
	examples    []string    // command lines, with a comment after # when useful
	env         []string    // "NAME\tmeaning"
	stdout      io.Writer
	stderr      io.Writer
}

type flagGroup struct {
	title string
	names []string
}

// newFlags returns the flags of `loadgen name`; usage is what follows the
// command's name in its synopsis, e.g. "[flags] SCENARIO.yaml".
func newFlags(name, usage string, stdout, stderr io.Writer) *cmdFlags {
	f := &cmdFlags{FlagSet: flag.NewFlagSet("loadgen "+name, flag.ContinueOnError),
		name: name, usage: usage, stdout: stdout, stderr: stderr}
	f.SetOutput(stderr) // flag's own error messages
	f.FlagSet.Usage = f.hint
	return f
}

// group lists flags under a title in the help, in the order given.
func (f *cmdFlags) group(title string, names ...string) {
	f.groups = append(f.groups, flagGroup{title, names})
}

// hint prints the synopsis and where to find help, for usage errors.
func (f *cmdFlags) hint() {
	fmt.Fprintf(f.stderr, "Usage: loadgen %s %s\nRun 'loadgen %s -h' for help.\n", f.name, f.usage, f.name)
}

// parse parses args (flags may follow positional arguments; see
// parseFlags). -h, -help or --help before any "--" prints the help to
// stdout and returns flag.ErrHelp, which Main turns into exit code 0.
func (f *cmdFlags) parse(args []string) error {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" || a == "--h" {
			f.writeHelp(f.stdout)
			return flag.ErrHelp
		}
	}
	err := parseFlags(f.FlagSet, args)
	var ee *exitError
	if errors.As(err, &ee) {
		f.hint()
	}
	return err
}

// writeHelp writes the whole help text.
func (f *cmdFlags) writeHelp(w io.Writer) {
	fmt.Fprintf(w, "Usage: loadgen %s %s\n", f.name, f.usage)
	for _, para := range strings.Split(strings.TrimSpace(f.about), "\n\n") {
		if para != "" {
			fmt.Fprintf(w, "\n%s\n", strings.Join(textwrap.Lines(para, 96), "\n"))
		}
	}
	listed := map[string]bool{}
	for _, g := range f.groups {
		fmt.Fprintf(w, "\n%s:\n", g.title)
		for _, name := range g.names {
			fl := f.Lookup(name)
			if fl == nil {
				panic("loadgen: help lists an unknown flag --" + name) // a programming error, caught by the help test
			}
			writeFlag(w, fl)
			listed[name] = true
		}
	}
	var rest []*flag.Flag
	f.VisitAll(func(fl *flag.Flag) {
		if !listed[fl.Name] {
			rest = append(rest, fl)
		}
	})
	if len(rest) > 0 {
		title := "Flags"
		if len(f.groups) > 0 {
			title = "Other flags"
		}
		fmt.Fprintf(w, "\n%s:\n", title)
		for _, fl := range rest {
			writeFlag(w, fl)
		}
	}
	if len(f.examples) > 0 {
		fmt.Fprintf(w, "\nExamples:\n")
		for _, e := range f.examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
	if len(f.env) > 0 {
		fmt.Fprintf(w, "\nEnvironment:\n")
		writeColumns(w, f.env)
	}
	fmt.Fprintf(w, "\nExit codes:\n")
	writeColumns(w, exitCodeHelp)
}

// exitCodeHelp documents the exit codes every command uses.
var exitCodeHelp = []string{
	"0\tok",
	"1\trun error (including a run interrupted by Ctrl-C; its summary and files are still written)",
	"2\tusage or scenario error (bad flags, arguments or input files)",
	"3\tthresholds, --fail-on rules or a sweep's --expect gates failed, or a sweep's objectives fail at its minimum load",
}

// writeFlag writes one flag as "  --name VALUE" and its usage, indented.
func writeFlag(w io.Writer, fl *flag.Flag) {
	arg, usage := flag.UnquoteUsage(fl)
	dash := "--"
	if len(fl.Name) == 1 {
		dash = "-"
	}
	line := "  " + dash + fl.Name
	if arg != "" {
		line += " " + arg
	}
	if !slices.Contains([]string{"", "0", "false", "0s", "[]"}, fl.DefValue) {
		usage += fmt.Sprintf(" (default %s)", fl.DefValue)
	}
	fmt.Fprintf(w, "%s\n", line)
	for _, l := range textwrap.Lines(usage, 88) {
		fmt.Fprintf(w, "        %s\n", l)
	}
}

// writeColumns writes "A\tB" rows with B aligned.
func writeColumns(w io.Writer, rows []string) {
	width := 0
	for _, r := range rows {
		a, _, _ := strings.Cut(r, "\t")
		width = max(width, len(a))
	}
	for _, r := range rows {
		a, b, _ := strings.Cut(r, "\t")
		for i, l := range textwrap.Lines(b, max(96-width-4, 40)) {
			if i > 0 {
				a = ""
			}
			fmt.Fprintf(w, "  %-*s  %s\n", width, a, l)
		}
	}
}
