// Package capacity answers the capacity-planning question by probing a
// target: its capacity (the most sessions per second it completes) and its
// SLO-max (the highest load at which a share of messages still meets the
// objectives, at steady state) — two different numbers, both with an
// interval. Search runs the probes through a Prober (the real one drives
// loadgen's runner against a target; queuesim's is a simulated queue in
// virtual time) and returns every probe's report and the two answers.
//
// The method, and what it takes from whom:
//
//   - A feasibility probe at the minimum load (one user, or Config.Min):
//     objectives that fail there fail everywhere (InfeasibleError). The
//     synchronous first step is GuideLLM's sweep's.
//   - Capacity: closed-model users doubled until throughput stops growing
//     (Nighthawk's and AIPerf's exponential search), then one saturation
//     probe there, measured as completions over the window from the first
//     completion to the last — GuideLLM issue #93's fix for sweeps that
//     averaged the pipeline's fill into the maximum — with a batch-means
//     interval, and Little's law (mean in flight ÷ mean session time) as a
//     cross-check. The utilisation law says what it is: c/E[S].
//   - SLO-max: open-model probes (Poisson arrivals are the caller's to
//     set). While far from the answer, short probes bracket it (MLRsearch:
//     short trials while bracketing, full length only near the answer),
//     placed by regula falsi on the log share of failing messages, which
//     grows about exponentially with load near the knee. Each probe's
//     attainment carries an interval: batch means over the probe (requests
//     queued behind one another are autocorrelated, so the binomial
//     interval is far too narrow — measured 14 to 76 times too small a
//     variance on an M/M/8 queue) hulled with a Wilson interval on the
//     effective sample size (messages over their integrated
//     autocorrelation time). Verdicts: pass, fail, unresolved (the
//     interval holds the target), unstable (sessions in flight and TTFT
//     climb: no steady state; the probe stops early) and aborted (the load
//     generator fell behind: never the target's limit). A probe stops
//     early once its verdict is clear at a stricter confidence.
//   - The estimate: an isotonic (monotone) fit over every probe — AIPerf's
//     smooth_isotonic search style — crossed with the target; its interval
//     from a bootstrap of that fit (each probe's attainment drawn from its
//     own interval), spanning at least the probes on either side and kept
//     inside the verdicts' bracket. Full-length probes then go to the
//     estimate until the interval is narrower than Config.Precision (on at
//     least two full probes) or the budget is spent, and one confirmation
//     probe runs at the answer.
//   - Latency is measured from each message's intended start (coordinated
//     omission corrected), warm-up is discarded by intended start, and each
//     probe drains before the next (the Prober's contract).
//
// MMc gives the closed forms of an M/M/c queue (Erlang C), which the
// accuracy test holds the search to over 200 seeds of queuesim.
package capacity
