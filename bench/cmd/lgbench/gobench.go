package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// microAbout says what each micro-benchmark measures, for the table.
var microAbout = map[string]string{
	"BenchmarkDataStream":        "stream parser, a 256-part reply fed in chunks of the size named",
	"BenchmarkSendMessage":       "client side of one streamed 40-token exchange (no network)",
	"BenchmarkCreateSession":     "client side of one sign-in: HMAC, request, reply (no network)",
	"BenchmarkCreateOnlySession": "the harness's own cost of one create.yaml iteration: runner, client, stats.Aggregate (no network)",
	"BenchmarkWorkersRun":        "hand-off of one request to a runner worker goroutine",
	"BenchmarkAggregateRecord":   "stats.Aggregate.Record, parallel",
	"BenchmarkWriterRecord":      "results file: one record encoded and written",
	"BenchmarkRecord":            "metrics.Record: one message result observed, parallel",
}

// runGobench turns `go test -bench -benchmem` output into figures.
func runGobench(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	pkg := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = p[strings.LastIndexByte(p, '/')+1:]
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		name := fields[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i] // drop -GOMAXPROCS
		}
		units := map[string]string{}
		var extra []string
		for i := 2; i+1 < len(fields); i += 2 {
			units[fields[i+1]] = fields[i]
			switch fields[i+1] {
			case "ns/op", "B/op", "allocs/op":
			default:
				extra = append(extra, fields[i]+" "+fields[i+1])
			}
		}
		ns, _ := strconv.ParseFloat(units["ns/op"], 64)
		base, _, _ := strings.Cut(name, "/")
		detail := microAbout[base]
		if len(extra) > 0 {
			detail += "; " + strings.Join(extra, ", ")
		}
		report(figure{Bench: "6 micro", Name: pkg + "." + strings.TrimPrefix(name, "Benchmark"),
			Value:  fmt.Sprintf("%s/op, %s B/op, %s allocs/op", fmtNS(ns), units["B/op"], units["allocs/op"]),
			Detail: detail})
	}
	return sc.Err()
}

func fmtNS(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.2f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}
