package main

import (
	"flag"
	"io"
	"slices"
	"testing"
)

func TestParseFlagsAnywhere(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantV    bool
		wantN    string
		wantArgs []string
	}{
		{"flags first", []string{"-v", "-n", "x", "a", "b"}, true, "x", []string{"a", "b"}},
		{"flags last", []string{"a", "b", "-n", "x", "-v"}, true, "x", []string{"a", "b"}},
		{"interleaved", []string{"a", "-n", "x", "b"}, false, "x", []string{"a", "b"}},
		{"double dash", []string{"-v", "--", "a", "-n"}, true, "", []string{"a", "-n"}},
		{"none", nil, false, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			v := fs.Bool("v", false, "")
			n := fs.String("n", "", "")
			if err := parseFlags(fs, tt.args); err != nil {
				t.Fatal(err)
			}
			if *v != tt.wantV || *n != tt.wantN || !slices.Equal(fs.Args(), tt.wantArgs) {
				t.Errorf("parseFlags(%q): v=%v n=%q args=%q; want v=%v n=%q args=%q", tt.args, *v, *n, fs.Args(), tt.wantV, tt.wantN, tt.wantArgs)
			}
		})
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := parseFlags(fs, []string{"a", "-nope"}); err == nil {
		t.Errorf("parseFlags with an unknown flag after an argument: no error")
	}
}
