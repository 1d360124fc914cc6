package runner

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/loadgen/loadgen/helperapi"
	"github.com/loadgen/loadgen/results"
)

// TestKindMappingExhaustive checks the one switch from the client's failure
// classes to results' kinds: every helperapi.Kind maps to a distinct known
// kind with the same public string, and those plus the runner's own kinds
// are exactly results.Kinds(), so a kind added on either side without the
// other fails here.
func TestKindMappingExhaustive(t *testing.T) {
	reached := map[results.Kind]helperapi.Kind{}
	for _, hk := range helperapi.Kinds() {
		k, ok := mapKind(hk)
		if !ok {
			t.Errorf("mapKind(%q) is not mapped: add it to runner/kinds.go (and to results/vocab.go)", hk)
			continue
		}
		if !k.Known() {
			t.Errorf("mapKind(%q) = %q, not one of results.Kinds()", hk, k)
		}
		if string(k) != string(hk) {
			t.Errorf("mapKind(%q) = %q: the public string changed", hk, k)
		}
		if prev, dup := reached[k]; dup {
			t.Errorf("mapKind(%q) and mapKind(%q) are both %q", prev, hk, k)
		}
		reached[k] = hk
		if got := kindOf(&helperapi.Error{Kind: hk}); got != k {
			t.Errorf("kindOf(&helperapi.Error{Kind: %q}) = %q, want %q", hk, got, k)
		}
	}
	for _, k := range runnerKinds {
		if _, dup := reached[k]; dup || !k.Known() {
			t.Errorf("runner kind %q: also mapped from the client, or not in results.Kinds()", k)
		}
		reached[k] = ""
	}
	for _, k := range results.Kinds() {
		if _, ok := reached[k]; !ok {
			t.Errorf("results kind %q is neither mapped from a helperapi.Kind nor one of runnerKinds", k)
		}
	}
	if len(reached) != len(results.Kinds()) {
		t.Errorf("reached %d kinds, results.Kinds() has %d", len(reached), len(results.Kinds()))
	}
}

func TestKindOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want results.Kind
	}{
		{nil, ""},
		{context.Canceled, results.KindCanceled},
		{fmt.Errorf("wrapped: %w", context.DeadlineExceeded), results.KindTimeout},
		{errors.New("connection reset"), results.KindNetwork},
		{fmt.Errorf("x: %w", &helperapi.Error{Kind: helperapi.KindHTTP5xx}), results.KindHTTP5xx},
	} {
		if got := kindOf(tc.err); got != tc.want {
			t.Errorf("kindOf(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// TestShapeMappingExhaustive checks shapeOf like kinds: every helperapi
// shape maps to a known results shape with the same string, and every
// results shape is reached.
func TestShapeMappingExhaustive(t *testing.T) {
	var reached []results.Shape
	for _, hs := range helperapi.Shapes() {
		s := shapeOf(hs)
		if !s.Known() || string(s) != string(hs) || slices.Contains(reached, s) {
			t.Errorf("shapeOf(%q) = %q: want a distinct one of results.Shapes() with the same string", hs, s)
		}
		reached = append(reached, s)
	}
	for _, s := range results.Shapes() {
		if !slices.Contains(reached, s) {
			t.Errorf("results shape %q is not reached from any helperapi.Shapes(): map it in runner/kinds.go", s)
		}
	}
}
