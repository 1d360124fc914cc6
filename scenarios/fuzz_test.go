package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func FuzzParse(f *testing.F) {
	f.Add(minimal)
	f.Add(full)
	f.Add(head + conv + aliasBomb)
	f.Add(head + "feeders: [{file: data/users.csv}]\n" + conv)
	examples, _ := filepath.Glob(filepath.Join("examples", "*.yaml"))
	for _, name := range examples {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(string(data))
		}
	}
	files := feederFS("")
	f.Fuzz(func(t *testing.T, src string) {
		s, err := Parse("s/f.yaml", []byte(src), WithFS(files), WithLookupEnv(func(string) (string, bool) { return "v", true }))
		if err != nil {
			var perr *Error
			if !errors.As(err, &perr) || len(perr.Problems) == 0 {
				t.Fatalf("Parse error %v (%T), want an *Error with problems", err, err)
			}
			for _, p := range perr.Problems {
				if p.Pos.File != "s/f.yaml" || p.Pos.Line < 1 {
					t.Fatalf("problem %q has no position: %+v", p.Msg, p.Pos)
				}
			}
			return
		}
		if s.Name == "" || len(s.Conversations) == 0 || s.Load.Duration <= 0 || s.Target.BaseURL == "" {
			t.Fatalf("Parse accepted an incomplete scenario: %+v", s)
		}
		for _, c := range s.Conversations {
			if c.Name == "" || (c.Turns == nil) == (c.Transcript == nil) || c.Weight < 1 {
				t.Fatalf("Parse accepted an incomplete conversation: %+v", c)
			}
		}
		if s.Pick(nil) == nil {
			t.Fatal("Pick returned nil")
		}
		_ = s.Summary()
	})
}
