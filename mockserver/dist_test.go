package mockserver

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/internal/statmath"
)

func TestParseDist(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		in      string
		want    Dist
		wantErr bool
	}{
		{"800ms", Fixed(800 * ms), false},
		{"0", Fixed(0), false},
		{" 1s ", Fixed(time.Second), false},
		{"fixed:250ms", Fixed(250 * ms), false},
		{"uniform:100ms,50ms", Dist{DistUniform, 100 * ms, 50 * ms}, false},
		{"normal:1s,200ms", Dist{DistNormal, time.Second, 200 * ms}, false},
		{"LogNormal:800ms,300ms", Dist{DistLognormal, 800 * ms, 300 * ms}, false},
		{"lognormal:800ms", Dist{DistLognormal, 800 * ms, 0}, false},
		{"exp:250ms", Dist{DistExp, 250 * ms, 0}, false},
		{"Exponential:1s", Dist{DistExp, time.Second, 0}, false},
		{"exp:250ms,10ms", Dist{}, true},
		{"", Dist{}, true},
		{"fast", Dist{}, true},
		{"-5ms", Dist{}, true},
		{"gamma:1s,1s", Dist{}, true},
		{"uniform:1s,-1s", Dist{}, true},
		{"uniform:x", Dist{}, true},
		{"fixed:1s,1s", Dist{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDist(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseDist(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func FuzzParseDist(f *testing.F) {
	for _, s := range []string{"800ms", "exp:250ms", "uniform:100ms,50ms", "lognormal:1s,300ms", "normal:0,0", "fixed:1h", "x:y,z", ":,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDist(s)
		if err != nil {
			return
		}
		again, err := ParseDist(d.String())
		if err != nil || again != d {
			t.Errorf("ParseDist(%q) = %+v; its String %q parses to %+v, %v", s, d, d.String(), again, err)
		}
		if d.Mean < 0 || d.Jitter < 0 {
			t.Errorf("ParseDist(%q) = %+v: negative", s, d)
		}
		if v := d.Sample(); v < 0 {
			t.Errorf("%+v.Sample() = %v, want ≥ 0", d, v)
		}
	})
}

func TestDistSample(t *testing.T) {
	ms := time.Millisecond
	const n = 20000
	tests := []struct {
		name     string
		d        Dist
		min, max time.Duration // every sample in [min, max]
		meanTol  float64       // relative tolerance of the sample mean against d.Mean
	}{
		{"zero", Dist{}, 0, 0, 0},
		{"fixed", Fixed(40 * ms), 40 * ms, 40 * ms, 0},
		{"uniform", Dist{DistUniform, 100 * ms, 50 * ms}, 50 * ms, 150 * ms, 0.02},
		{"uniform clipped at 0", Dist{DistUniform, 10 * ms, 50 * ms}, 0, 60 * ms, -1},
		{"normal", Dist{DistNormal, 100 * ms, 10 * ms}, 0, time.Hour, 0.02},
		{"lognormal", Dist{DistLognormal, 100 * ms, 50 * ms}, 1, time.Hour, 0.05},
		{"exp", Dist{DistExp, 100 * ms, 0}, 0, time.Hour, 0.03},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sum float64
			for range n {
				v := tt.d.Sample()
				if v < tt.min || v > tt.max {
					t.Fatalf("%v.Sample() = %v, want in [%v, %v]", tt.d, v, tt.min, tt.max)
				}
				sum += float64(v)
			}
			mean := sum / n
			if tt.meanTol >= 0 && math.Abs(mean-float64(tt.d.Mean)) > tt.meanTol*float64(tt.d.Mean) {
				t.Errorf("mean of %d samples of %v = %v, want %v ± %.0f%%", n, tt.d, time.Duration(mean), tt.d.Mean, 100*tt.meanTol)
			}
		})
	}
}

func TestLognormalSpread(t *testing.T) {
	d := Dist{DistLognormal, 100 * time.Millisecond, 50 * time.Millisecond}
	const n = 40000
	var sum, sq float64
	for range n {
		v := float64(d.Sample())
		sum += v
		sq += v * v
	}
	mean := sum / n
	sd := math.Sqrt(sq/n - mean*mean)
	if math.Abs(sd-float64(d.Jitter)) > 0.1*float64(d.Jitter) {
		t.Errorf("standard deviation of %v = %v, want %v ± 10%%", d, time.Duration(sd), d.Jitter)
	}
}

func TestParseRange(t *testing.T) {
	tests := []struct {
		in      string
		want    Range
		wantErr bool
	}{
		{"40", Range{40, 40}, false},
		{"20-60", Range{20, 60}, false},
		{" 1 - 2 ", Range{1, 2}, false},
		{"0", Range{0, 0}, false},
		{"", Range{}, true},
		{"-5", Range{}, true},
		{"5-", Range{}, true},
		{"60-20", Range{}, true},
		{"1-2-3", Range{}, true},
		{"+4", Range{}, true},
		{"x", Range{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRange(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseRange(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"40", "20-60", "0-0", "9999999999999999999", "1--2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRange(s)
		if err != nil {
			return
		}
		if r.Min < 0 || r.Max < r.Min {
			t.Fatalf("ParseRange(%q) = %+v", s, r)
		}
		if again, err := ParseRange(r.String()); err != nil || again != r {
			t.Errorf("ParseRange(%q) = %+v; its String %q parses to %+v, %v", s, r, r.String(), again, err)
		}
		if v := r.Sample(); v < r.Min || v > r.Max {
			t.Errorf("%+v.Sample() = %d", r, v)
		}
	})
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string // error substring; "" for valid
	}{
		{"zero with secret", Config{Secret: "s"}, ""},
		{"default with secret", func() Config { c := DefaultConfig(); c.Secret = "s"; return c }(), ""},
		{"no secret", Config{}, "Secret: empty"},
		{"share above 1", Config{Secret: "s", Faults: Faults{Reset: 1.5}}, "Faults.Reset: 1.5 not in [0, 1]"},
		{"NaN share", Config{Secret: "s", DataPart: math.NaN()}, "DataPart"},
		{"negative capacity", Config{Secret: "s", Capacity: -1}, "Capacity: -1 is negative"},
		{"zero tokens", Config{Secret: "s", Tokens: Range{0, 5}}, "Tokens"},
		{"negative delay", Config{Secret: "s", TTFT: Dist{Mean: -1}}, "TTFT"},
		{"bad kind", Config{Secret: "s", AsyncDelay: Dist{Kind: "gamma"}}, "AsyncDelay"},
		{"negative stall", Config{Secret: "s", Faults: Faults{StallFor: -time.Second}}, "Faults.StallFor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.cfg)
			if s != nil {
				s.Close()
			}
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), "mockserver: config: "+tt.want)) {
				t.Errorf("New(%s) error = %v, want %q", tt.name, err, tt.want)
			}
		})
	}
}

// TestExpIsExponential compares seeded exp:MEAN samples with the exponential
// law by a Kolmogorov–Smirnov test: with 5 000 samples the statistic
// exceeds 1.63/√n with probability 1 % under the law, and the seed makes
// the outcome fixed.
func TestExpIsExponential(t *testing.T) {
	d := Dist{Kind: DistExp, Mean: 200 * time.Millisecond}
	src := newRandSource(42)
	const n = 5000
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = float64(d.sample(src)) / float64(d.Mean)
	}
	slices.Sort(xs)
	ks := statmath.KS(xs, func(x float64) float64 { return 1 - math.Exp(-x) })
	if limit := 1.63 / math.Sqrt(n); ks > limit {
		t.Errorf("KS distance of %d samples of %v from the exponential = %.4f, want ≤ %.4f", n, d, ks, limit)
	}
}

func TestSeededDrawsRepeat(t *testing.T) {
	draw := func(src *randSource) []time.Duration {
		var out []time.Duration
		for range 50 {
			out = append(out, Dist{Kind: DistExp, Mean: time.Second}.sample(src),
				Dist{Kind: DistLognormal, Mean: time.Second, Jitter: time.Second}.sample(src),
				time.Duration(Range{1, 100}.sample(src)))
			if src.chance(0.5) {
				out = append(out, -1)
			}
		}
		return out
	}
	a, b, c := draw(newRandSource(7)), draw(newRandSource(7)), draw(newRandSource(8))
	if !slices.Equal(a, b) {
		t.Errorf("two sources seeded 7 drew different sequences:\n%v\n%v", a, b)
	}
	if slices.Equal(a, c) {
		t.Errorf("sources seeded 7 and 8 drew the same sequence")
	}
	if newRandSource(0) != nil {
		t.Errorf("newRandSource(0) is seeded; want nil (the global source)")
	}
	srv, err := New(Config{Secret: "s", Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if got := draw(srv.rand); !slices.Equal(got, a) {
		t.Errorf("a server with Config.Seed 7 drew %v, want %v", got, a)
	}
}
