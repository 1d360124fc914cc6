package runner

import (
	"errors"
	"testing"
)

func TestOnFreshStack(t *testing.T) {
	want := errors.New("boom")
	ran := false
	if err := onFreshStack(func() error { ran = true; return want }); err != want || !ran {
		t.Errorf("onFreshStack(f) = %v (ran %v), want f's error and f run", err, ran)
	}
	if err := onFreshStack(func() error { return nil }); err != nil {
		t.Errorf("onFreshStack(nil-returning f) = %v, want nil", err)
	}
}

func BenchmarkOnFreshStack(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		onFreshStack(func() error { return nil })
	}
}
