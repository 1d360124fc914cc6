package scenarios

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// maxRateFreq bounds a rate's count so that the arithmetic on it cannot overflow.
const maxRateFreq = 1_000_000_000

// ParseRate parses a rate: "N/s", "N/m", "N/h", "N/1s", "N/100ms" (any Go
// duration after the slash), or a bare number meaning per second. N may have
// up to six decimals ("0.5/s" is 5 per 10s). The rate is exact: N and the
// period are scaled by a power of ten instead of rounded.
func ParseRate(s string) (Rate, error) {
	num, unit, hasUnit := strings.Cut(strings.TrimSpace(s), "/")
	num = strings.TrimSpace(num)
	per := time.Second
	if hasUnit {
		unit = strings.TrimSpace(unit)
		if unit == "" {
			return Rate{}, fmt.Errorf("scenarios: bad rate %q: no period after '/' (want e.g. 5/s)", s)
		}
		if c := unit[0]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			unit = "1" + unit // "s" means "1s"
		}
		d, err := time.ParseDuration(unit)
		if err != nil {
			return Rate{}, fmt.Errorf("scenarios: bad rate %q: bad period %q (want s, m, h or a duration such as 100ms)", s, unit)
		}
		if d <= 0 {
			return Rate{}, fmt.Errorf("scenarios: bad rate %q: period must be positive", s)
		}
		per = d
	}
	freq, scale, err := parseDecimal(num)
	if err != nil {
		return Rate{}, fmt.Errorf("scenarios: bad rate %q: %w", s, err)
	}
	if per > time.Duration(math.MaxInt64/scale) {
		return Rate{}, fmt.Errorf("scenarios: bad rate %q: period too long", s)
	}
	return Rate{Freq: freq, Per: per * time.Duration(scale)}, nil
}

// parseDecimal parses a non-negative decimal with up to six fraction digits
// as digits/scale, with scale a power of ten, e.g. "2.50" is 25/10.
func parseDecimal(s string) (digits int, scale int64, err error) {
	whole, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	if whole == "" && frac == "" || !allDigits(whole) || !allDigits(frac) {
		return 0, 0, fmt.Errorf("want a non-negative number of events, got %q", s)
	}
	if len(frac) > 6 {
		return 0, 0, errors.New("more than 6 decimals")
	}
	n, err := strconv.ParseUint(whole+frac, 10, 64)
	if err != nil || n > maxRateFreq {
		return 0, 0, fmt.Errorf("more than %d events", maxRateFreq)
	}
	scale = 1
	for range len(frac) {
		scale *= 10
	}
	return int(n), scale, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String formats the rate the way ParseRate reads it, e.g. "5/s", "30/m",
// "5/10s".
func (r Rate) String() string {
	n := strconv.Itoa(r.Freq)
	switch r.Per {
	case 0, time.Second:
		return n + "/s"
	case time.Minute:
		return n + "/m"
	case time.Hour:
		return n + "/h"
	}
	// A decimal rate as ParseRate reads it: 1.129/m is 1129 per 1000m.
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		scale, frac := int64(1), 0
		for r.Per > u.d*time.Duration(scale) && frac < 6 {
			scale, frac = scale*10, frac+1
		}
		if frac > 0 && r.Per == u.d*time.Duration(scale) {
			return strings.TrimRight(strings.TrimRight(strconv.FormatFloat(float64(r.Freq)/float64(scale), 'f', frac, 64), "0"), ".") + "/" + u.name
		}
	}
	return n + "/" + r.Per.String()
}
