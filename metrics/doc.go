// Package metrics exposes a load test's measurements as Prometheus metrics:
// collectors fed by the runner's results (Metrics, a results.Sink), a
// /metrics endpoint (Serve), and pushes to a Pushgateway for short runs
// (Pusher).
//
// A run creates one Metrics for its scenario, registers it on a dedicated
// registry from NewRegistry (which also holds the Go and process collectors;
// the global registry is never used), tees results into it and serves the
// registry:
//
//	reg := metrics.NewRegistry()
//	m := metrics.New(sc.Name, metrics.WithRunID(id), metrics.WithVersion(v),
//		metrics.WithConversations(names...))
//	if err := m.Register(reg); err != nil { ... }
//	srv, err := metrics.Serve(ctx, "127.0.0.1:9464", reg) // srv.Addr() has the bound port
//	sink := results.Tee(m, file, live) // live: a stats.Aggregate
//	... run, drain ...
//	srv.AwaitScrape(lingerCtx) // optional: let Prometheus collect the final values
//
// For --pushgateway, a Pusher pushes the same series (without the Go and
// process ones), grouped by job and instance, at an interval and once more
// at the end, then deletes the group once the final values had time to be
// scraped (unless kept); failures are logged and never fail the run:
//
//	p, err := metrics.NewPusher(m, u, metrics.WithPushKeep(keep))
//	pctx, stop := context.WithCancel(context.Background())
//	done := make(chan struct{})
//	go func() { p.Run(pctx); close(done) }()
//	... run, drain ...
//	stop(); <-done // the final push happened (and the group is gone)
//
// # Metrics
//
// Every series has the constant label scenario. Histograms have classic
// buckets up to 120 s, dense around common SLOs (buckets.go), and native (sparse) buckets with a factor of
// 1.1; a scraper gets the native ones when it asks for the protobuf format
// (Prometheus with native histograms enabled).
//
//	loadgen_step_duration_seconds{conversation,step}        histogram, every step, failed ones included
//	loadgen_time_to_first_byte_seconds{conversation,step}   histogram, steps whose body started
//	loadgen_time_to_first_token_seconds{conversation,step}  histogram, replies with text
//	loadgen_inter_token_seconds{conversation,step}          histogram, one observation per gap
//	loadgen_schedule_lag_seconds{step}                      histogram, start minus intended start
//	loadgen_rate_limit_wait_seconds{step}                   histogram, wait for the global limiter
//	loadgen_requests_total{conversation,step,code}          counter, every step; code "0" = no response
//	loadgen_errors_total{conversation,step,kind}            counter, failed steps by error kind
//	loadgen_sessions_started_total{conversation}            counter
//	loadgen_sessions_completed_total{conversation,outcome}  counter, ended sessions; outcome is
//	                                                        completed (all steps ok), failed or canceled
//	loadgen_sessions_active{conversation}                   gauge, sessions in flight (active users)
//	loadgen_tokens_total{conversation}                      counter, output tokens
//	loadgen_replies_total{conversation,shape}               counter, successful replies by shape
//	loadgen_messages_good_total{conversation}               counter, messages within the SLO (goodput)
//	loadgen_run_info{run_id,version}                        gauge, always 1
//
// So sessions_completed_total summed over outcome counts every ended session,
// and its outcome="completed" series matches the summary's sessions.completed.
//
// # Cardinality
//
// Label values come only from bounded sets: the scenario's conversation names
// (at most DefaultMaxConversations, or exactly the WithConversations list;
// anything else is counted as OtherConversation), the four steps, HTTP status
// codes, the error kinds, reply shapes and session outcomes of
// results (results.Kinds, Shapes and Ends); a value outside its set becomes "other". User ids, emails,
// slugs, URLs and error texts never become labels. The run id is a label only
// on loadgen_run_info (join on scenario to filter by run).
//
// # Hot path
//
// Record runs for every step on many goroutines. Series are looked up in
// copy-on-write maps keyed by conversation, step, code and kind, so after the
// first sight of a combination Record takes no lock and allocates nothing
// (BenchmarkRecord).
package metrics
