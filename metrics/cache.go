package metrics

import (
	"sync"
	"sync/atomic"
)

// cowMap is a copy-on-write map for the hot path: lookups are one atomic load
// and a map read, with no lock and no allocation; inserts copy the map under a
// mutex. It suits small, bounded key sets that stop growing early in a run
// (conversations, steps, status codes, error kinds).
type cowMap[K comparable, V any] struct {
	mu sync.Mutex // serializes inserts; readers never take it
	m  atomic.Pointer[map[K]V]
}

// load returns the value for k, if present.
func (c *cowMap[K, V]) load(k K) (V, bool) {
	if m := c.m.Load(); m != nil {
		v, ok := (*m)[k]
		return v, ok
	}
	var zero V
	return zero, false
}

// loadOrCreate returns the value for k, calling create under the insert lock
// to make it when k is absent. When create reports false the value is
// returned but not stored (the caller maps k to a shared fallback).
func (c *cowMap[K, V]) loadOrCreate(k K, create func(n int) (V, bool)) V {
	if v, ok := c.load(k); ok {
		return v
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	var n int
	if old != nil {
		if v, ok := (*old)[k]; ok {
			return v
		}
		n = len(*old)
	}
	v, store := create(n)
	if !store {
		return v
	}
	m := make(map[K]V, n+1)
	if old != nil {
		for k2, v2 := range *old {
			m[k2] = v2
		}
	}
	m[k] = v
	c.m.Store(&m)
	return v
}
