package mockserver

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Roles of stored messages, as GET conversation shows them (Helper's
// ai_assistant is "assistant"). The mock writes no staff messages.
const (
	roleUser      = "user"
	roleAssistant = "assistant"
	roleStaff     = "staff"
)

// message is one stored message.
type message struct {
	id          int64
	role        string
	content     string
	createdAt   time.Time
	attachments []storedAttachment // the files a user message carried
	reaction    reactionState
}

// storedAttachment is what the mock keeps of an attachment: not its bytes.
type storedAttachment struct {
	name, contentType string
	size              int // decoded bytes
}

// reactionState is a message's reaction (Helper's reactionType, reactionFeedback,
// reactionCreatedAt); the zero value is none.
type reactionState struct {
	kind     string // "", "thumbs-up" or "thumbs-down"
	feedback *string
	at       time.Time
}

// conversation is one stored conversation. Its fixed fields are set at
// creation; mu guards the rest.
type conversation struct {
	slug      string
	owner     string // "email:<email>" or "anon:<anonymousSessionId>"
	subject   string
	isPrompt  bool
	createdAt time.Time

	mu           sync.Mutex
	messages     []message // oldest first, at most MaxMessages
	count        int       // messages ever added
	userMessages int       // user messages ever added
	escalated    bool      // handed to a human: a reply called request_human_support (Helper: assignedToAI false)
	lastRead     time.Time // Helper's lastReadAt: set by reads that mark read and by each user message (zero: never)
	latestAt     time.Time // Helper's lastMessageAt: any message; orders the list
	recent       string    // the latest user or staff message (the list's latestMessage)
	recentAt     time.Time // its time (zero: none)
}

// add stores m, dropping the oldest message beyond max.
func (c *conversation) add(m message, max int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.addLocked(m, max)
}

// addLocked is add with c.mu held. As Helper's createConversationMessage
// does, a user message also marks the conversation read.
func (c *conversation) addLocked(m message, max int) {
	if len(c.messages) >= max {
		n := copy(c.messages, c.messages[len(c.messages)-max+1:])
		clear(c.messages[n:])
		c.messages = c.messages[:n]
	}
	c.messages = append(c.messages, m)
	c.count++
	c.latestAt = m.createdAt
	switch m.role {
	case roleUser:
		c.userMessages++
		c.lastRead = m.createdAt
		fallthrough
	case roleStaff:
		c.recent, c.recentAt = m.content, m.createdAt
	}
}

// findLocked returns the stored message with id, or nil. c.mu must be held.
func (c *conversation) findLocked(id int64) *message {
	for i := len(c.messages) - 1; i >= 0; i-- {
		if c.messages[i].id == id {
			return &c.messages[i]
		}
	}
	return nil
}

// unreadLocked reports whether the list shows c unread: a user or staff
// message newer than the last read (AI replies never count there).
// c.mu must be held.
func (c *conversation) unreadLocked() bool {
	return !c.recentAt.IsZero() && (c.lastRead.IsZero() || c.recentAt.After(c.lastRead))
}

// countsAsUnreadLocked reports whether GET …/conversations/unread counts c:
// it has a message, and none was read or any message (of any role, AI
// replies included) is newer than the last read. c.mu must be held.
func (c *conversation) countsAsUnreadLocked() bool {
	return c.count > 0 && (c.lastRead.IsZero() || c.latestAt.After(c.lastRead))
}

// store holds conversations in memory, bounded by MaxConversations (oldest
// created evicted first) and the reply cache, bounded by ReplyCacheSize.
// Safe for concurrent use; mu is held only for map and index updates.
type store struct {
	maxConvs, maxMsgs, maxCache int
	nextID                      atomic.Int64 // message ids, from 1
	evicted                     atomic.Int64

	mu     sync.Mutex
	convs  map[string]*conversation
	owners map[string][]*conversation
	order  []*conversation // creation order, for eviction
	cache  map[string]cached
	cacheQ []string // cache keys in insertion order, for eviction
}

// cached is a reply-cache entry.
type cached struct {
	reply string
	at    time.Time
}

func newStore(maxConvs, maxMsgs, maxCache int) *store {
	return &store{
		maxConvs: maxConvs, maxMsgs: maxMsgs, maxCache: maxCache,
		convs:  make(map[string]*conversation),
		owners: make(map[string][]*conversation),
		cache:  make(map[string]cached),
	}
}

// newMessageID returns a fresh numeric message id.
func (s *store) newMessageID() int64 { return s.nextID.Add(1) }

// add stores c, evicting the oldest conversation beyond the cap.
func (s *store) add(c *conversation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.convs[c.slug] = c
	s.owners[c.owner] = append(s.owners[c.owner], c)
	s.order = append(s.order, c)
	for len(s.convs) > s.maxConvs {
		old := s.order[0]
		s.order[0] = nil
		s.order = s.order[1:]
		delete(s.convs, old.slug)
		// Owners' lists are in creation order too, so the oldest conversation
		// heads its owner's list: dropping it is O(1) even when one visitor
		// owns every conversation (vegeta's single token in bench/).
		list := s.owners[old.owner]
		if len(list) > 0 && list[0] == old {
			list[0] = nil
			list = list[1:]
		} else {
			list = slices.DeleteFunc(list, func(x *conversation) bool { return x == old })
		}
		if len(list) == 0 {
			delete(s.owners, old.owner)
		} else {
			s.owners[old.owner] = list
		}
		s.evicted.Add(1)
	}
}

// get returns the conversation with slug, or nil.
func (s *store) get(slug string) *conversation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.convs[slug]
}

// summary is one conversation as the list shows it.
type summary struct {
	slug, subject     string
	createdAt         time.Time
	recent            string
	recentAt          time.Time
	latestAt          time.Time
	count             int
	escalated, unread bool
}

// list returns all of owner's conversations, empty ones included, newest
// activity first (Helper orders by COALESCE(lastMessageAt, createdAt)).
func (s *store) list(owner string) []summary {
	s.mu.Lock()
	convs := slices.Clone(s.owners[owner])
	s.mu.Unlock()
	out := make([]summary, 0, len(convs))
	for _, c := range convs {
		c.mu.Lock()
		out = append(out, summary{
			slug: c.slug, subject: c.subject, createdAt: c.createdAt,
			recent: c.recent, recentAt: c.recentAt, latestAt: c.latestAt, count: c.count,
			escalated: c.escalated, unread: c.unreadLocked(),
		})
		c.mu.Unlock()
	}
	activity := func(x summary) time.Time {
		if x.latestAt.IsZero() {
			return x.createdAt
		}
		return x.latestAt
	}
	slices.SortStableFunc(out, func(a, b summary) int {
		if n := activity(b).Compare(activity(a)); n != 0 {
			return n
		}
		if n := b.createdAt.Compare(a.createdAt); n != 0 {
			return n
		}
		return cmp.Compare(a.slug, b.slug)
	})
	return out
}

// unread returns how many of owner's conversations count as unread.
func (s *store) unread(owner string) int {
	s.mu.Lock()
	convs := slices.Clone(s.owners[owner])
	s.mu.Unlock()
	n := 0
	for _, c := range convs {
		c.mu.Lock()
		if c.countsAsUnreadLocked() {
			n++
		}
		c.mu.Unlock()
	}
	return n
}

// cachedReply returns the cached reply to a prompt seen since notBefore.
func (s *store) cachedReply(prompt string, notBefore time.Time) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.cache[prompt]
	if !ok || e.at.Before(notBefore) {
		return "", false
	}
	return e.reply, true
}

// cacheReply remembers reply as the answer to prompt, dropping the oldest
// entry beyond the cap.
func (s *store) cacheReply(prompt, reply string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cache[prompt]; !ok {
		s.cacheQ = append(s.cacheQ, prompt)
	}
	s.cache[prompt] = cached{reply: reply, at: at}
	for len(s.cache) > s.maxCache {
		delete(s.cache, s.cacheQ[0])
		s.cacheQ[0] = ""
		s.cacheQ = s.cacheQ[1:]
	}
}

// sizes returns the conversations held and the count evicted.
func (s *store) sizes() (held, evicted int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int64(len(s.convs)), s.evicted.Load()
}
