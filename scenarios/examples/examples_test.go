package examples_test

import (
	"fmt"
	"io/fs"
	"path"
	"testing"

	"github.com/loadgen/loadgen/scenarios"
	"github.com/loadgen/loadgen/scenarios/examples"
)

// noEnv resolves every ${NAME} to its default, as on a machine with none set.
func noEnv(string) (string, bool) { return "", false }

func TestEveryExampleIsValid(t *testing.T) {
	names, err := fs.Glob(examples.FS, "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 4 {
		t.Fatalf("fs.Glob(examples.FS, \"*.yaml\") = %v, want demo, smoke, soak and feeders at least", names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			s, err := examples.Load(name, scenarios.WithLookupEnv(noEnv))
			if err != nil {
				t.Fatalf("examples.Load(%q): %v", name, err)
			}
			if want := name[:len(name)-len(path.Ext(name))]; s.Name != want {
				t.Errorf("examples.Load(%q).Name = %q, want %q", name, s.Name, want)
			}
			t.Log(s.Summary())
		})
	}
}

func TestDemoShape(t *testing.T) {
	s, err := examples.Load("demo.yaml", scenarios.WithLookupEnv(noEnv))
	if err != nil {
		t.Fatal(err)
	}
	if s.Load.Model != scenarios.Open || len(s.Load.Stages) < 2 {
		t.Errorf("demo load = %+v, want an open model with a ramp stage and a steady one", s.Load)
	}
	if d := s.Load.Duration.Seconds(); d < 15 || d > 25 {
		t.Errorf("demo duration = %v, want about 20s", s.Load.Duration)
	}
	var prompt, async bool
	for _, c := range s.Conversations {
		prompt = prompt || c.IsPrompt
		async = async || c.Mode == scenarios.Async
	}
	if !prompt || !async || s.Users.AnonymousShare == 0 {
		t.Errorf("demo has is_prompt=%v, async=%v, anonymous=%v; want all three", prompt, async, s.Users.AnonymousShare)
	}
}

func ExampleLoad() {
	s, err := examples.Load("smoke.yaml", scenarios.WithLookupEnv(noEnv))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Summary())
	fmt.Println(s.Target.BaseURL)
	// Output:
	// smoke: closed model, 3 users for 15s, 2 conversations with 3 turns, 3 thresholds
	// http://127.0.0.1:8080
}
