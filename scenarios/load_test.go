package scenarios

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLoadOverride(t *testing.T) {
	open := Load{Model: Open, Duration: time.Minute, Stages: []Stage{{Duration: time.Minute, Target: Rate{10, time.Second}}}, MaxSessions: 50, Burst: 1}
	closed := Load{Model: Closed, Duration: time.Minute, Users: 5, Burst: 1}
	tests := []struct {
		name  string
		load  Load
		flags map[string]string
		want  Load   // when wantErr is ""
		err   string // the error's text, when it must fail
	}{
		{"nothing", open, nil, open, ""},
		{"rate replaces stages", open, map[string]string{"rate": "50/s"},
			Load{Model: Open, Duration: time.Minute, Rate: Rate{50, time.Second}, MaxSessions: 50, Burst: 1}, ""},
		{"users replaces the open model", open, map[string]string{"users": "20"},
			Load{Model: Closed, Duration: time.Minute, Users: 20, MaxSessions: 50, Burst: 1}, ""},
		{"rate replaces the closed model", closed, map[string]string{"rate": " 2.5/s "},
			Load{Model: Open, Duration: time.Minute, Rate: Rate{25, 10 * time.Second}, Burst: 1}, ""},
		{"duration only", closed, map[string]string{"duration": "90s"},
			Load{Model: Closed, Duration: 90 * time.Second, Users: 5, Burst: 1}, ""},
		{"rate and users", open, map[string]string{"rate": "5/s", "users": "3"}, open,
			"--rate (open model) and --users (closed model) exclude each other"},
		{"zero rate", open, map[string]string{"rate": "0/s"}, open, "--rate: rate 0/s is out of range (want more than 0)"},
		{"bad rate", open, map[string]string{"rate": "fast"}, open, `--rate: bad rate "fast": want a non-negative number of events, got "fast"`},
		{"no users", closed, map[string]string{"users": "0"}, closed, "--users: 0 is out of range (want 1 to 1000000)"},
		{"negative users", closed, map[string]string{"users": "-3"}, closed, "--users: -3 is out of range (want 1 to 1000000)"},
		{"users not a number", closed, map[string]string{"users": "ten"}, closed, `--users: want an integer, got "ten"`},
		{"negative duration", closed, map[string]string{"duration": "-1s"}, closed, "--duration: duration -1s is out of range (want at least 1ms)"},
		{"duration without unit", closed, map[string]string{"duration": "30"}, closed,
			`--duration: bad duration "30" (want e.g. 2s, 500ms or 1h30m): add a unit, e.g. 30s or 30ms`},
		{"duration too long", closed, map[string]string{"duration": "1000h"}, closed, "--duration: duration 1000h0m0s is out of range (want at most 720h0m0s)"},
		{"not a load flag", closed, map[string]string{"max-users": "3"}, closed, `scenarios: Override: "max-users" is not a load flag`},
		{"poisson arrivals", open, map[string]string{"arrivals": "Poisson"},
			Load{Model: Open, Duration: time.Minute, Stages: open.Stages, Arrivals: Poisson, MaxSessions: 50, Burst: 1}, ""},
		{"constant arrivals", open, map[string]string{"arrivals": "constant"},
			Load{Model: Open, Duration: time.Minute, Stages: open.Stages, Arrivals: Constant, MaxSessions: 50, Burst: 1}, ""},
		{"poisson with a rate", closed, map[string]string{"rate": "5/s", "arrivals": "poisson"},
			Load{Model: Open, Duration: time.Minute, Rate: Rate{5, time.Second}, Arrivals: Poisson, Burst: 1}, ""},
		{"users drop the open model's arrivals", Load{Model: Open, Duration: time.Minute, Rate: Rate{5, time.Second}, Arrivals: Poisson, Burst: 1},
			map[string]string{"users": "4"}, Load{Model: Closed, Duration: time.Minute, Users: 4, Burst: 1}, ""},
		{"poisson for users", closed, map[string]string{"arrivals": "poisson"}, closed,
			"--arrivals poisson: Poisson arrivals need the open model (--rate, or arrival_rate or stages in the scenario), not the closed one"},
		{"bad arrivals", open, map[string]string{"arrivals": "bursty"}, open, `--arrivals: want constant or poisson, got "bursty"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := tt.load
			l.Stages = append([]Stage(nil), tt.load.Stages...)
			err := l.Override(tt.flags)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("Override(%v) error = %v, want %q", tt.flags, err, tt.err)
				}
				if !reflect.DeepEqual(l, tt.load) {
					t.Errorf("Override(%v) failed but changed the load: %+v", tt.flags, l)
				}
				return
			}
			if err != nil {
				t.Fatalf("Override(%v) error = %v", tt.flags, err)
			}
			if !reflect.DeepEqual(l, tt.want) {
				t.Errorf("Override(%v) = %+v\nwant %+v", tt.flags, l, tt.want)
			}
		})
	}
}

// TestOverrideChecksAsTheFileDoes gives every flag's setting the same bad
// values in a scenario file and on the command line: the problem must read
// the same, since one piece of code checks both. The bad values come from
// each setting's kind and bounds, so a new setting is covered as it is.
func TestOverrideChecksAsTheFileDoes(t *testing.T) {
	for _, s := range loadSettings {
		if s.flag == "" {
			continue
		}
		var values []string
		switch s.kind {
		case intSetting:
			values = []string{fmt.Sprint(s.lo - 1), fmt.Sprint(s.hi + 1), "ten"}
		case durationSetting:
			values = []string{"0s", "-5s", "10", "1000h"}
		case rateSetting:
			values = []string{"0/s", "5/fortnight", "x"}
		case arrivalsSetting:
			values = []string{"bursty", "exponential", "0"}
		}
		for _, v := range values {
			l := Load{Model: Closed, Users: 1, Duration: time.Second}
			ferr := l.Override(map[string]string{s.flag: v})
			keys := map[string]string{"users": "1", "duration": "1s"}
			if s.model != "" && s.model != Closed {
				delete(keys, "users")
			}
			keys[s.key] = v
			var load []string
			for _, k := range slices.Sorted(maps.Keys(keys)) {
				load = append(load, k+": "+keys[k])
			}
			src := fmt.Sprintf("version: 1\nname: p\ntarget: {base_url: \"http://127.0.0.1:8080\"}\nload: {%s}\n%s",
				strings.Join(load, ", "), conv)
			_, perr := Parse("t.yaml", []byte(src))
			var pe *Error
			if ferr == nil || !errors.As(perr, &pe) || len(pe.Problems) != 1 {
				t.Errorf("--%s %s: Override error %v; file error %v: want one problem each", s.flag, v, ferr, perr)
				continue
			}
			fromFlag := strings.TrimPrefix(ferr.Error(), "--"+s.flag+": ")
			if got := pe.Problems[0].Msg; got != fromFlag {
				t.Errorf("%s: %s\n  file says %q\n  flag says %q", s.key, v, got, fromFlag)
			}
		}
	}
}

func ExampleLoad_Override() {
	sc, err := Parse("demo.yaml", []byte(`version: 1
name: demo
target: {base_url: "http://127.0.0.1:8080"}
load: {stages: [{duration: 1m, target: 10/s}], max_sessions: 100}
conversations: [{name: hi, turns: [{message: hello}]}]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	// loadgen run --users 20 --duration 30s
	if err := sc.Load.Override(map[string]string{"users": "20", "duration": "30s"}); err != nil {
		fmt.Println(err)
	}
	fmt.Println(sc.Load.Model, sc.Load.Users, sc.Load.Duration, len(sc.Load.Stages), sc.Load.MaxSessions)
	fmt.Println(sc.Load.Override(map[string]string{"rate": "0/s"}))
	// Output:
	// closed 20 30s 0 100
	// --rate: rate 0/s is out of range (want more than 0)
}

func TestArrivalsInFile(t *testing.T) {
	parse := func(load string) (*Scenario, error) {
		return Parse("a.yaml", []byte("version: 1\nname: a\ntarget: {base_url: \"http://127.0.0.1:8080\"}\nload: "+load+"\n"+conv))
	}
	sc, err := parse("{arrival_rate: 5/s, duration: 1m, arrivals: poisson}")
	if err != nil || sc.Load.Arrivals != Poisson {
		t.Errorf("open model with arrivals: poisson = %+v, %v; want Poisson", sc, err)
	}
	if sc, err = parse("{arrival_rate: 5/s, duration: 1m}"); err != nil || sc.Load.Arrivals != "" {
		t.Errorf("no arrivals key: %q, %v; want the default (\"\")", sc.Load.Arrivals, err)
	}
	_, err = parse("{users: 3, duration: 1m, arrivals: poisson}")
	if err == nil || !strings.Contains(err.Error(), "a.yaml:4:") || !strings.Contains(err.Error(), "poisson arrivals need the open model") {
		t.Errorf("closed model with arrivals: poisson: %v; want a problem at the key", err)
	}
}
