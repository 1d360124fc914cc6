package runner

import (
	"errors"
	"sync"
	"testing"
)

func TestWorkersRun(t *testing.T) {
	w := newWorkers(GoClock{})
	want := errors.New("boom")
	ran := false
	if err := w.run(func() error { ran = true; return want }); err != want || !ran {
		t.Errorf("run(f) = %v (ran %v), want f's error and f run", err, ran)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	n := 0
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.run(func() error { mu.Lock(); n++; mu.Unlock(); return nil })
		}()
	}
	wg.Wait()
	if n != 50 {
		t.Errorf("50 concurrent runs ran %d jobs, want 50", n)
	}
	w.stop()
	if err := w.run(func() error { return nil }); err != nil {
		t.Errorf("run after stop = %v, want nil", err)
	}
}

func BenchmarkWorkersRun(b *testing.B) {
	w := newWorkers(GoClock{})
	defer w.stop()
	b.ReportAllocs()
	for b.Loop() {
		w.run(func() error { return nil })
	}
}
