package runner

import (
	"math/rand/v2"
	"time"

	"github.com/loadgen/loadgen/helperapi"
	"github.com/loadgen/loadgen/scenarios"
)

// user is one virtual user. It holds only what it needs across sessions: its
// identity and feeder row, its random source, and its last session (for
// currentToken) and conversation (for users.returning).
type user struct {
	id    uint64
	email string // "" for an anonymous user
	vars  map[string]string
	rng   *rand.Rand
	prev  *helperapi.Session
	// notBefore is when a 429's Retry-After lets this user send again.
	notBefore time.Time
	// failedAtOnce: the user's last session failed without one successful
	// request; failedInARow counts such sessions in a row (the backoff).
	failedAtOnce bool
	failedInARow int
	// The last conversation the user created, which a returning session resumes.
	prevConv *scenarios.ConversationSpec
	prevSlug string
}

// newUser makes user id, drawing its row from the scenario's feeders. It
// reports false when a unique feeder ran out (on_exhausted: stop): then no
// more users may start.
func (r *Runner) newUser(id uint64) (*user, bool) {
	u := &user{id: id, rng: rand.New(rand.NewPCG(r.opts.Seed, id))}
	vars, ok := r.sc.NextVars(u.rng)
	if !ok {
		r.log.Info("a unique feeder ran out of rows; no more users start", "user", id)
		return nil, false
	}
	u.vars = vars
	if u.rng.Float64() >= r.sc.Users.AnonymousShare && r.sc.Users.Email != nil {
		email, err := r.sc.Users.Email.Execute(&scenarios.TemplateData{Seq: id, Meta: r.sc.Users.Metadata, Vars: vars})
		if err != nil {
			r.log.Warn("email template failed; user runs anonymous", "user", id, "err", err)
		} else {
			u.email = email
		}
	}
	return u, true
}
