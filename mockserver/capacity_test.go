package mockserver

import (
	"bufio"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCapacityFIFO(t *testing.T) {
	c := newCapacity(1, 0)
	if place, err := c.enter(); place != nil || err != nil {
		t.Fatalf("enter on a free slot = %v, %v; want nil, nil", place, err)
	}
	// Three waiters line up behind the holder.
	var places []chan struct{}
	for range 3 {
		place, err := c.enter()
		if place == nil || err != nil {
			t.Fatalf("enter on a full slot = %v, %v; want a place in line", place, err)
		}
		places = append(places, place)
	}
	if inFlight, queued := c.load(); inFlight != 1 || queued != 3 {
		t.Fatalf("load() = %d, %d; want 1, 3", inFlight, queued)
	}
	// The second waiter gives up; the others get the slot in order.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.wait(ctx, nil, places[1]); !errors.Is(err, context.Canceled) {
		t.Fatalf("wait with a canceled ctx = %v, want context.Canceled", err)
	}
	for _, i := range []int{0, 2} {
		c.release()
		if err := c.wait(context.Background(), nil, places[i]); err != nil {
			t.Fatalf("waiter %d: wait = %v, want nil", i, err)
		}
	}
	c.release()
	if inFlight, queued := c.load(); inFlight != 0 || queued != 0 {
		t.Errorf("load() after all released = %d, %d; want 0, 0", inFlight, queued)
	}
}

func TestCapacityHandOverOnCancel(t *testing.T) {
	// A waiter that gives up as it is handed the slot passes it on. Which of
	// the two happens first is up to select, so try both many times.
	stop := make(chan struct{})
	close(stop)
	for range 50 {
		c := newCapacity(1, 0)
		c.enter()
		a, _ := c.enter()
		b, _ := c.enter()
		c.release() // hands the slot to a
		if err := c.wait(context.Background(), stop, a); err == nil {
			c.release()
		}
		if err := c.wait(context.Background(), nil, b); err != nil {
			t.Fatalf("b: wait = %v, want nil", err)
		}
		c.release()
		if inFlight, queued := c.load(); inFlight != 0 || queued != 0 {
			t.Fatalf("load() = %d, %d; want 0, 0", inFlight, queued)
		}
	}
}

func TestCapacityQueueLimit(t *testing.T) {
	c := newCapacity(1, 1)
	c.enter()
	if _, err := c.enter(); err != nil {
		t.Fatalf("first waiter: %v", err)
	}
	if _, err := c.enter(); !errors.Is(err, errQueueFull) {
		t.Errorf("second waiter: %v, want errQueueFull", err)
	}
}

func TestCapacityUnlimited(t *testing.T) {
	c := newCapacity(0, 0)
	for range 3 {
		if place, err := c.enter(); place != nil || err != nil {
			t.Fatalf("enter = %v, %v", place, err)
		}
	}
	if inFlight, _ := c.load(); inFlight != 3 {
		t.Errorf("in flight %d, want 3", inFlight)
	}
	for range 3 {
		c.release()
	}
	if inFlight, _ := c.load(); inFlight != 0 {
		t.Errorf("in flight %d, want 0", inFlight)
	}
}

// firstLine reads a streamed response up to its first line.
func firstLine(t *testing.T, resp *http.Response) (*bufio.Reader, string) {
	t.Helper()
	r := bufio.NewReader(resp.Body)
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("first line: %v", err)
	}
	return r, line
}

func TestServerQueue(t *testing.T) {
	// Capacity 1 and a queue of 1: A generates, B waits, C is refused.
	m := startMock(t, Config{Capacity: 1, QueueLimit: 1, Tokens: Range{2, 2}, TokenInterval: Fixed(time.Hour)})
	token := m.session("ann@example.com")
	slug := m.conversation(token, `{}`)

	a := m.request("POST", "/api/chat", token, chatBody(slug, "a"))
	defer a.Body.Close()
	firstLine(t, a) // A holds the slot: its f: and first token arrived
	bStart := time.Now()
	b := m.request("POST", "/api/chat", token, chatBody(slug, "b"))
	defer b.Body.Close()
	if b.StatusCode != 200 {
		t.Fatalf("B: status %d, want 200 (headers go out before the queue)", b.StatusCode)
	}
	waitFor(t, "B queued", func() bool { st := m.srv.Stats(); return st.Queued == 1 && st.InFlight == 1 })
	queuedSeen := time.Since(bStart)

	code, _, body := m.do("POST", "/api/chat", token, chatBody(slug, "c"))
	if code != http.StatusServiceUnavailable || m.srv.Stats().Rejections.QueueFull != 1 {
		t.Errorf("C: %d %q, queue-full count %d; want 503, 1", code, body, m.srv.Stats().Rejections.QueueFull)
	}

	a.Body.Close() // A's client goes away: its slot passes to B
	_, line := firstLine(t, b)
	bFirst := time.Since(bStart)
	if !strings.HasPrefix(line, "f:") {
		t.Errorf("B's first line %q, want f:", line)
	}
	if bFirst < queuedSeen {
		t.Errorf("B's first part after %v, but B was still queued at %v: queue time must count", bFirst, queuedSeen)
	}
	waitFor(t, "the queue to drain", func() bool { st := m.srv.Stats(); return st.Queued == 0 && st.InFlight == 1 })
}
