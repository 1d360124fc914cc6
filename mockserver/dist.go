package mockserver

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// DistKind names the shape of a Dist.
type DistKind string

// The distribution kinds.
const (
	DistFixed     DistKind = "fixed"     // always Mean
	DistUniform   DistKind = "uniform"   // uniform in [Mean−Jitter, Mean+Jitter]
	DistNormal    DistKind = "normal"    // Mean + Jitter·N(0,1), cut at 0
	DistLognormal DistKind = "lognormal" // right-skewed, mean Mean and standard deviation Jitter
	DistExp       DistKind = "exp"       // exponential with mean Mean (no Jitter: its standard deviation is its mean)
)

// Dist is a distribution of durations: a latency in the mock's model. The
// zero value is a fixed zero delay. Samples are never negative.
//
// Its text form (ParseDist, String, and the flag.Value methods) is a plain
// duration for a fixed delay ("800ms"), or KIND:MEAN[,JITTER]
// ("uniform:100ms,50ms", "lognormal:800ms,300ms"), or exp:MEAN for the
// exponential ("exp:250ms"; "exponential" is accepted as the kind): as a
// capacity-limited mock's service time it makes the mock an M/M/c queue,
// whose capacity and waiting times have closed forms.
type Dist struct {
	Kind   DistKind      // "" means fixed
	Mean   time.Duration // the mean (fixed: the value)
	Jitter time.Duration // uniform: half-width; normal and lognormal: standard deviation; fixed and exp: none
}

// Fixed returns a Dist that always yields d.
func Fixed(d time.Duration) Dist { return Dist{Kind: DistFixed, Mean: d} }

// ParseDist parses the text form of a Dist.
func ParseDist(s string) (Dist, error) {
	kind, rest, found := strings.Cut(strings.TrimSpace(s), ":")
	if !found {
		d, err := parseDuration(kind)
		if err != nil {
			return Dist{}, fmt.Errorf("mockserver: distribution: %q: %w", s, err)
		}
		return Fixed(d), nil
	}
	k := DistKind(strings.ToLower(strings.TrimSpace(kind)))
	switch k {
	case DistFixed, DistUniform, DistNormal, DistLognormal, DistExp:
	case "exponential":
		k = DistExp
	default:
		return Dist{}, fmt.Errorf("mockserver: distribution: %q: unknown kind %q (want fixed, uniform, normal, lognormal or exp)", s, kind)
	}
	meanText, jitterText, hasJitter := strings.Cut(rest, ",")
	mean, err := parseDuration(meanText)
	if err != nil {
		return Dist{}, fmt.Errorf("mockserver: distribution: %q: mean: %w", s, err)
	}
	d := Dist{Kind: k, Mean: mean}
	if hasJitter {
		if d.Jitter, err = parseDuration(jitterText); err != nil {
			return Dist{}, fmt.Errorf("mockserver: distribution: %q: jitter: %w", s, err)
		}
	}
	if k == DistFixed && d.Jitter != 0 {
		return Dist{}, fmt.Errorf("mockserver: distribution: %q: a fixed delay has no jitter", s)
	}
	if k == DistExp && hasJitter {
		return Dist{}, fmt.Errorf("mockserver: distribution: %q: an exponential has no jitter (its standard deviation is its mean)", s)
	}
	return d, nil
}

func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if d < 0 {
		return 0, fmt.Errorf("negative duration %s", d)
	}
	return d, nil
}

// String returns the text form of d, which ParseDist reads back.
func (d Dist) String() string {
	switch d.Kind {
	case "", DistFixed:
		return d.Mean.String()
	case DistExp:
		return string(DistExp) + ":" + d.Mean.String()
	}
	return string(d.Kind) + ":" + d.Mean.String() + "," + d.Jitter.String()
}

// Set parses s into d (flag.Value).
func (d *Dist) Set(s string) error {
	v, err := ParseDist(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Sample draws one duration from math/rand/v2's global source. It is safe
// for concurrent use.
func (d Dist) Sample() time.Duration { return d.sample(nil) }

// sample draws one duration from src (nil: the global source).
func (d Dist) sample(src *randSource) time.Duration {
	mean, jitter := float64(d.Mean), float64(d.Jitter)
	var v float64
	switch d.Kind {
	case DistUniform:
		v = mean - jitter + 2*jitter*src.Float64()
	case DistNormal:
		v = mean + jitter*src.NormFloat64()
	case DistExp:
		v = mean * src.ExpFloat64()
	case DistLognormal:
		if mean <= 0 {
			return 0
		}
		// σ² = ln(1 + (J/M)²) and μ = ln M − σ²/2 give mean M and
		// standard deviation J.
		s2 := math.Log1p((jitter / mean) * (jitter / mean))
		v = mean * math.Exp(math.Sqrt(s2)*src.NormFloat64()-s2/2)
	default:
		return d.Mean
	}
	if v <= 0 {
		return 0
	}
	if v >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(v)
}

func (d Dist) validate(name string) error {
	switch d.Kind {
	case "", DistFixed, DistUniform, DistNormal, DistLognormal, DistExp:
	default:
		return fmt.Errorf("mockserver: config: %s: unknown distribution kind %q", name, d.Kind)
	}
	if d.Mean < 0 || d.Jitter < 0 {
		return fmt.Errorf("mockserver: config: %s: negative duration in %s", name, d)
	}
	if d.Kind == DistExp && d.Jitter != 0 {
		return fmt.Errorf("mockserver: config: %s: an exponential has no jitter", name)
	}
	return nil
}

// Range is an inclusive range of counts, drawn uniformly. Its text form is
// "N" or "MIN-MAX".
type Range struct {
	Min, Max int
}

// ParseRange parses "N" or "MIN-MAX" (non-negative, MIN ≤ MAX).
func ParseRange(s string) (Range, error) {
	loText, hiText, isRange := strings.Cut(s, "-")
	lo, ok := parseCount(loText)
	hi := lo
	if isRange && ok {
		hi, ok = parseCount(hiText)
	}
	if !ok {
		return Range{}, fmt.Errorf("mockserver: range: %q: want N or MIN-MAX with non-negative integers", s)
	}
	if hi < lo {
		return Range{}, fmt.Errorf("mockserver: range: %q: max %d below min %d", s, hi, lo)
	}
	return Range{Min: lo, Max: hi}, nil
}

// parseCount parses a non-negative decimal integer, digits only.
func parseCount(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// String returns the text form of r, which ParseRange reads back.
func (r Range) String() string {
	if r.Min == r.Max {
		return strconv.Itoa(r.Min)
	}
	return strconv.Itoa(r.Min) + "-" + strconv.Itoa(r.Max)
}

// Set parses s into r (flag.Value).
func (r *Range) Set(s string) error {
	v, err := ParseRange(s)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Sample draws a count uniformly from [Min, Max] from math/rand/v2's global
// source. It is safe for concurrent use.
func (r Range) Sample() int { return r.sample(nil) }

// sample draws a count uniformly from [Min, Max] from src (nil: the global source).
func (r Range) sample(src *randSource) int {
	if r.Max <= r.Min {
		return r.Min
	}
	return r.Min + src.IntN(r.Max-r.Min+1)
}
