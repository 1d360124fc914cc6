// Package collect coordinates the shards of a distributed run over HTTP:
// a start barrier that gives every shard one start instant, and the intake
// of each shard's results file. The collector runs a Coordinator (`loadgen
// collect`); each shard uses a Client (`loadgen run --collector URL`).
//
// The protocol, version 1, JSON over HTTP:
//
//   - POST /v1/join with a JoinRequest, once the shard is ready to run (its
//     scenario, feeders and HTTP client made). The answer is held until all
//     N shards have joined; then every shard gets the same JoinResponse:
//     the run id and the start instant T (the last join plus a margin) and
//     the collector's clock (Now). A shard whose clock agrees with the
//     collector's within ClockTolerance starts at T; one whose clock does
//     not starts at the arrival of the answer + (T − Now), T by the
//     collector's clock (see JoinResponse.LocalStart). A join
//     whose shard count, scenario hash, run id or planned duration differs
//     from the collector's aborts the run: every shard is answered 409 with
//     the reason. A join after T (a replaced pod) is answered 410: too late.
//     A shard whose held join is abandoned before T (its process ended or
//     its connection broke) leaves the barrier: the run waits for it to
//     join again, and a new process may take the shard over. A second
//     process joining as a shard whose first is still waiting is answered
//     409 shard_taken.
//     If not every shard joins within the timeout, all are answered 503.
//   - PUT /v1/results/{shard} with the shard's results file as the body and
//     its SHA-256 in a Content-Digest header (RFC 9530: sha-256=:BASE64:).
//     The collector stores it, checks the digest (400 on a mismatch: send
//     it again) and the file's header (run id, shard, shard count, scenario
//     hash, format; 422 if wrong), and reads every record up to the closing
//     one (a file without it was cut short: 422). Headers
//     Loadgen-Instance (the joining process's id), Loadgen-Started-At (when
//     the shard actually began, RFC 3339) and Loadgen-Outcome ("completed"
//     or "interrupted") travel with it.
//   - GET /v1/status: the run so far (Status), for people and tests.
//   - GET /healthz: 200 once the collector listens (a readiness probe).
//
// Every error answer is a Problem: {"reason": "...", "error": "..."}.
package collect
