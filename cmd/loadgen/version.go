package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

// Version returns loadgen's version: the linker-set one, else the module's
// (a tagged `go install`), else "dev".
func Version() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return version
}

// buildCommit describes the VCS commit the binary was built from, as `go
// build` records it in a git checkout: "abc1234def56 (modified) 2026-03-01T12:00:00Z",
// or "" when unknown (go run, go test, or a build outside git).
func buildCommit(settings []debug.BuildSetting) string {
	var rev, when, modified string
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = " (modified)"
			}
		}
	}
	if rev == "" {
		return ""
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	out := rev + modified
	if when != "" {
		out += " " + when
	}
	return out
}

func runVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", "", stdout, stderr)
	fs.about = "Prints loadgen's version, the VCS commit it was built from (when `go build` recorded one) and the Go toolchain. Also: loadgen --version."
	if err := fs.parse(args); err != nil {
		return err
	}
	commit := "unknown (built without VCS information, e.g. by go run)"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if c := buildCommit(bi.Settings); c != "" {
			commit = c
		}
	}
	fmt.Fprintf(stdout, "loadgen %s\ncommit  %s\ngo      %s %s/%s\n", Version(), commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
