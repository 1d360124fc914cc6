// Package runner drives a scenario's virtual users against a Helper
// deployment and emits one results.Result per step.
//
// Two load models are supported. In the open model, sessions arrive on a
// schedule (a StagesPacer: constant rates and linear ramps), independent of
// how fast the target answers; in the closed model, a fixed number of users
// loop, each starting a new session when its previous one ends. Either way a
// global request cap (golang.org/x/time/rate) and a cap on sessions in flight
// may apply.
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
// A run stops when its duration ends or its context is canceled: no new
// sessions or turns start, users in think time end their sessions as
// canceled, and requests in flight get a grace period before they are
// canceled too. The runner never imports metrics or report; it writes to a
// results.Sink. The client's failure classes and reply shapes become
// results' words in one place, kinds.go.
package runner
