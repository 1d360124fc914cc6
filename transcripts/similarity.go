package transcripts

import (
	"math"
	"strings"
	"unicode"
)

// Similarity returns the cosine similarity of the word counts of a and b,
// from 0 (no word in common) to 1 (the same words in the same proportions).
// Words are runs of letters and digits, compared without case. Two texts
// without words are similar (1); one without words is not (0). It is a
// cheap check that a reply is about what the recorded reply was about, not
// a measure of quality.
func Similarity(a, b string) float64 {
	wa, wb := wordCounts(a), wordCounts(b)
	if len(wa) == 0 || len(wb) == 0 {
		if len(wa) == len(wb) {
			return 1
		}
		return 0
	}
	var dot, na, nb float64
	for w, x := range wa {
		na += float64(x * x)
		dot += float64(x * wb[w])
	}
	for _, y := range wb {
		nb += float64(y * y)
	}
	return min(dot/math.Sqrt(na*nb), 1)
}

// wordCounts counts the words of s.
func wordCounts(s string) map[string]int {
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	counts := make(map[string]int, len(words))
	for _, w := range words {
		counts[strings.ToLower(w)]++
	}
	return counts
}
