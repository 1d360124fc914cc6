package capacity_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loadgen/loadgen/capacity"
	"github.com/loadgen/loadgen/capacity/queuesim"
)

// The M/M/c model of the algorithm test is the one make sweep-check runs
// against loadgen mock: 8 servers, 25 ms mean service (capacity 320/s), and
// the objective TTFT (the wait for a server) ≤ 25 ms for 95 % of messages,
// which an M/M/8 queue meets up to ≈ 240.8/s (Erlang C).
var (
	model     = capacity.MMc{C: 8, Mu: 40}
	modelSLO  = 25 * time.Millisecond
	modelAtt  = 0.95
	wantCap   = model.Capacity()
	wantMax   = model.MaxRate(modelSLO, modelAtt)
	simConfig = capacity.Config{
		Attainment:    modelAtt,
		Objectives:    []string{"ttft ≤ 25ms"},
		Precision:     0.10,
		ProbeDuration: 30 * time.Second,
		Budget:        4 * time.Minute,
	}
)

func newSim(seed uint64) *queuesim.Sim { return queuesim.New(model.C, model.Mu, modelSLO, seed) }

// searchSeeds runs the search on seeds 1..n of the model, in parallel.
func searchSeeds(t *testing.T, n int) []*capacity.Findings {
	t.Helper()
	results := make([]*capacity.Findings, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				res, err := capacity.Search(context.Background(), newSim(uint64(i+1)), simConfig)
				if err != nil {
					t.Errorf("seed %d: Search: %v", i+1, err)
					continue
				}
				results[i] = res
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

// checkSeeds asserts the issue's accuracy over the results: capacity within
// ±3 % and SLO-max within ±10 % of the closed forms in ≥ 95 % of seeds, the
// SLO-max interval covering the closed form in ≥ 90 %, every SLO probe's
// attainment interval covering the model's attainment at its load in
// ≥ 90 % of probes, and no sweep over its budget.
func checkSeeds(t *testing.T, results []*capacity.Findings) {
	var capOK, maxOK, covered, probes, probesCovered int
	var elapsed time.Duration
	var bias float64
	n := 0
	for i, res := range results {
		if res == nil {
			continue
		}
		n++
		ce := math.Abs(res.Capacity.Load-wantCap) / wantCap
		me := math.Abs(res.SLOMax.Load-wantMax) / wantMax
		cov := res.SLOMax.Lo <= wantMax && wantMax <= res.SLOMax.Hi
		if ce <= 0.03 {
			capOK++
		}
		if me <= 0.10 {
			maxOK++
		}
		if cov {
			covered++
		}
		bias += (res.SLOMax.Load - wantMax) / wantMax
		elapsed += res.Elapsed
		if res.Elapsed > simConfig.Budget {
			t.Errorf("seed %d: the sweep took %v, over its budget %v", i+1, res.Elapsed, simConfig.Budget)
		}
		if ce > 0.03 || me > 0.10 || !cov {
			t.Logf("seed %d: capacity %.1f/s [%.1f, %.1f] (%+.1f%%), SLO-max %.1f/s [%.1f, %.1f] (%+.1f%%), %d probes, stop %q",
				i+1, res.Capacity.Load, res.Capacity.Lo, res.Capacity.Hi, 100*(res.Capacity.Load-wantCap)/wantCap,
				res.SLOMax.Load, res.SLOMax.Lo, res.SLOMax.Hi, 100*(res.SLOMax.Load-wantMax)/wantMax, len(res.Probes), res.Stop)
		}
		for _, p := range res.Probes {
			if p.Control != capacity.Rate || p.Kind == capacity.KindSaturation || p.Messages == 0 {
				continue
			}
			probes++
			if p.Attainment.Contains(1 - model.WaitTail(p.Load, modelSLO)) {
				probesCovered++
			}
		}
	}
	share := func(k int) float64 { return float64(k) / float64(n) }
	t.Logf("closed forms: capacity %.1f/s, SLO-max %.2f/s; over %d seeds: capacity ±3%% in %.1f%%, SLO-max ±10%% in %.1f%% (mean error %+.2f%%), interval covers in %.1f%%; probe intervals cover in %.1f%% of %d; mean sweep %v",
		wantCap, wantMax, n, 100*share(capOK), 100*share(maxOK), 100*bias/float64(n), 100*share(covered),
		100*float64(probesCovered)/float64(probes), probes, elapsed/time.Duration(max(n, 1)))
	if share(capOK) < 0.95 {
		t.Errorf("capacity within ±3%% of %.0f/s in %.1f%% of seeds, want ≥ 95%%", wantCap, 100*share(capOK))
	}
	if share(maxOK) < 0.95 {
		t.Errorf("SLO-max within ±10%% of %.1f/s in %.1f%% of seeds, want ≥ 95%%", wantMax, 100*share(maxOK))
	}
	if share(covered) < 0.90 {
		t.Errorf("SLO-max interval covers %.1f/s in %.1f%% of seeds, want ≥ 90%%", wantMax, 100*share(covered))
	}
	if c := float64(probesCovered) / float64(probes); c < 0.90 {
		t.Errorf("probe attainment intervals cover the model's attainment in %.1f%% of %d probes, want ≥ 90%%", 100*c, probes)
	}
}

func TestSearchInfeasible(t *testing.T) {
	sim := newSim(1)
	sim.SLO = -time.Second // no wait is that short: every message misses
	res, err := capacity.Search(context.Background(), sim, simConfig)
	var inf *capacity.InfeasibleError
	if !errors.As(err, &inf) {
		t.Fatalf("Search with an impossible objective: %v, want an InfeasibleError", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "objectives unmet at minimum load") || !strings.Contains(msg, "attainment 0.0%") {
		t.Errorf("error %q: want it to say the objectives are unmet at minimum load, and the attainment", msg)
	}
	if len(res.Probes) != 1 || res.Probes[0].Kind != capacity.KindFeasibility || res.Probes[0].Verdict != capacity.Fail {
		t.Errorf("probes %+v, want the one failed feasibility probe", res.Probes)
	}
}

// TestSearchGeneratorSaturated: a generator that cannot offer more than
// 200 sessions/s aborts the probes above, and the search says so instead
// of calling 200/s the target's limit.
func TestSearchGeneratorSaturated(t *testing.T) {
	sim := newSim(2)
	sim.Saturated = func(spec capacity.Spec) string {
		if spec.Control == capacity.Rate && spec.Load > 200 {
			return "schedule lag p99 1.2s"
		}
		return ""
	}
	res, err := capacity.Search(context.Background(), sim, simConfig)
	if err != nil {
		t.Fatal(err)
	}
	if res.GeneratorSaturated == "" || res.Stop != "generator saturated" {
		t.Errorf("GeneratorSaturated %q, Stop %q; want the generator named", res.GeneratorSaturated, res.Stop)
	}
	aborted := 0
	for _, p := range res.Probes {
		switch {
		case p.Verdict == capacity.Aborted:
			aborted++
			if !strings.Contains(p.Reason, "generator saturated") {
				t.Errorf("aborted probe's reason %q, want it to name the generator", p.Reason)
			}
		case p.Control == capacity.Rate && p.Load > 200:
			t.Errorf("probe at %.1f/s has verdict %s, want aborted", p.Load, p.Verdict)
		}
	}
	if aborted != 2 {
		t.Errorf("%d aborted probes, want 2 (a second try, then the search stops)", aborted)
	}
	if res.SLOMax.Hi <= 200 || !strings.Contains(res.SLOMax.Note, "generator") {
		t.Errorf("SLO-max interval [%.1f, %.1f], note %q: the generator's limit must not cap the target's", res.SLOMax.Lo, res.SLOMax.Hi, res.SLOMax.Note)
	}
}

// TestSearchGeneratorHiccup: one aborted probe (the machine stalled) is
// tried again, and the search goes on.
func TestSearchGeneratorHiccup(t *testing.T) {
	sim := newSim(8)
	first := true
	sim.Saturated = func(spec capacity.Spec) string {
		if spec.Kind == capacity.KindBracket && first {
			first = false
			return "schedule lag p99 1.2s"
		}
		return ""
	}
	res, err := capacity.Search(context.Background(), sim, simConfig)
	if err != nil {
		t.Fatal(err)
	}
	if res.GeneratorSaturated != "" || !res.SLOMax.Found || res.SLOMax.AtLeast {
		t.Errorf("after one aborted probe: generator %q, SLO-max %+v; want the search to go on", res.GeneratorSaturated, res.SLOMax)
	}
	if p := res.Probes; p[6].Verdict != capacity.Aborted || p[7].Load != p[6].Load || p[7].Verdict == capacity.Aborted {
		t.Errorf("probes 7 and 8: %v at %.1f, %v at %.1f; want aborted, then the same load again", p[6].Verdict, p[6].Load, p[7].Verdict, p[7].Load)
	}
}

// TestSearchConstraint: a run-level requirement that fails above 180/s
// binds the SLO-max below it and is named.
func TestSearchConstraint(t *testing.T) {
	sim := newSim(3)
	const expr = "errors.rate < 1%"
	sim.Constraints = func(spec capacity.Spec, _ *capacity.Measurement) []capacity.Constraint {
		bad := spec.Control == capacity.Rate && spec.Load > 180
		v := 0.001
		if bad {
			v = 0.02
		}
		return []capacity.Constraint{{Expr: expr, Value: v, Pass: !bad}}
	}
	res, err := capacity.Search(context.Background(), sim, simConfig)
	if err != nil {
		t.Fatal(err)
	}
	if m := res.SLOMax; m.Load > 180*1.01 || m.Hi > 180*1.1 || m.Lo < 180*0.9 || m.Binding != expr {
		t.Errorf("SLO-max %.1f [%.1f, %.1f] bound by %q; want ≤ 180/s, bound by %q", m.Load, m.Lo, m.Hi, m.Binding, expr)
	}
}

func TestSearchBudget(t *testing.T) {
	cfg := simConfig
	cfg.Budget = 20 * time.Second
	if _, err := capacity.Search(context.Background(), newSim(4), cfg); !errors.Is(err, capacity.ErrBudget) {
		t.Errorf("Search with a 20s budget: %v, want ErrBudget", err)
	}
}

// TestSearchInterrupted: a canceled search returns the probes it ran and
// the context's error.
func TestSearchInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := simConfig
	var seen []int
	cfg.OnProbe = func(p capacity.Probe) {
		seen = append(seen, p.Seq)
		if p.Kind == capacity.KindSaturation {
			cancel()
		}
	}
	res, err := capacity.Search(ctx, newSim(5), cfg)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Search: %v, want context.Canceled", err)
	}
	if res == nil || res.Stop != "interrupted" || len(res.Probes) != len(seen) || len(seen) < 3 {
		t.Fatalf("result %+v after %v; want the probes so far and Stop interrupted", res, seen)
	}
	if res.Capacity.Load <= 0 {
		t.Errorf("capacity %v: the saturation probe ended before the cancel, want it reported", res.Capacity.Load)
	}
}

// TestSearchUsers: the closed model's SLO-max is a whole number of users
// between the servers (no one waits with at most c users) and saturation.
func TestSearchUsers(t *testing.T) {
	cfg := simConfig
	cfg.Control = capacity.Users
	res, err := capacity.Search(context.Background(), newSim(6), cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := res.SLOMax
	if !m.Found || m.Load != math.Trunc(m.Load) || m.Load < float64(model.C) || m.Load > res.Capacity.Hi {
		t.Errorf("SLO-max %v users [%v, %v], capacity reached at %v users; want whole users in [%d, %v]",
			m.Load, m.Lo, m.Hi, res.Capacity.Hi, model.C, res.Capacity.Hi)
	}
	if math.Abs(res.Capacity.Sessions-wantCap) > 0.05*wantCap {
		t.Errorf("capacity %.1f sessions/s, want %.0f ± 5%%", res.Capacity.Sessions, wantCap)
	}
}

// TestSearchDeterministicService: with fixed service times (M/D/c) the
// knee is sharp and the SLO-max lies close to the capacity; the search
// still finds both.
func TestSearchDeterministicService(t *testing.T) {
	sim := newSim(7)
	sim.Service = func(*rand.Rand) float64 { return 1 / model.Mu }
	res, err := capacity.Search(context.Background(), sim, simConfig)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.Capacity.Load-wantCap) > 0.03*wantCap {
		t.Errorf("capacity %.1f/s, want %.0f ± 3%%", res.Capacity.Load, wantCap)
	}
	// M/D/8 waits less than M/M/8: its SLO-max is above the M/M/8 one and
	// below the capacity.
	if m := res.SLOMax; !(m.Load > wantMax && m.Load < res.Capacity.Load) {
		t.Errorf("SLO-max %.1f/s, want between %.1f (M/M/8) and the capacity %.1f", m.Load, wantMax, res.Capacity.Load)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  capacity.Config
		want string
	}{
		{"attainment", capacity.Config{Attainment: 1.5}, "attainment"},
		{"precision", capacity.Config{Precision: -0.1}, "precision"},
		{"range", capacity.Config{Min: 10, Max: 5}, "range"},
		{"lengths", capacity.Config{ProbeDuration: 10 * time.Second, ShortDuration: 20 * time.Second}, "probe lengths"},
		{"confidence", capacity.Config{Confidence: 0.4}, "confidence"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want an error about %s", err, tt.want)
			}
		})
	}
	if err := (capacity.Config{}).Validate(); err != nil {
		t.Errorf("zero Config: Validate() = %v, want nil (defaults)", err)
	}
}

func TestMMc(t *testing.T) {
	// One server: C = ρ, and P(Wq > t) = ρ·e^{−(μ−λ)t}.
	q1 := capacity.MMc{C: 1, Mu: 10}
	if got := q1.ErlangC(4); math.Abs(got-0.4) > 1e-12 {
		t.Errorf("M/M/1 ErlangC(ρ=0.4) = %v, want 0.4", got)
	}
	if got, want := q1.WaitTail(4, 100*time.Millisecond), 0.4*math.Exp(-0.6); math.Abs(got-want) > 1e-12 {
		t.Errorf("M/M/1 WaitTail = %v, want %v", got, want)
	}
	// Two servers at a = 1 Erlang: C = 1/3.
	if got := (capacity.MMc{C: 2, Mu: 1}).ErlangC(1); math.Abs(got-1.0/3) > 1e-12 {
		t.Errorf("M/M/2 ErlangC(a=1) = %v, want 1/3", got)
	}
	// The issue's figure: for c = 8 and T = one service time, SLO-max sits
	// near three quarters of the capacity.
	if r := model.MaxRate(25*time.Millisecond, 0.95) / model.Capacity(); r < 0.70 || r > 0.78 {
		t.Errorf("M/M/8 SLO-max / capacity = %.3f, want ≈ 0.75", r)
	}
	if got := q1.WaitTail(12, time.Second); got != 1 {
		t.Errorf("WaitTail above capacity = %v, want 1", got)
	}
}

func ExampleSearch() {
	// An M/M/8 queue with 25 ms mean service: capacity 320/s, and at most
	// 5 % of messages may wait more than 25 ms for a server.
	q := capacity.MMc{C: 8, Mu: 40}
	sim := queuesim.New(q.C, q.Mu, 25*time.Millisecond, 1)
	res, err := capacity.Search(context.Background(), sim, capacity.Config{
		Attainment: 0.95,
		Objectives: []string{"ttft ≤ 25ms"},
		Budget:     4 * time.Minute,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	within := func(got, want, tol float64) bool { return math.Abs(got-want) <= tol*want }
	fmt.Println("capacity within 3% of c·μ:", within(res.Capacity.Load, q.Capacity(), 0.03))
	fmt.Println("SLO-max within 10% of Erlang C:", within(res.SLOMax.Load, q.MaxRate(25*time.Millisecond, 0.95), 0.10))
	fmt.Println("SLO-max below capacity:", res.SLOMax.Load < res.Capacity.Load)
	// Output:
	// capacity within 3% of c·μ: true
	// SLO-max within 10% of Erlang C: true
	// SLO-max below capacity: true
}
