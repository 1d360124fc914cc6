package k8s

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestEmulatedCommandLines checks what the emulator makes of the kind
// overlay's pods, without starting them: the shard's --shard from
// JOB_COMPLETION_INDEX, the Service URLs on the loopback ports the collector
// and the mock listen on, the scenario from the ConfigMap volume, the
// secret from the Secret through the environment only.
func TestEmulatedCommandLines(t *testing.T) {
	m := mustRender(t, "overlays/kind")
	c := newCluster(t, m, "/nonexistent/loadgen")
	name, tmpl, index := c.jobPod("loadgen-shards", 2)
	shard := c.prepare(name, tmpl, index, nil)
	name, tmpl, index = c.jobPod("loadgen-collector", 0)
	coll := c.prepare(name, tmpl, index, nil)
	mock := c.prepare("helper-mock-p1", &m.Deployments[0].Spec.Template, -1, nil)

	collector, target := c.ports["loadgen-collector:8080"], c.ports["helper-mock:8080"]
	args := shard.cmd.Args[1:]
	for _, want := range []string{"run", "--shard=2/4", "--collector=http://" + collector, "--target=http://" + target, "--quiet"} {
		if !slices.Contains(args, want) {
			t.Errorf("shard args %q lack %q", args, want)
		}
	}
	scenario := args[len(args)-1]
	if b, err := os.ReadFile(scenario); err != nil || !strings.Contains(string(b), "version: 1") {
		t.Errorf("shard's scenario %s: %v", scenario, err)
	}
	if !slices.Contains(shard.cmd.Env, "JOB_COMPLETION_INDEX=2") || !slices.Contains(shard.cmd.Env, "HELPER_HMAC_SECRET=kind-demo-secret-not-for-production") {
		t.Errorf("shard env %q: want JOB_COMPLETION_INDEX=2 and the secret", shard.cmd.Env)
	}
	if strings.Contains(strings.Join(args, " "), "kind-demo-secret") {
		t.Errorf("the secret is in the shard's args %q", args)
	}
	if !slices.Contains(coll.cmd.Args, "--addr="+collector) || !slices.Contains(coll.cmd.Args, "--shards=4") {
		t.Errorf("collector args %q: want --addr=%s and --shards=4", coll.cmd.Args, collector)
	}
	if !slices.ContainsFunc(coll.cmd.Args, func(a string) bool {
		return strings.HasPrefix(a, "--dir=") && filepath.IsAbs(strings.TrimPrefix(a, "--dir=")) && a != "--dir=/data"
	}) {
		t.Errorf("collector args %q: want --dir on the PVC's directory", coll.cmd.Args)
	}
	if !slices.Contains(mock.cmd.Args, "--addr="+target) {
		t.Errorf("mock args %q: want --addr=%s", mock.cmd.Args, target)
	}
}
