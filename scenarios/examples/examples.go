// Package examples embeds loadgen's ready-made scenarios, so that `loadgen
// demo` and the documentation's commands work from any directory: demo.yaml
// (the demo's mixed, ramping workload), widget.yaml (traffic shaped like a
// real widget's: page views, chats, reopens, reactions, screenshots),
// smoke.yaml (a short closed-model CI
// gate with thresholds), soak.yaml (an hour of steady load),
// feeders.yaml (users and variables from the files under data/) and
// replay.yaml (recorded conversations from data/support.jsonl, replayed at
// their own pace).
package examples

import (
	"embed"

	"github.com/loadgen/loadgen/scenarios"
)

// FS holds the example scenarios at its root and their data files under data/.
//
//go:embed *.yaml data
var FS embed.FS

// Load parses the embedded example name (e.g. "demo.yaml"), reading its
// feeder files from FS too.
func Load(name string, opts ...scenarios.Option) (*scenarios.Scenario, error) {
	return scenarios.LoadFile(name, append(opts[:len(opts):len(opts)], scenarios.WithFS(FS))...)
}
