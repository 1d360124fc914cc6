package runner

// onFreshStack runs f on a short-lived goroutine and waits for it.
//
// A user's goroutine lives for the whole run and spends most of it parked
// in think time. The HTTP client, the JSON codecs and the stream parsers
// need 4–8 KB of stack; run on the user's goroutine they grow its stack to
// 8 KB, and Go shrinks a parked goroutine's stack only at a GC and only when
// three quarters of it are unused, so every idle user kept 8 KB. Run here,
// the deep calls use a goroutine that ends with the request, whose stack the
// runtime reuses for the next one, and an idle user's own stack stays at
// 2–4 KB. The hand-off costs about a microsecond per request.
func onFreshStack(f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	return <-done
}
