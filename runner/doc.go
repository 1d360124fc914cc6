// Package runner drives a scenario's virtual users against a Helper
// deployment and emits one results.Result per step.
//
// Two load models are supported. In the open model, sessions arrive on a
// schedule (a StagesPacer: constant rates and linear ramps, evenly spaced,
// or a PoissonPacer over one: the same rates with Poisson arrivals),
// independent of how fast the target answers; in the closed model, a fixed number of users
// loop, each starting a new session when its previous one ends. Either way a
// global request cap (golang.org/x/time/rate) and a cap on sessions in flight
// (max_sessions) may apply, and requests in flight are capped by the
// connections the process's file limit allows (limits.go).
//
// Users are user-centric: a turn is due its think time after the previous
// step ended, and sent then or, when the user was held up, at once. A
// new user takes a row from each feeder (unique feeders split between
// shards); when a unique feeder or a transcript with on_exhausted: stop runs
// out, no more sessions start and the run ends once the started ones have.
// A conversation replayed from a transcript sends one recorded
// conversation's user messages per session at their original, time-scaled
// pace, or, with the replay model (start: original), starts each at its
// recorded time.
//
// Every Result carries the step's intended start (when the schedule wanted
// it) and its actual start, so a target that slows the schedule down shows up
// as schedule lag and as latency from the intended start instead of hiding
// (coordinated omission).
//
// A run ends in phases (stops.go): when its duration ends or its context is
// canceled no new session starts; running sessions may go on for the grace
// period after the duration (on a cancel they start no new step, and users
// in think time end their sessions canceled); then requests still in flight
// are canceled. Each phase is a context, the one stop mechanism.
//
// All the runner's time comes from a Clock (WithClock): by default the
// wall clock, on which arrivals end their wait on a timerfd for
// sub-millisecond schedule lag; GoClock is Go's time alone, which a
// testing/synctest bubble makes virtual, so the tests run whole schedules,
// the real client and the real mock (in memory) in no real time.
//
// The runner never imports metrics or report; it writes to a results.Sink.
// The client's failure classes and reply shapes become results' words in one
// place, kinds.go.
//
// # Files
//
//	runner.go    New, Run, Outcome (options.go: the Options)
//	schedule.go  how sessions start: open-model arrivals, closed-model users, session slots
//	pacer.go     StagesPacer, the open model's schedule
//	poisson.go   PoissonPacer, the same schedule with Poisson arrivals
//	replay.go    transcripts: their sources, recorded-time arrivals, replayed turns
//	user.go      a virtual user
//	session.go   one session: sign-in, conversation, turns, the async exchange, checks
//	step.go      one step: Retry-After, the request cap, a connection, the call, its delivery, retries
//	limits.go    the generator's own limits: the connections its file limit allows
//	saturation.go what it measured of them: Saturation
//	result.go    a Result filled from the client's measurements
//	kinds.go     the client's kinds and shapes in results' words
//	stops.go     how a run ends
//	clock.go     Clock, GoClock, sleeps, the precise arrival waiter
//	workers.go   the goroutines requests run on
//
// # Adding to the runner
//
//   - Another arrival process: a schedule that says when hit n is due
//     (arrivalSchedule, runner.go), built by pacerFor from the scenario's
//     load, as PoissonPacer is; arrive (schedule.go) walks any such
//     schedule. Draw random gaps from a source seeded by Options.Seed,
//     the same in every shard: each shard takes its own hits of one
//     process, so the shards together make it.
//   - Backoff for failing closed-model users: in loopUsers (schedule.go),
//     between two sessions of a user; sessionRun.end knows how the last one
//     ended. Sleep with sleepUntil on the runner's Clock, bounded by
//     st.sessions, so a stopping run does not wait for it.
//   - New steps of widget traffic (open, history, react, mark_read,
//     unread): a results.Step, a call in session.go that makes the request
//     and fills the Result (as createConversation does), run through
//     sessionRun.step at its place in sessionRun.run; step.go gives it
//     Retry-After, the request cap, retries and recording. A visit without a
//     conversation is a run that skips the conversation step (run already
//     skips it when resuming one).
package runner
