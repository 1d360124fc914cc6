package scenarios

import (
	"strings"
	"testing"
	"time"
)

func TestParseRate(t *testing.T) {
	tests := []struct {
		in      string
		want    Rate
		perSec  float64
		wantErr string
	}{
		{in: "5/s", want: Rate{5, time.Second}, perSec: 5},
		{in: "5", want: Rate{5, time.Second}, perSec: 5},
		{in: " 30 / m ", want: Rate{30, time.Minute}, perSec: 0.5},
		{in: "3600/h", want: Rate{3600, time.Hour}, perSec: 1},
		{in: "10/1s", want: Rate{10, time.Second}, perSec: 10},
		{in: "1/100ms", want: Rate{1, 100 * time.Millisecond}, perSec: 10},
		{in: "2/ms", want: Rate{2, time.Millisecond}, perSec: 2000},
		{in: "0.5/s", want: Rate{5, 10 * time.Second}, perSec: 0.5},
		{in: "2.50/m", want: Rate{25, 10 * time.Minute}, perSec: 25.0 / 600},
		{in: ".25", want: Rate{25, 100 * time.Second}, perSec: 0.25},
		{in: "0/s", want: Rate{0, time.Second}, perSec: 0},
		{in: "", wantErr: `bad rate "": want a non-negative number of events, got ""`},
		{in: "-5/s", wantErr: "want a non-negative number"},
		{in: "five/s", wantErr: "want a non-negative number"},
		{in: "1e3/s", wantErr: "want a non-negative number"},
		{in: "5/", wantErr: "no period after '/'"},
		{in: "5/fortnight", wantErr: `bad period "1fortnight"`},
		{in: "5/-1s", wantErr: "period must be positive"},
		{in: "5/0s", wantErr: "period must be positive"},
		{in: "1.1234567/s", wantErr: "more than 6 decimals"},
		{in: "99999999999/s", wantErr: "more than 1000000000 events"},
		{in: "0.000001/2562047h", wantErr: "period too long"},
	}
	for _, tt := range tests {
		got, err := ParseRate(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "scenarios: ") {
				t.Errorf("ParseRate(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			continue
		}
		if ps := got.PerSecond(); ps < tt.perSec*0.999999 || ps > tt.perSec*1.000001 {
			t.Errorf("ParseRate(%q).PerSecond() = %v, want %v", tt.in, ps, tt.perSec)
		}
	}
}

func TestRateString(t *testing.T) {
	tests := []struct {
		r    Rate
		want string
	}{
		{Rate{5, time.Second}, "5/s"},
		{Rate{30, time.Minute}, "30/m"},
		{Rate{2, time.Hour}, "2/h"},
		{Rate{1, 100 * time.Millisecond}, "1/100ms"},
		{Rate{5, 10 * time.Second}, "0.5/s"},
		{Rate{1129, 1000 * time.Minute}, "1.129/m"}, // as ParseRate reads "1.129/m", not "1129/16h40m0s"
		{Rate{20453, 1000 * time.Hour}, "20.453/h"},
		{Rate{7, 30 * time.Second}, "7/30s"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.r, got, tt.want)
		}
		if back, err := ParseRate(tt.want); err != nil || back != tt.r {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", tt.want, back, err, tt.r)
		}
	}
}

func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"5/s", "0.5/m", "1/100ms", "7", "", "/", "1.", "9/1h2m3s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRate(s)
		if err != nil {
			return
		}
		if r.Freq < 0 || r.Freq > maxRateFreq || r.Per <= 0 {
			t.Fatalf("ParseRate(%q) = %#v: out of range", s, r)
		}
		back, err := ParseRate(r.String())
		if err != nil || back.PerSecond() != r.PerSecond() {
			t.Fatalf("ParseRate(%q) = %v, but ParseRate(%q) = %v, %v", s, r, r.String(), back, err)
		}
	})
}
