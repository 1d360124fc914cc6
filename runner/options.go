package runner

import (
	"log/slog"
	"time"
)

// Defaults of the options.
const (
	DefaultGrace      = 10 * time.Second // in-flight requests may finish this long after the run stops
	DefaultMaxRetries = 3                // attempts of a step after a 429, per user
	DefaultRetryAfter = time.Second      // wait after a 429 without Retry-After
	MaxRetryAfter     = time.Minute      // a longer Retry-After is cut to this
)

// Option configures New. Without options a Runner uses the defaults.
type Option func(*options)

// options are the runner's knobs, as the Options set them.
type options struct {
	Grace      time.Duration // after the run stops, in-flight requests get this long (≤ 0: none)
	Shard      int           // this process's shard, from 0
	Shards     int           // number of shards: users and arrivals are split between them
	Seed       uint64        // seed for picks, think times and templates (0: random)
	MaxRetries int           // attempts of a step answered 429
	Logger     *slog.Logger  // nil: discard
	Clock      Clock         // nil: the wall clock
	EarlyStop  int           // failures in a row that stop a run that never worked (≤ 0: never)
	FDLimit    uint64        // the file limit sessions in flight are sized by (0: the process's)
}

func newOptions(opts []Option) options {
	o := options{Grace: DefaultGrace, Shards: 1, MaxRetries: DefaultMaxRetries, EarlyStop: DefaultEarlyStop}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithGrace sets how long requests in flight (and, when the duration ends
// rather than the context, running sessions) may go on after the run stops
// (default DefaultGrace; 0 or less cancels them at once).
func WithGrace(d time.Duration) Option { return func(o *options) { o.Grace = d } }

// WithShard makes the runner shard i of n of a distributed run: users,
// arrivals, caps and unique feeder rows are split n ways (default 0 of 1).
func WithShard(i, n int) Option { return func(o *options) { o.Shard, o.Shards = i, n } }

// WithSeed seeds the conversation mix, think times and templates, so that a
// run can be repeated (default: a random seed; 0 also means random).
func WithSeed(seed uint64) Option { return func(o *options) { o.Seed = seed } }

// WithMaxRetries sets the attempts of a step answered 429, per user
// (default DefaultMaxRetries).
func WithMaxRetries(n int) Option { return func(o *options) { o.MaxRetries = n } }

// WithLogger sets where the runner logs (default: nowhere).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.Logger = l } }

// WithClock sets the time the run reads and waits on (default: the wall
// clock, whose arrivals wake on a timerfd). GoClock runs it on Go's time
// alone, as in a testing/synctest bubble. See Clock.
func WithClock(c Clock) Option { return func(o *options) { o.Clock = c } }

// WithEarlyStop sets how many sign-ins refused in a row, or requests that
// could not connect in a row, stop a run in which nothing ever succeeded
// (default DefaultEarlyStop; 0 or less: never). See EarlyStop.
func WithEarlyStop(n int) Option { return func(o *options) { o.EarlyStop = n } }

// WithFDLimit sizes the sessions in flight by a file limit of n descriptors
// instead of the process's RLIMIT_NOFILE (see FDLimit), e.g. for a run that
// shares its process.
func WithFDLimit(n uint64) Option { return func(o *options) { o.FDLimit = n } }
